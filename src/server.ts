// First: with telemetry on, it instruments the modules that load after it (main.ts registered the loader).
import { flushTelemetry, telemetryEnabled } from './telemetry.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { type AppConfig, appConfigFrom } from './config/app-config.js';
import { ConfigValidationError, parseEnvironment } from './config/environment.js';
import {
  BENCH_DISABLE_VARIABLE,
  benchDisabledLayers,
  policiesWith,
  TEST_POLICIES_VARIABLE,
  testPolicyOverrides,
} from './config/policies.js';
import { drainAndClose } from './health/shutdown.js';

async function bootstrap(config: AppConfig): Promise<void> {
  // Logs are buffered until configureApp hands them to the pino logger.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  configureApp(app);
  const { port, nodeEnv, shutdownGraceMs } = config.app;
  await app.listen(port);
  const logger = new Logger('Bootstrap');
  logger.log(
    `Listening on port ${port} (NODE_ENV=${nodeEnv}; Azure Monitor telemetry ${telemetryEnabled ? 'on' : 'off'})`,
  );
  if (process.env[TEST_POLICIES_VARIABLE]) {
    logger.warn(`${TEST_POLICIES_VARIABLE} is set: running with test-only policies`);
  }
  if (config.app.disabledLayers.size > 0) {
    logger.warn(`${BENCH_DISABLE_VARIABLE}=${process.env[BENCH_DISABLE_VARIABLE]} is set: benchmark only, layers off`);
  }
  // App Service stops a container with SIGTERM: drain in-flight requests, run shutdown hooks, exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: closing`);
      void drainAndClose(app, shutdownGraceMs)
        .then(flushTelemetry)
        .finally(() => process.exit(0));
    });
  }
}

/** The configuration from the environment, or undefined after printing every problem in one message. */
function readConfig(): AppConfig | undefined {
  try {
    const overrides = testPolicyOverrides(process.env);
    const disabled = benchDisabledLayers(process.env);
    const problems = [overrides, disabled].filter((value) => Array.isArray(value)).flat();
    if (problems.length > 0 || Array.isArray(overrides) || Array.isArray(disabled)) {
      throw new ConfigValidationError(problems);
    }
    return appConfigFrom(parseEnvironment(), policiesWith(overrides), disabled);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\nSee docs/configuration.md.\n`);
      return undefined;
    }
    throw error;
  }
}

const config = readConfig();
if (config) {
  await bootstrap(config).catch((error: unknown) => {
    new Logger('Bootstrap').fatal(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
} else {
  process.exitCode = 1;
}
