/**
 * The minimal implementation of `GET /api/v1/getcode` that `npm run bench` measures the service against: node:http,
 * the same Azure SDK clients and credential kind as the service, undici for the third-party call. Same environment
 * contract (the part it needs). Written for speed, not for operations: no logging, limits, health or docs.
 * Never imported by src/. Run: `node bench/minimal.ts`.
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { QueueClient } from '@azure/storage-queue';
import { Pool } from 'undici';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is required`);
  }
  return value;
}

process.stdout.write('minimal: modules loaded\n');
const clientId = process.env.AZURE_CLIENT_ID;
const identity = new ManagedIdentityCredential(clientId ? { clientId } : {});
/** One credential for both clients; a token request is bounded (unless the caller bounds it), as an endpoint can hang. */
const credential: TokenCredential = {
  getToken: (scopes, options) =>
    identity.getToken(scopes, { ...options, abortSignal: options?.abortSignal ?? AbortSignal.timeout(10_000) }),
};
const secrets = new SecretClient(setting('KEY_VAULT_URL'), credential);
const secretName = process.env.THIRD_PARTY_API_SECRET_NAME ?? 'third-party-api-key';
// The service's default queue retry policy, so both give a slow queue the same chances.
const queue = new QueueClient(setting('STORAGE_QUEUE_URL'), credential, {
  retryOptions: { maxTries: 3, tryTimeoutInMs: 5_000, retryDelayInMs: 500 },
});
const endpoint = new URL(setting('THIRD_PARTY_API_ENDPOINT'));
const thirdParty = new Pool(endpoint.origin, { connections: 256, keepAliveTimeout: 60_000 });
const thirdPartyPath = endpoint.pathname + endpoint.search;

/** The key, read once and shared by concurrent requests; forgotten when the third party refuses it. */
let key: Promise<string> | undefined;
function readKey(): Promise<string> {
  key ??= secrets.getSecret(secretName).then(
    (secret) => secret.value ?? Promise.reject(new Error('the secret has no value')),
    (error: unknown) => {
      key = undefined;
      throw error;
    },
  );
  return key;
}

async function getNumber(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const used = readKey();
    const { statusCode, body } = await thirdParty.request({
      method: 'GET',
      path: thirdPartyPath,
      headers: { 'x-functions-key': await used },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    if (statusCode === 401 && attempt === 0) {
      await body.dump();
      if (key === used) {
        key = undefined;
      }
      continue;
    }
    if (statusCode !== 200) {
      await body.dump();
      throw new Error(`third party answered ${statusCode}`);
    }
    const { value } = (await body.json()) as { value?: unknown };
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new Error('third party answered without an integer value');
    }
    return value;
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const entropy = Buffer.alloc(4096);
let nextByte = entropy.length;

/** Uniform letters from a CSPRNG: bytes from a refilled pool, those >= 208 (4 x 52) rejected. */
function letters(count: number): string {
  let text = '';
  while (text.length < count) {
    if (nextByte === entropy.length) {
      randomFillSync(entropy);
      nextByte = 0;
    }
    const byte = entropy[nextByte++] ?? 255;
    if (byte < 208) {
      text += LETTERS.charAt(byte % 52);
    }
  }
  return text;
}

async function getCode(): Promise<string> {
  const value = await getNumber();
  const code = `${letters(3)}-${value}-${letters(3)}`;
  const timestamp = new Date().toISOString();
  const message = JSON.stringify({ code, timestamp, requestId: randomUUID() });
  await queue.sendMessage(Buffer.from(message).toString('base64'));
  return JSON.stringify({ code, timestamp });
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/api/v1/getcode') {
    return send(res, 404, '{"error":"not found"}');
  }
  getCode().then(
    (body) => send(res, 200, body),
    (error: unknown) => send(res, 502, JSON.stringify({ error: error instanceof Error ? error.message : 'failed' })),
  );
});
server.keepAliveTimeout = 65_000;

await queue.createIfNotExists();
process.stdout.write('minimal: queue ready\n');
const port = Number(process.env.PORT ?? 8080);
server.listen(port, () => process.stdout.write(`minimal: listening on port ${port}\n`));
process.once('SIGTERM', () => {
  server.close();
  server.closeIdleConnections();
  void thirdParty.close().finally(() => process.exit(0));
});
