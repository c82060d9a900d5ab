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
  };
});
