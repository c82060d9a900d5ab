import { MONITOR_AUDIENCE, TelemetryIngestion } from '../doubles/telemetry-ingestion.js';
import { type AppProcess, startAppProcess } from '../support/app-process.js';
import { uniqueQueueName } from '../support/azurite.js';
import { getCode } from '../support/get-code.js';
import { logLine } from '../support/log-lines.js';
import { ProductionStack } from '../support/production-stack.js';

/**
 * Application Insights with local authentication off refuses telemetry that
 * is not sent with an Entra ID token of a Monitoring Metrics Publisher. The
 * exporter keeps a refused batch for later without a word; the app's
 * start-up line says who was refused and what to fix, and it keeps serving.
 */
describe('telemetry refused by Application Insights (node dist/main.js, production stack)', () => {
  let stack: ProductionStack;
  let ingestion: TelemetryIngestion;
  let app: AppProcess | undefined;
  let connectionString: string;

  beforeAll(async () => {
    stack = await ProductionStack.start();
    ingestion = new TelemetryIngestion(stack.pki, { publishers: ['someone-else'] });
    connectionString = await ingestion.start();
  }, 120_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await ingestion?.stop();
    await stack?.stop();
  }, 30_000);

  it('refuses the instrumentation key alone', async () => {
    const endpoint = /IngestionEndpoint=([^;]+)/.exec(connectionString)?.[1] ?? '';
    const keyOnly = await fetch(new URL('v2.1/track', endpoint), { method: 'POST', body: '[]' });
    expect(keyOnly.status).toBe(401);
  });

  it('names the identity and the missing role at start-up, and keeps serving', async () => {
    const telemetry = {
      APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    };
    const started = await startAppProcess((port) => ({
      ...stack.appEnvironment(port, uniqueQueueName()),
      ...telemetry,
    }));
    app = started.app;
    const line = await logLine(app, { context: 'StartupDiagnostics', level: 'error', msg: /^telemetry: / });
    expect(line).toMatch(
      /^telemetry: Application Insights 127\.0\.0\.1:\d+ refused telemetry from system-assigned managed identity app-e2e \(client id [^)]+\) \(HTTP 403\): give it the "Monitoring Metrics Publisher" role on the Application Insights component\.$/,
    );
    expect(ingestion.refusals.some((refusal) => refusal.status === 403)).toBe(true);
    expect(stack.identity.requestsFor(MONITOR_AUDIENCE).length).toBeGreaterThan(0);
    expect((await getCode(started.base)).status).toBe(200);
  }, 60_000);
});
