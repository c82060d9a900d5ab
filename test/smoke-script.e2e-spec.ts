import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { LocalStack } from './support/local-stack.js';
import type { TestApp } from './support/test-app.js';

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
  });

  afterAll(() => stack.stop());

  /** Runs the script without blocking this process, which serves the app it checks. */
  const smoke = () =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      execFile('bash', ['scripts/smoke.sh', base], { env: { PATH: process.env.PATH } }, (error, stdout) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout });
      });
    });

  it('passes against a healthy instance', async () => {
    const run = await smoke();
    expect(run.stdout).toMatch(/ok {4}body is \{"code": "[A-Za-z]{3}-\d+-[A-Za-z]{3}"/);
    expect(run.stdout).toContain('smoke test passed');
    expect(run.status).toBe(0);
  });

  it('fails when the instance cannot issue codes', async () => {
    await stack.azurite.stop();
    const run = await smoke();
    expect(run.stdout).toMatch(/FAIL {2}GET \/api\/v1\/getcode -> 503/);
    expect(run.status).toBe(1);
  }, 30_000);
});
