import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeJwt, type TokenClaims } from './jwt.js';

/** One Application Insights telemetry item, as the Azure Monitor exporter sends it. */
export interface TelemetryEnvelope {
  name: string;
  iKey?: string;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
}

/** A refused `POST /v2.1/track`: its status (401 or 403) and why. */
export interface TelemetryRefusal {
  status: 401 | 403;
  reason: string;
}

export interface TelemetryIngestionOptions {
  /**
   * Accept the instrumentation key alone, as a component with local authentication on does. Off by default: like
   * the deployed component (`DisableLocalAuth: true`), only a Microsoft Entra ID bearer token is accepted.
   */
  localAuth?: boolean;
  /**
   * Object ids (`oid`) that hold Monitoring Metrics Publisher on the component; a valid token of anyone else gets
   * 403. Unset: every valid token may publish.
   */
  publishers?: string[];
}

/** The audience of ingestion tokens in the public cloud; Entra ID issues it with or without the trailing slash. */
export const MONITOR_AUDIENCE = 'https://monitor.azure.com';

/**
 * The Application Insights ingestion endpoint (`POST /v2.1/track`) over
 * HTTPS, as the Azure Monitor OpenTelemetry exporter calls it (the exporter
 * always uses https, whatever scheme the connection string names). Like the
 * real service for a component with local authentication off, it takes a
 * bearer token for the Azure Monitor audience (`aud` https://monitor.azure.com,
 * an Entra issuer, valid now) and answers 401 to a request without one (the
 * instrumentation key alone) or with a bad one, 403 to a valid token of an
 * identity that is not a publisher; a refusal's body is the service's partial
 * answer shape (`itemsAccepted: 0`, one error per item). Keeps the envelopes it
 * accepted, every request body (accepted or not) and every refusal.
 */
export class TelemetryIngestion {
  readonly envelopes: TelemetryEnvelope[] = [];
  readonly rawBodies: string[] = [];
  readonly refusals: TelemetryRefusal[] = [];
  /** The claims of every token it accepted. */
  readonly tokens: Partial<TokenClaims>[] = [];
  private readonly server: Server;

  constructor(
    tls: { cert: string; key: string },
    private readonly options: TelemetryIngestionOptions = {},
  ) {
    this.server = createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        const track = req.method === 'POST' && req.url?.startsWith('/v2.1/track') === true;
        const items = track ? parseEnvelopes(text) : [];
        if (track) {
          this.rawBodies.push(text);
        }
        const refusal = track ? this.refusalOf(req) : undefined;
        if (refusal) {
          this.refusals.push(refusal);
          res.writeHead(refusal.status, { 'content-type': 'application/json' });
          const errors = items.map((_, index) => ({ index, statusCode: refusal.status, message: refusal.reason }));
          res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: 0, errors }));
          return;
        }
        this.envelopes.push(...items);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      });
    });
  }

  /** Listens on loopback; resolves the connection string that points the exporter here. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `InstrumentationKey=00000000-0000-4000-8000-0000000000e2;IngestionEndpoint=https://127.0.0.1:${port}/`;
  }

  /** The `baseData` of every accepted item of one type (`RequestData`, `RemoteDependencyData`...). */
  items(baseType: string): Record<string, unknown>[] {
    return this.envelopes
      .filter((envelope) => envelope.data?.baseType === baseType)
      .map((envelope) => envelope.data?.baseData ?? {});
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Why the service would refuse this request, or undefined when it takes it. */
  private refusalOf(req: IncomingMessage): TelemetryRefusal | undefined {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) {
      return this.options.localAuth
        ? undefined
        : { status: 401, reason: 'local authentication is disabled: a Microsoft Entra ID bearer token is required' };
    }
    const claims = decodeJwt(token);
    const now = Math.floor(Date.now() / 1000);
    if (claims?.aud?.replace(/\/$/, '') !== MONITOR_AUDIENCE) {
      return { status: 401, reason: `the token's audience is ${claims?.aud ?? 'missing'}, not ${MONITOR_AUDIENCE}` };
    }
    if (
      !claims.iss?.startsWith('https://sts.windows.net/') &&
      !claims.iss?.startsWith('https://login.microsoftonline.com/')
    ) {
      return { status: 401, reason: `the token's issuer ${claims.iss ?? '(none)'} is not Microsoft Entra ID` };
    }
    if ((claims.nbf ?? Infinity) > now || (claims.exp ?? 0) <= now) {
      return { status: 401, reason: 'the token is expired or not yet valid' };
    }
    if (this.options.publishers && !this.options.publishers.includes(claims.oid ?? '')) {
      return { status: 403, reason: `${claims.oid ?? 'the caller'} may not publish to this component` };
    }
    this.tokens.push(claims);
    return undefined;
  }
}

/** A JSON array of envelopes, or one envelope per line. */
function parseEnvelopes(text: string): TelemetryEnvelope[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    return JSON.parse(trimmed) as TelemetryEnvelope[];
  }
  return trimmed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TelemetryEnvelope);
}
