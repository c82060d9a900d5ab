import type * as AzureMonitor from '@azure/monitor-opentelemetry';
import { type AppCredential, appCredentialFor, MONITOR_SCOPE } from './azure/app-credential.js';
import { isCredentialFailure } from './azure/credential.errors.js';
import { logStartup } from './common/dependency-status.js';
import { describeError, ServiceError } from './common/service-error.js';
import type { AppConfig } from './config/app-config.js';

let monitor: typeof AzureMonitor | undefined;

/**
 * Azure Monitor (Application Insights) through OpenTelemetry, started before the app's modules load so the HTTP and
 * Azure SDK instrumentations see them. Ingestion authenticates with the app's one credential (Microsoft Entra ID),
 * as Key Vault and the queue do; the connection string only names the component.
 */
export async function startTelemetry(config: AppConfig, connectionString: string): Promise<void> {
  monitor = await import('@azure/monitor-opentelemetry');
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, credential: appCredentialFor(config) },
    instrumentationOptions: { http: { enabled: true }, azureSdk: { enabled: true } },
  });
}

/** Longest a shutdown waits for buffered telemetry: stopping the container matters more. */
const FLUSH_LIMIT_MS = 3_000;

export async function flushTelemetry(): Promise<void> {
  if (monitor) {
    const limit = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
    await Promise.race([monitor.shutdownAzureMonitor().catch(() => undefined), limit]);
  }
}

class TelemetryRefusedError extends ServiceError {
  readonly code = 'TELEMETRY_REFUSED';
  readonly status = 503;
}

/**
 * The start-up line of telemetry: one message sent as the exporter sends its batches (the same endpoint, credential
 * and scope), because the exporter itself keeps a refused batch for later without saying why.
 */
export function reportTelemetry(config: AppConfig, connectionString: string): Promise<void> {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const lookup = (name: string) => fields.get(name) || undefined;
  const endpoint = new URL('v2.1/track', lookup('ingestionendpoint') ?? 'https://dc.services.visualstudio.com/');
  const scope = lookup('aadaudience') ?? MONITOR_SCOPE;
  const envelope = {
    name: 'Microsoft.ApplicationInsights.Message',
    time: new Date().toISOString(),
    iKey: lookup('instrumentationkey'),
    data: { baseType: 'MessageData', baseData: { ver: 2, message: 'Start-up check: telemetry through Entra ID' } },
  };
  return logStartup('telemetry', () => send(appCredentialFor(config), endpoint, scope, envelope));
}

async function send(credential: AppCredential, endpoint: URL, scope: string, envelope: object): Promise<string> {
  const target = `Application Insights ${endpoint.host}`;
  let token: string | undefined;
  let answer: Response;
  try {
    token = (await credential.getToken(scope))?.token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const body = JSON.stringify([envelope]);
    answer = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw isCredentialFailure(error)
      ? credential.explain(target, error)
      : new TelemetryRefusedError('', `${target} could not be reached (${describeError(error)}).`);
  }
  const who = credential.identityFor(scope) ?? 'an unknown identity';
  if (answer.ok) {
    return `${target}: accepts telemetry from ${who}`;
  }
  const fix =
    answer.status === 403
      ? 'give it the "Monitoring Metrics Publisher" role on the Application Insights component'
      : "check that APPLICATIONINSIGHTS_CONNECTION_STRING names a component of the identity's tenant";
  throw new TelemetryRefusedError('', `${target} refused telemetry from ${who} (HTTP ${answer.status}): ${fix}.`);
}
