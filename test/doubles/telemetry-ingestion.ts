import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One Application Insights telemetry item, as the Azure Monitor exporter sends it. */
export interface TelemetryEnvelope {
  name: string;
  iKey?: string;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
}

/**
 * The Application Insights ingestion endpoint (`POST /v2.1/track`) over
 * HTTPS, as the Azure Monitor OpenTelemetry exporter calls it (the exporter
 * always uses https, whatever scheme the connection string names). Keeps
 * every envelope and the raw bodies, and accepts everything.
 */
export class TelemetryIngestion {
  readonly envelopes: TelemetryEnvelope[] = [];
  readonly rawBodies: string[] = [];
  private readonly server: Server;

  constructor(tls: { cert: string; key: string }) {
    this.server = createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        if (req.method === 'POST' && req.url?.startsWith('/v2.1/track')) {
          this.rawBodies.push(text);
          this.envelopes.push(...parseEnvelopes(text));
        }
        const received = this.envelopes.length;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: received, itemsAccepted: received, errors: [] }));
      });
    });
  }

  /** Listens on loopback; resolves the connection string that points the exporter here. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `InstrumentationKey=00000000-0000-4000-8000-0000000000e2;IngestionEndpoint=https://127.0.0.1:${port}/`;
  }

  /** The `baseData` of every item of one type (`RequestData`, `RemoteDependencyData`...). */
  items(baseType: string): Record<string, unknown>[] {
    return this.envelopes
      .filter((envelope) => envelope.data?.baseType === baseType)
      .map((envelope) => envelope.data?.baseData ?? {});
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
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
