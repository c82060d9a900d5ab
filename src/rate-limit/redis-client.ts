import type { TokenCredential } from '@azure/identity';
import { REDIS_SCOPE } from '../azure/app-credential.js';
import { describeError, ServiceError } from '../common/service-error.js';
import { HIT_SCRIPT, type RedisLimitsClient } from './shared-rate-limits.js';

/** Reconnection waits grow from 100 ms to at most this, for as long as Redis is away. */
const MAX_RECONNECT_DELAY_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Each connection re-authenticates when this share of its token's lifetime has passed. */
const TOKEN_REFRESH_RATIO = 0.75;

export interface RedisTarget {
  url: string;
  address: string;
  /** Local development only; empty when the app authenticates with Entra ID. */
  password: string;
}

export function redisTarget(url: string): RedisTarget {
  const { hostname, port, password } = new URL(url);
  return { url, address: `${hostname}:${port || '6379'}`, password: decodeURIComponent(password) };
}

/**
 * A Redis client for the shared limits. Without a password in the URL it authenticates with Entra ID through the
 * app's credential (`@redis/entraid`), re-sending AUTH on every connection before each token expires. While the
 * connection is down, commands fail at once (no offline queue) and the client reconnects in the background.
 */
export async function createRedisClient(
  { url, password }: RedisTarget,
  credential: TokenCredential,
): Promise<RedisLimitsClient> {
  const { createClient } = await import('@redis/client');
  // A refused re-authentication is reported like any other client error, so it is logged with its hint.
  const reportAuthFailure = (error: unknown) => client.emit('error', error);
  const client = createClient({
    url,
    credentialsProvider: password ? undefined : await entraIdCredentials(credential, reportAuthFailure),
    disableOfflineQueue: true,
    scripts: { hit: HIT_SCRIPT },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  return {
    get isReady() {
      return client.isReady;
    },
    hit: (...args) => client.hit(...args) as Promise<[number, number]>,
    connect: () => client.connect(),
    close: () => client.close(),
    on: (event, listener) => client.on(event, listener),
  };
}

async function entraIdCredentials(credential: TokenCredential, onAuthFailure: (error: unknown) => void) {
  // Loaded only when Redis is used with Entra ID: it brings its own MSAL.
  const { EntraIdCredentialsProviderFactory } = await import('@redis/entraid');
  return EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
    credential,
    scopes: REDIS_SCOPE,
    // The same options as the Azure SDK clients' token requests, so one cached token serves all.
    options: { enableCae: true },
    tokenManagerConfig: { expirationRefreshRatio: TOKEN_REFRESH_RATIO },
    onReAuthenticationError: onAuthFailure,
  });
}

/** Redis could not count a request: never shown to clients; its hint says what to fix. */
export class RedisUnavailableError extends ServiceError {
  readonly code = 'REDIS_UNAVAILABLE';
  readonly status = 503;
}

const FALLBACK = 'each instance counts its own rate limits until it answers';

/** What an operator should do about a Redis error; its replies name the problem, never the password or token. */
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
  if ((error as { name?: unknown } | undefined)?.name === 'TimeoutError') {
    return hint('did not answer in time (is the cache overloaded, or in another region?)');
  }
  // The client's own messages ("Socket closed unexpectedly", "connect ECONNREFUSED <address>") hold no secret.
  const what =
    error instanceof Error && error.message ? `${describeError(error)}: ${error.message}` : describeError(error);
  return hint(`unreachable (${what}): check REDIS_URL and the cache's network access`);
}
