/**
 * Entry point. Azure Monitor's OpenTelemetry instrumentation has to hook
 * module loading before the app's modules load, so with telemetry on
 * (APPLICATIONINSIGHTS_CONNECTION_STRING set) its ESM loader is registered
 * first and the app is imported after it. With telemetry off, neither the
 * loader nor OpenTelemetry is loaded: faster start-up, less memory.
 */
if (process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim()) {
  await import('@azure/monitor-opentelemetry/loader');
}
await import('./server.js');
