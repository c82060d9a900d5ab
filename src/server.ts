import 'reflect-metadata';
import type { Server } from 'node:http';
import type { ListenOptions } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { addAcceptors, assertPortFree, SHARED_PORT } from './acceptors.js';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import type { AppConfig } from './config/app-config.js';
import { drainAndClose } from './health/shutdown.js';
import { flushTelemetry, reportTelemetry } from './telemetry.js';

/** Kernel queue for connections not yet accepted: a burst waits there instead of being refused (Linux caps it at somaxconn). */
const LISTEN_BACKLOG = 4096;

/** Timeouts sized against App Service's front end (docs/resilience.md). */
function setTimeouts(server: Server): void {
  // Above the front end's 240 s idle timeout, so the app never closes a keep-alive connection the front end may reuse.
  server.keepAliveTimeout = 245_000;
  // Node's rule: above keepAliveTimeout, or an idle keep-alive connection could time out waiting for headers.
  server.headersTimeout = 250_000;
  // Receiving a request (no body here) takes at most this long; the front end gives up after 230 s anyway.
  server.requestTimeout = 300_000;
}

async function bootstrap(config: AppConfig): Promise<void> {
  // Logs are buffered until configureApp hands them to the pino logger.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  configureApp(app);
  const { PORT, NODE_ENV, APPLICATIONINSIGHTS_CONNECTION_STRING, SHUTDOWN_GRACE_PERIOD_SECONDS } = config.env;
  setTimeouts(app.getHttpServer());
  if (SHARED_PORT) {
    await assertPortFree(PORT);
  }
  // Nest hands the options on to Node's server.listen; no host means every address.
  const listen = app.listen.bind(app) as (options: ListenOptions) => Promise<unknown>;
  await listen({ port: PORT, backlog: LISTEN_BACKLOG, reusePort: SHARED_PORT });
  const acceptors = SHARED_PORT ? await addAcceptors(app.getHttpServer(), LISTEN_BACKLOG) : [];
  const logger = new Logger('Bootstrap');
  const telemetry = APPLICATIONINSIGHTS_CONNECTION_STRING ? 'on' : 'off';
  logger.log(`Listening on port ${PORT} (NODE_ENV=${NODE_ENV}; Azure Monitor telemetry ${telemetry})`);
  if (APPLICATIONINSIGHTS_CONNECTION_STRING) {
    void reportTelemetry(config, APPLICATIONINSIGHTS_CONNECTION_STRING);
  }
  if (config.testPolicies) {
    logger.warn('TEST_POLICY_OVERRIDES is set: running with test-only policies');
  }
  // App Service stops a container with SIGTERM: drain in-flight requests, run shutdown hooks, exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: closing`);
      void drainAndClose(app, SHUTDOWN_GRACE_PERIOD_SECONDS * 1000, acceptors)
        .then(flushTelemetry)
        .finally(() => process.exit(0));
    });
  }
}

/** Starts the app; a failure to start is logged and sets a failing exit code. */
export async function serve(config: AppConfig): Promise<void> {
  await bootstrap(config).catch((error: unknown) => {
    new Logger('Bootstrap').fatal(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
