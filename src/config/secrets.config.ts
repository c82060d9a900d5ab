import { registerAs } from '@nestjs/config';
import { parseEnvironment } from './environment.js';

/** Where secrets come from and how long they are cached. */
export const secretsConfig = registerAs('secrets', () => {
  const env = parseEnvironment();
  return {
    /** Key Vault to read secrets from; when unset, `localSecrets` is used instead. */
    keyVaultUrl: env.KEY_VAULT_URL,
    /** Local-development fallback: secret name -> value, from THIRD_PARTY_API_KEY. */
    localSecrets: new Map(
      env.THIRD_PARTY_API_KEY === undefined ? [] : [[env.THIRD_PARTY_API_SECRET_NAME, env.THIRD_PARTY_API_KEY]],
    ),
    cacheTtlMs: env.SECRET_CACHE_TTL_SECONDS * 1000,
    refreshBackoffMs: env.SECRET_REFRESH_BACKOFF_SECONDS * 1000,
    /** One Key Vault read, the SDK's own retries included. */
    readTimeoutMs: env.SECRET_READ_TIMEOUT_MS,
  };
});
