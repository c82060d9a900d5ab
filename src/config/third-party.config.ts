import { registerAs } from '@nestjs/config';
import { parseEnvironment } from './environment.js';

/** The third-party API the codes are built from. */
export const thirdPartyConfig = registerAs('thirdParty', () => {
  const env = parseEnvironment();
  return {
    endpoint: env.THIRD_PARTY_API_ENDPOINT,
    /** Name of the secret that holds the access key (sent as x-functions-key). */
    apiKeySecretName: env.THIRD_PARTY_API_SECRET_NAME,
    timeoutMs: env.THIRD_PARTY_TIMEOUT_MS,
    maxSockets: env.THIRD_PARTY_MAX_SOCKETS,
    /** Total time for one call, retries included. */
    budgetMs: env.THIRD_PARTY_BUDGET_MS,
    maxRetries: env.THIRD_PARTY_MAX_RETRIES,
    retryBaseMs: env.THIRD_PARTY_RETRY_BASE_MS,
    maxConcurrency: env.THIRD_PARTY_MAX_CONCURRENCY,
    breakerThreshold: env.BREAKER_THRESHOLD,
    breakerMinCalls: env.BREAKER_MIN_CALLS,
    breakerWindowMs: env.BREAKER_WINDOW_MS,
    breakerOpenMs: env.BREAKER_OPEN_MS,
  };
});
