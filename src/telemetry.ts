/**
 * Azure Monitor (Application Insights) through OpenTelemetry: on when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set, off otherwise. server.ts
 * imports this module first and main.ts registered the ESM loader before
 * that, so the HTTP and Azure SDK instrumentations see the app's modules load. The connection string is an
 * ingestion endpoint and key, not a credential to any data.
 */
const connectionString = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();

export const telemetryEnabled = Boolean(connectionString);

// Loaded only when on: the OpenTelemetry stack is large, and most local runs do not need it.
const monitor = connectionString ? await import('@azure/monitor-opentelemetry') : undefined;
if (monitor) {
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    instrumentationOptions: { http: { enabled: true }, azureSdk: { enabled: true } },
  });
  // The third-party call goes through undici, which the distro does not instrument by itself.
  const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
  new UndiciInstrumentation().enable();
}

/** Longest a shutdown waits for buffered telemetry: stopping the container matters more. */
const FLUSH_LIMIT_MS = 3_000;

/** Sends what is still buffered, for at most FLUSH_LIMIT_MS; called on shutdown. */
export async function flushTelemetry(): Promise<void> {
  if (telemetryEnabled) {
    const limit = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
    await Promise.race([monitor?.shutdownAzureMonitor().catch(() => undefined), limit]);
  }
}
