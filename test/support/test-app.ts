import type { Server } from 'node:http';
import type { QueueClient } from '@azure/storage-queue';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
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
 * The whole app as production wires it (AppModule + configureApp), with the
 * given environment on top of a test one on `azurite`. Log lines (JSON) are
 * captured.
 */
export async function startTestApp(
  azurite: Pick<Azurite, 'connectionString'>,
  env: Record<string, string | undefined>,
): Promise<TestApp> {
  const queueName = env.STORAGE_QUEUE_NAME ?? uniqueQueueName();
  const full: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    STORAGE_QUEUE_NAME: queueName,
    ...env,
  };
  const previous = Object.fromEntries(Object.keys(full).map((name) => [name, process.env[name]]));
  setEnv(full);
  const logs = new CapturedLogs();
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(LOG_DESTINATION)
      .useValue(logs)
      .compile();
    const app = moduleRef.createNestApplication({ bufferLogs: true });
    configureApp(app);
    await app.init();
    const server = app.getHttpServer() as Server;
    const queue = sharedQueueClient(azurite, queueName);
    return { app, server, logs, queueName, queue, close: () => app.close() };
  } finally {
    setEnv(previous);
  }
}

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
}
