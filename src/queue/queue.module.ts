import type { TokenCredential } from '@azure/identity';
import { QueueClient, type StoragePipelineOptions } from '@azure/storage-queue';
import { Module } from '@nestjs/common';
import { AzureModule } from '../azure/azure.module.js';
import { AppCredential } from '../azure/app-credential.js';
import { type QueueConfig, queueConfig } from '../config/config.module.js';
import { queueRetryOptions } from './queue-retry.js';
import { CodeQueue } from './code-queue.service.js';
import { QUEUE_CLIENT } from './queue.constants.js';

/**
 * In Azure: `STORAGE_QUEUE_URL` with the shared credential (Microsoft Entra
 * ID, no key). Locally: `AZURE_STORAGE_CONNECTION_STRING` (Azurite).
 */
export function createQueueClient(config: QueueConfig, credential: TokenCredential): QueueClient {
  const options: StoragePipelineOptions = {
    retryOptions: queueRetryOptions(config.retry),
  };
  if (config.queueUrl) {
    return new QueueClient(config.queueUrl, credential, options);
  }
  // Validation guarantees one of the two is set.
  return new QueueClient(config.connectionString ?? '', config.queueName, options);
}

/** Provides `CodeQueue`; the `QueueClient` stays private to this module. */
@Module({
  imports: [AzureModule],
  providers: [
    {
      provide: QUEUE_CLIENT,
      useFactory: createQueueClient,
      inject: [queueConfig.KEY, AppCredential],
    },
    CodeQueue,
  ],
  exports: [CodeQueue],
})
export class QueueModule {}
