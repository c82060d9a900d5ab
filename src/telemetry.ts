import type * as AzureMonitor from '@azure/monitor-opentelemetry';

let monitor: typeof AzureMonitor | undefined;

/**
 * Azure Monitor (Application Insights) through OpenTelemetry, started before
 * the app's modules load so the HTTP and Azure SDK instrumentations see them.
 * The third-party call goes through node:http, which the distro instruments.
 */
export async function startTelemetry(connectionString: string): Promise<void> {
  monitor = await import('@azure/monitor-opentelemetry');
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    instrumentationOptions: { http: { enabled: true }, azureSdk: { enabled: true } },
  });
}

/** Longest a shutdown waits for buffered telemetry: stopping the container matters more. */
const FLUSH_LIMIT_MS = 3_000;

/** Sends what is still buffered, for at most FLUSH_LIMIT_MS; called on shutdown. */
export async function flushTelemetry(): Promise<void> {
  if (monitor) {
    const limit = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
    await Promise.race([monitor.shutdownAzureMonitor().catch(() => undefined), limit]);
  }
}
