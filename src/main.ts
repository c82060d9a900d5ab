/**
 * Entry point. The environment is validated first (one message listing every
 * problem). Azure Monitor's OpenTelemetry instrumentation has to hook module
 * loading before the app's modules load, so with telemetry on its ESM loader
 * is registered and telemetry started before the app is imported; with it
 * off, OpenTelemetry is never loaded.
 */
import { ConfigValidationError } from './config/environment.js';
import { type AppConfig, loadConfig } from './config/app-config.js';

function readConfig(): AppConfig | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) {
      throw error;
    }
    process.stderr.write(`${error.message}\nSee docs/configuration.md.\n`);
    return undefined;
  }
}

const config = readConfig();
if (config) {
  const connectionString = config.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (connectionString) {
    await import('@azure/monitor-opentelemetry/loader');
    await (await import('./telemetry.js')).startTelemetry(config, connectionString);
  }
  await (await import('./server.js')).serve(config);
} else {
  process.exitCode = 1;
}
