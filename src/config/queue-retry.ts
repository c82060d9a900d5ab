/** The queue write's retry settings, as the Azure Storage SDK's exponential retry policy applies them. */
export interface QueueRetrySettings {
  maxTries: number;
  tryTimeoutMs: number;
  retryDelayMs: number;
}

/**
 * The SDK waits `(2^(attempt-1) - 1) * retryDelay` after a failed attempt
 * (0 after the first), so this is the longest a queue write can take when
 * every attempt runs into the server-side timeout: what has to fit in the
 * request's time budget.
 */
export function worstCaseQueueWriteMs({ maxTries, tryTimeoutMs, retryDelayMs }: QueueRetrySettings): number {
  let delays = 0;
  for (let attempt = 1; attempt < maxTries; attempt++) {
    delays += (2 ** (attempt - 1) - 1) * retryDelayMs;
  }
  return maxTries * tryTimeoutMs + delays;
}

/**
 * `StorageRetryOptions` for the queue client. `tryTimeoutInMs` is sent to the
 * service as its `timeout` (whole seconds): the service gives up on an
 * attempt after that long, and the SDK retries 500/503 answers and network
 * errors. The cap on a single delay is the largest delay the settings
 * produce, so the worst case above is exact.
 */
export function queueRetryOptions(settings: QueueRetrySettings) {
  return {
    maxTries: settings.maxTries,
    tryTimeoutInMs: settings.tryTimeoutMs,
    retryDelayInMs: settings.retryDelayMs,
    maxRetryDelayInMs: Math.max(1, (2 ** Math.max(0, settings.maxTries - 2) - 1) * settings.retryDelayMs),
  };
}
