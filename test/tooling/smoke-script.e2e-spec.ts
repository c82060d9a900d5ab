import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  /** Runs the script without blocking this process, which serves the app it checks. */
  const smoke = (url = base, env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      execFile('bash', ['scripts/smoke.sh', url], { env: { PATH: process.env.PATH, ...env } }, (error, stdout) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout });
      });
    });

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
