import { QueueClient, type StoragePipelineOptions } from '@azure/storage-queue';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppCredential } from '../azure/app-credential.js';
import { AzureModule } from '../azure/azure.module.js';
import { AppConfig } from '../config/app-config.js';
import { CodeQueue, QUEUE_CLIENT } from './code-queue.service.js';
import { QueueHealth } from './queue.health.js';

/** In Azure: `STORAGE_QUEUE_URL` with the shared credential, no key. Locally: Azurite's connection string. */
export function createQueueClient({ env, policies }: AppConfig, credential: AppCredential): QueueClient {
  const { maxTries, tryTimeoutMs, retryDelayMs } = policies.queue;
  const options: StoragePipelineOptions = {
    retryOptions: { maxTries, tryTimeoutInMs: tryTimeoutMs, retryDelayInMs: retryDelayMs },
  };
  if (env.STORAGE_QUEUE_URL) {
    return new QueueClient(env.STORAGE_QUEUE_URL, credential, options);
  }
  // Stryker disable next-line StringLiteral: parseEnvironment requires the connection string when STORAGE_QUEUE_URL is unset
  return new QueueClient(env.AZURE_STORAGE_CONNECTION_STRING ?? '', env.STORAGE_QUEUE_NAME, options);
}

/** Provides `CodeQueue` and its health; the `QueueClient` stays private to this module. */
@Module({
  imports: [AzureModule, TerminusModule],
  providers: [
    { provide: QUEUE_CLIENT, useFactory: createQueueClient, inject: [AppConfig, AppCredential] },
    CodeQueue,
    QueueHealth,
  ],
  exports: [CodeQueue, QueueHealth],
})
export class QueueModule {}
