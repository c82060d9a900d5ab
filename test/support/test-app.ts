import type { Server } from 'node:http';
import type { QueueClient } from '@azure/storage-queue';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { AppConfig } from '../../src/config/app-config.js';
import { parseEnvironment } from '../../src/config/environment.js';
import { type PolicyOverrides, policiesWith } from '../../src/config/policies.js';
import { LOG_DESTINATION } from '../../src/common/logging.module.js';
import { CapturedLogs } from '../doubles/captured-logs.js';
import { type Azurite, sharedQueueClient, uniqueQueueName } from './azurite.js';

export interface TestApp {
  app: INestApplication;
  server: Server;
  logs: CapturedLogs;
  queueName: string;
  /** A client of the app's queue, to read back what the app wrote. */
  queue: QueueClient;
  close(): Promise<void>;
}

/**
 * The whole app as production wires it (AppModule + configureApp), configured
 * by `env` (parsed as main.ts parses the environment, on top of a test one on
 * `azurite`) and `policies`. Log lines (JSON) are captured.
 */
export async function startTestApp(
  azurite: Pick<Azurite, 'connectionString'>,
  env: Record<string, string | undefined>,
  policies: PolicyOverrides = {},
): Promise<TestApp> {
  const queueName = env.STORAGE_QUEUE_NAME ?? uniqueQueueName();
  const config = new AppConfig(
    parseEnvironment({
      NODE_ENV: 'test',
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_QUEUE_NAME: queueName,
      ...env,
    }),
    policiesWith(policies),
  );
  const logs = new CapturedLogs();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] })
    .overrideProvider(LOG_DESTINATION)
    .useValue(logs)
    .compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  configureApp(app);
  await app.init();
  const server = app.getHttpServer() as Server;
  const queue = sharedQueueClient(azurite, queueName);
  return { app, server, logs, queueName, queue, close: () => app.close() };
}
