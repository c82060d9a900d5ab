import type { StorageRetryOptions } from '@azure/storage-queue';
import type { QueueConfig } from '../config/config.module.js';

/**
 * The Storage SDK's exponential retry policy for the queue write.
 * `tryTimeoutInMs` is sent to the service as its `timeout` (whole seconds),
 * and the cap on one delay is the largest delay these settings produce, so
 * `worstCaseQueueWriteMs` (checked against the request budget) is exact.
 */
export function queueRetryOptions({ maxTries, tryTimeoutMs, retryDelayMs }: QueueConfig['retry']): StorageRetryOptions {
  return {
    maxTries,
    tryTimeoutInMs: tryTimeoutMs,
    retryDelayInMs: retryDelayMs,
    maxRetryDelayInMs: Math.max(1, (2 ** Math.max(0, maxTries - 2) - 1) * retryDelayMs),
  };
}
