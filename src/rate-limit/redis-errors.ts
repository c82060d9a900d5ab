import { describeError } from '../common/describe-error.js';
import { ServiceError } from '../common/service-error.js';

/**
 * Redis could not count a request. Never shown to clients (the instance
 * counts locally instead); its hint is the log line that says what to fix.
 */
export class RedisUnavailableError extends ServiceError {
  readonly code = 'REDIS_UNAVAILABLE';
  readonly status = 503;
}

const FALLBACK = 'each instance counts its own rate limits until it answers';

/**
 * Turns a Redis client error into what an operator should do. Redis error
 * replies name the problem in their first word (also when the client wraps
 * them, as for a refused re-authentication), never the password or token.
 */
export function redisFailure(target: string, withToken: boolean, error: unknown): RedisUnavailableError {
  const reply = error instanceof Error ? (/\b(WRONGPASS|NOAUTH|NOPERM)\b/.exec(error.message)?.[1] ?? '') : '';
  const hint = (what: string) =>
    new RedisUnavailableError('Rate limits are counted by this instance.', `Redis ${target}: ${what}; ${FALLBACK}`, {
      cause: error,
    });
  if (reply === 'WRONGPASS' || reply === 'NOAUTH') {
    return hint(
      withToken
        ? "refused the app's Entra ID token: give the app's managed identity an access policy assignment on the " +
            'cache (access policy "default", user = the identity\'s object id)'
        : 'refused the password in REDIS_URL',
    );
  }
  if (reply === 'NOPERM') {
    return hint('the access policy of the app\'s identity does not allow the rate-limit commands: assign "default"');
  }
  // The call's bound (AbortSignal.timeout) rejects with a DOMException named TimeoutError.
  if ((error as { name?: unknown } | undefined)?.name === 'TimeoutError') {
    return hint('did not answer in time (is the cache overloaded, or in another region?)');
  }
  // The client's own messages ("Socket closed unexpectedly", "connect ECONNREFUSED <address>") hold no secret.
  const what =
    error instanceof Error && error.message ? `${describeError(error)}: ${error.message}` : describeError(error);
  return hint(`unreachable (${what}): check REDIS_URL and the cache's network access`);
}
