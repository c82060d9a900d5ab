import type { TokenCredential } from '@azure/identity';
import { REDIS_SCOPE } from '../azure/azure.constants.js';
import { HIT_SCRIPT, type RedisLimitsClient } from './shared-rate-limits.js';

/** Reconnection waits grow from 100 ms to at most this, for as long as Redis is away. */
const MAX_RECONNECT_DELAY_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Each connection re-authenticates when this share of its token's lifetime has passed. */
const TOKEN_REFRESH_RATIO = 0.75;

/** A Redis URL, read once. */
export interface RedisTarget {
  url: string;
  /** `host:port`: what log lines name, never the password. */
  address: string;
  /** The URL's own password (local development); empty when the app authenticates with Entra ID. */
  password: string;
}

export function redisTarget(url: string): RedisTarget {
  const { hostname, port, password } = new URL(url);
  return { url, address: `${hostname}:${port || '6379'}`, password: decodeURIComponent(password) };
}

/**
 * A Redis client for the shared limits. Without a password in the URL it
 * authenticates with Microsoft Entra ID through the app's one credential
 * (`@redis/entraid`): username = the token's object id, password = the
 * token; before each token expires a new one is fetched and every open
 * connection sends AUTH again. Requests never wait for a connection: while
 * it is down, commands fail at once (no offline queue) and the client keeps
 * reconnecting in the background.
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
