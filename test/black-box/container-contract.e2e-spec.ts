import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TelemetryIngestion } from '../doubles/telemetry-ingestion.js';
import { type AppProcess, startAppProcess } from '../support/app-process.js';
import { eventually } from '../support/eventually.js';
import { getCode } from '../support/get-code.js';
import { logLine } from '../support/log-lines.js';
import { drainQueue, uniqueQueueName } from '../support/azurite.js';
import { ProductionStack } from '../support/production-stack.js';
import { type UnprivilegedRuntime, unprivilegedRuntime } from '../support/unprivileged-runtime.js';
import { containerNodeArgs } from '../../bench/options.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';

/** Debian's unprivileged user, as a stand-in for the image's non-root `node` user. */
const NOBODY = { uid: 65534, gid: 65534 };
/** The node flags of the Dockerfile's CMD, read from it so the two cannot drift apart. */
const CONTAINER_NODE_ARGS = containerNodeArgs();

/** Every file under `dir` with its size and modification time: a write anywhere changes it. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => `${path} ${statSync(path).size} ${statSync(path).mtimeMs}`)
    .sort();
}

/**
 * What the Dockerfile's runtime stage does, without Docker: production
 * dependencies only (`npm ci --omit=dev`), the compiled app, started as an
 * unprivileged user that can write nothing but /tmp, with a production
 * environment pointing at the local doubles and Azurite. Catches a runtime
 * import that lives in devDependencies and a write to a read-only file system.
 */
describe('the container contract', () => {
  let stack: ProductionStack;
  let ingestion: TelemetryIngestion;
  let app: AppProcess;
  let base: string;
  let before: string[];
  let runtime: UnprivilegedRuntime;
  const queueName = uniqueQueueName();
  const asRoot = process.getuid?.() === 0;

  beforeAll(async () => {
    runtime = unprivilegedRuntime(asRoot ? NOBODY : undefined);
    for (const file of ['package.json', 'package-lock.json']) {
      cpSync(file, join(runtime.dir, file));
    }
    execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: runtime.dir,
      stdio: 'pipe',
    });
    cpSync('dist', join(runtime.dir, 'dist'), { recursive: true });
    // Without root, a read-only tree stands in for another owner; as root, nobody must read it whatever the umask.
    execFileSync('chmod', ['-R', asRoot ? 'a+rX' : 'a-w', runtime.dir]);

    stack = await ProductionStack.start();
    chmodSync(stack.pki.dir, 0o755); // the unprivileged user must read the test CA, as it would a mounted one
    chmodSync(stack.pki.caCertPath, 0o644);
    before = snapshot(runtime.dir);

    // Only the app's identity holds Monitoring Metrics Publisher, as the Bicep grants it; the key alone is refused.
    ingestion = new TelemetryIngestion(stack.pki, { publishers: [stack.identity.objectIdFor()] });
    const telemetry = {
      APPLICATIONINSIGHTS_CONNECTION_STRING: await ingestion.start(),
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true', // statsbeat goes to a fixed Microsoft endpoint: not on this machine
      // Standard OpenTelemetry settings: every trace (the default samples up to 5 a second), exported within 0.5 s.
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '500',
    };
    ({ app, base } = await startAppProcess(
      (port) => ({ ...stack.appEnvironment(port, queueName), ...telemetry, HOME: '/nonexistent', TMPDIR: '/tmp' }),
      { cwd: runtime.dir, node: runtime.node, nodeArgs: CONTAINER_NODE_ARGS, ...(asRoot ? NOBODY : {}) },
    ));
  }, 240_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await ingestion?.stop();
    await stack?.stop();
    if (runtime && !asRoot) {
      execFileSync('chmod', ['-R', 'u+w', runtime.dir]);
    }
    runtime?.remove();
  }, 30_000);

  it('has no development dependency in the runtime tree', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, meta]) => meta.dev && path.startsWith('node_modules/'))
      .map(([path]) => path);
    expect(devOnly.length).toBeGreaterThan(0);
    expect(devOnly.filter((path) => existsSync(join(runtime.dir, path)))).toEqual([]);
  });

  it('runs as the unprivileged user', () => {
    const status = readFileSync(`/proc/${app.pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    expect(uid).toBe(asRoot ? NOBODY.uid : process.getuid?.());
  });

  it('serves a code, recorded on the queue, and is ready', async () => {
    const res = await getCode(base);
    expect(res.status).toBe(200);
    const { code } = res.body as CodeResponseDto;
    const messages = await drainQueue(stack.queue(queueName));
    expect(messages.map((text) => decodeMessage(text).code)).toEqual([code]);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect((await fetch(`${base}/docs-json`)).status).toBe(200);
  });

  it('turns Azure Monitor telemetry on when its connection string is set, and keeps serving', () => {
    expect(app.stdout).toMatch(/Azure Monitor telemetry on/);
    expect(app.output).not.toContain(stack.key);
  });

  it('exports request and dependency telemetry to Application Insights (HTTPS ingestion), without the key', async () => {
    expect((await getCode(base)).status).toBe(200);
    await drainQueue(stack.queue(queueName));
    const served = () =>
      ingestion
        .items('RequestData')
        .some((item) => String(item.url).endsWith('/api/v1/getcode') && item.responseCode === '200');
    const dependencies = () => ingestion.items('RemoteDependencyData').map((item) => String(item.name));
    await eventually(() => served() && dependencies().includes('QueueClient-sendMessage'), 20_000);
    expect(dependencies()).toEqual(
      expect.arrayContaining([
        'GET /api/RandomNumber', // the third-party call
        'GET /secrets/third-party-api-key/', // Key Vault
        'GET /msi/token', // the managed identity endpoint
        'QueueClient-sendMessage', // the queue write, through the Azure SDK's own tracing
      ]),
    );
    expect(ingestion.envelopes.every((envelope) => envelope.iKey === '00000000-0000-4000-8000-0000000000e2')).toBe(
      true,
    );
    expect(ingestion.rawBodies.join('\n')).not.toContain(stack.key);
    // Through Microsoft Entra ID with the app's one credential: a Monitor token from the managed identity endpoint.
    expect(ingestion.refusals).toEqual([]);
    expect(ingestion.tokens.map((token) => token.oid)).toContain(stack.identity.objectIdFor());
    expect(stack.identity.requestsFor('https://monitor.azure.com').length).toBeGreaterThan(0);
    expect(await logLine(app, { context: 'StartupDiagnostics', msg: /^Application Insights / })).toMatch(
      /^Application Insights 127\.0\.0\.1:\d+: accepts telemetry from system-assigned managed identity app-e2e/,
    );
  }, 40_000);

  it('writes nothing outside /tmp and exits 0 on SIGTERM', async () => {
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(snapshot(runtime.dir)).toEqual(before);
    expect(app.output).not.toMatch(/EACCES|EROFS|EPERM/);
    expect(app.stdout).toMatch(/SIGTERM received: closing/);
  }, 15_000);
});
