// First: telemetry instruments modules as they load.
import { flushTelemetry, telemetryEnabled } from './telemetry.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigValidationError, type Environment, parseEnvironment } from './config/environment.js';
import { drainAndClose } from './health/shutdown.js';

async function bootstrap(env: Environment): Promise<void> {
  // Logs are buffered until configureApp hands them to the pino logger.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, abortOnError: false });
  configureApp(app);
  await app.listen(env.PORT);
  const logger = new Logger('Bootstrap');
  logger.log(
    `Listening on port ${env.PORT} (NODE_ENV=${env.NODE_ENV}; Azure Monitor telemetry ${telemetryEnabled ? 'on' : 'off'})`,
  );
  // App Service stops a container with SIGTERM: drain in-flight requests, run shutdown hooks, exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: closing`);
      void drainAndClose(app, env.SHUTDOWN_GRACE_PERIOD_SECONDS * 1000)
        .then(flushTelemetry)
        .finally(() => process.exit(0));
    });
  }
}

function readEnvironment(): Environment | undefined {
  try {
    return parseEnvironment();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\nSee .env.example and the README's configuration table.\n`);
      return undefined;
    }
    throw error;
  }
}

const env = readEnvironment();
if (env) {
  await bootstrap(env).catch((error: unknown) => {
    new Logger('Bootstrap').fatal(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
} else {
  process.exitCode = 1;
}
