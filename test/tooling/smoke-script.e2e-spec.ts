import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { mintJwt } from '../doubles/jwt.js';
import { createTestPki, type TestPki } from '../doubles/test-pki.js';
import { sharedQueueClient, uniqueQueueName } from '../support/azurite.js';
import { LocalStack } from '../support/local-stack.js';
import type { TestApp } from '../support/test-app.js';

/**
 * A new container as App Service shows it after `azd deploy`: /health/ready answers 503 `notReadyFor` times,
 * then everything is passed through to the app.
 */
async function startingContainer(app: string, notReadyFor: number): Promise<{ server: Server; url: string }> {
  let readinessRequests = 0;
  const server = createServer((req, res) => {
    if (req.url === '/health/ready' && ++readinessRequests <= notReadyFor) {
      res.writeHead(503).end();
      return;
    }
    void fetch(`${app}${req.url ?? '/'}`).then(async (answer) => {
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Runs the script without blocking this process, which serves the app it checks. */
function runSmoke(url: string, env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string }>((done) => {
    execFile('bash', ['scripts/smoke.sh', url], { env: { PATH: process.env.PATH, ...env } }, (error, stdout) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout });
    });
  });
}

/** scripts/smoke.sh against a running app: it passes when all is well and fails, by its exit code, when not. */
describe('scripts/smoke.sh', () => {
  let stack: LocalStack;
  let target: TestApp;
  let base: string;

  beforeAll(async () => {
    stack = await LocalStack.start();
    target = await stack.app({}, { queue: { maxTries: 1 } });
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(target.server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(() => stack?.stop());

  const smoke = (url = base, env: Record<string, string> = {}) => runSmoke(url, env);

  it('passes against a healthy instance', async () => {
    const run = await smoke();
    expect(run.stdout).toMatch(/ok {4}body is \{"code": "[A-Za-z]{3}-\d+-[A-Za-z]{3}"/);
    expect(run.stdout).toContain('smoke test passed');
    expect(run.status).toBe(0);
  });

  it('waits for a container that is still starting, then checks it', async () => {
    const container = await startingContainer(base, 2);
    try {
      const run = await smoke(container.url, { SMOKE_READY_INTERVAL_SECONDS: '0.2' });
      expect(run.stdout.match(/^wait {2}GET \/health\/ready -> 503, retrying in 0\.2s$/gm)).toHaveLength(2);
      expect(run.stdout).toContain('ok    GET /health/ready -> 200');
      expect(run.stdout).toContain('smoke test passed');
      expect(run.status).toBe(0);
    } finally {
      container.server.close();
    }
  });

  it('gives up with a clear message when the instance never becomes ready', async () => {
    const container = await startingContainer(base, Number.POSITIVE_INFINITY);
    try {
      const run = await smoke(container.url, { SMOKE_READY_TIMEOUT_SECONDS: '1', SMOKE_READY_INTERVAL_SECONDS: '0.2' });
      expect(run.stdout).toMatch(/^FAIL {2}GET \/health\/ready -> 503, still not ready after 1s/m);
      expect(run.stdout).toContain('smoke test failed: the instance never became ready');
      expect(run.stdout).not.toContain('/api/v1/getcode');
      expect(run.status).toBe(1);
    } finally {
      container.server.close();
    }
  });

  it('fails when the instance cannot issue codes', async () => {
    await stack.azurite.stop();
    const run = await smoke(base, { SMOKE_READY_TIMEOUT_SECONDS: '0' });
    expect(run.stdout).toMatch(/FAIL {2}GET \/api\/v1\/getcode -> 503/);
    expect(run.status).toBe(1);
  }, 30_000);
});

const BIN = resolve('test-output', 'smoke-bin');

/**
 * The Azure CLI as the smoke test uses it, on a signed-in machine: `account get-access-token` prints a Storage token
 * (or fails as an expired sign-in does, with FAKE_AZ_ERROR); `storage message peek` peeks like az (the 32 oldest);
 * `storage account show` and `monitor metrics list` answer from FAKE_* variables, as ARM and Azure Monitor would.
 */
const FAKE_AZ = `#!/bin/sh
if [ -n "\${FAKE_AZ_ERROR:-}" ]; then echo "$FAKE_AZ_ERROR" >&2; exit 1; fi
case "$*" in
"account get-access-token --resource https://storage.azure.com"*) echo "$FAKE_AZ_TOKEN" ;;
"storage message peek"*)
  curl -sS -H "Authorization: Bearer $FAKE_AZ_TOKEN" -H 'x-ms-version: 2021-12-02' \\
    "$STORAGE_QUEUE_URL/messages?peekonly=true&numofmessages=32" |
    grep -o '<MessageText>[^<]*</MessageText>' | sed -e 's/<MessageText>//' -e 's#</MessageText>##' ;;
"storage account show"*) echo "/subscriptions/0000/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/$STORAGE_ACCOUNT_NAME" ;;
"monitor metrics list"*"--metric Transactions"*"ApiName eq 'PutMessage' and ResponseType eq 'Success'"*) printf '%s\\n' $FAKE_PUT_MESSAGE_TOTALS ;;
*) echo "unexpected: az $*" >&2; exit 2 ;;
esac
`;

/**
 * The queue check against a real queue (Azurite over HTTPS with Entra ID, as Azure Storage): the code must be found
 * however many messages wait, nothing is consumed, and a failed sign-in is reported as such.
 */
describe('scripts/smoke.sh, the queue check', () => {
  let pki: TestPki;
  let stack: LocalStack;
  let target: TestApp;
  let base: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    mkdirSync(BIN, { recursive: true });
    writeFileSync(join(BIN, 'az'), FAKE_AZ);
    chmodSync(join(BIN, 'az'), 0o755);
    pki = createTestPki();
    setDefaultCACertificates([...getCACertificates('default'), pki.caCert]);
    stack = await LocalStack.start({ tls: pki });
    target = await stack.app();
    await target.queue.createIfNotExists();
    await new Promise<void>((done) => target.server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(target.server.address() as AddressInfo).port}`;
    const now = Math.floor(Date.now() / 1000);
    env = {
      PATH: `${BIN}:${process.env.PATH ?? ''}`,
      CURL_CA_BUNDLE: pki.caCertPath,
      STORAGE_QUEUE_URL: stack.azurite.queueUrl(target.queueName),
      STORAGE_ACCOUNT_NAME: 'devstoreaccount1',
      FAKE_AZ_TOKEN: mintJwt({
        aud: 'https://storage.azure.com',
        iss: 'https://sts.windows.net/72f988bf-0000-4000-8000-00000000e2e0/',
        tid: '72f988bf-0000-4000-8000-00000000e2e0',
        oid: '0b8d3f4a-0000-4000-8000-00000000d001',
        appid: '0b8d3f4a-0000-4000-8000-00000000d002',
        idtyp: 'user',
        iat: now,
        nbf: now,
        exp: now + 3600,
      }),
    };
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    pki?.remove();
    rmSync(BIN, { recursive: true, force: true });
  });

  const waiting = async () => (await target.queue.getProperties()).approximateMessagesCount ?? 0;

  it('finds the code among the messages that wait, and consumes none', async () => {
    const run = await runSmoke(base, env);
    const code = /body is \{"code": "([^"]+)"/.exec(run.stdout)?.[1];
    expect(run.stdout).toContain(`ok    the queue holds the message of ${code}\n`);
    expect(run.status).toBe(0);
    const { peekedMessageItems } = await target.queue.peekMessages({ numberOfMessages: 32 });
    expect(peekedMessageItems.every((message) => message.dequeueCount === 0)).toBe(true);
  }, 60_000);

  it('passes with more than 32 older messages waiting, which a peek cannot see past', async () => {
    while ((await waiting()) < 40) {
      await target.queue.sendMessage(Buffer.from('{"code":"OLD-1-OLD"}').toString('base64'));
    }
    const before = await waiting();
    const run = await runSmoke(base, env);
    expect(run.stdout).toMatch(
      new RegExp(
        `^ok {4}the queue took a message \\(${before} -> ${before + 1} waiting\\); the one of \\w+-\\d+-\\w+ is behind the 32 oldest`,
        'm',
      ),
    );
    expect(run.status).toBe(0);
    expect(await waiting()).toBe(before + 1); // nothing consumed
  }, 60_000);

  it('fails when the code never reached the queue', async () => {
    const liar = await codeWithoutQueue();
    const empty = sharedQueueClient(stack.azurite, uniqueQueueName());
    await empty.create();
    try {
      const run = await runSmoke(liar.url, { ...env, STORAGE_QUEUE_URL: stack.azurite.queueUrl(empty.name) });
      expect(run.stdout).toContain('FAIL  queue check: no message with AbC-42-XyZ among all 0 messages on the queue');
      expect(run.status).toBe(1);
    } finally {
      liar.server.close();
    }
  }, 60_000);

  it('reports an expired sign-in as such, not as a missing message', async () => {
    const expired = 'ERROR: AADSTS700024: Client assertion is not within its valid time range.';
    const run = await runSmoke(base, { ...env, FAKE_AZ_ERROR: expired });
    expect(run.stdout).toContain(`FAIL  queue check: the Azure CLI could not sign in to Storage`);
    expect(run.stdout).toContain(expired);
    expect(run.stdout).not.toMatch(/no message with/);
    expect(run.status).toBe(1);
  }, 60_000);

  describe('with AZURE_NETWORK_ISOLATION=true (the queue is private)', () => {
    const isolated = () => ({ ...env, AZURE_NETWORK_ISOLATION: 'true', AZURE_RESOURCE_GROUP: 'rg-x' });

    it('passes when Azure Monitor counts a successful PutMessage since the code was asked for', async () => {
      const run = await runSmoke(base, { ...isolated(), FAKE_PUT_MESSAGE_TOTALS: '0.0 1.0' });
      expect(run.stdout).toMatch(/^ok {4}Azure Monitor counted 1 successful PutMessage on the private queue since /m);
      expect(run.status).toBe(0);
    }, 60_000);

    it('fails when Azure Monitor counts none', async () => {
      const run = await runSmoke(base, {
        ...isolated(),
        FAKE_PUT_MESSAGE_TOTALS: '',
        SMOKE_METRIC_TIMEOUT_SECONDS: '0',
      });
      expect(run.stdout).toMatch(/^FAIL {2}queue check: Azure Monitor counted no successful PutMessage since /m);
      expect(run.status).toBe(1);
    }, 60_000);
  });
});

/** An instance that hands out a code and writes nothing anywhere. */
async function codeWithoutQueue(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/api/v1/getcode') {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-request-id': 'r-1',
        'x-content-type-options': 'nosniff',
      });
      res.end('{"code":"AbC-42-XyZ","timestamp":"2026-01-01T00:00:00.000Z"}');
      return;
    }
    res.writeHead(200).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
