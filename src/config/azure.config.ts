import { registerAs } from '@nestjs/config';
import { parseEnvironment } from './environment.js';

/** Settings of the shared Microsoft Entra credential. */
export const azureConfig = registerAs('azure', () => {
  const env = parseEnvironment();
  return {
    /** Client id of a user-assigned managed identity; undefined means the system-assigned one. */
    managedIdentityClientId: env.AZURE_CLIENT_ID,
    /** Upper bound of one token acquisition, however the identity endpoint behaves. */
    tokenTimeoutMs: env.AZURE_TOKEN_TIMEOUT_MS,
  };
});
