import { DefaultAzureCredential } from '@azure/identity';
import { Module } from '@nestjs/common';
import { type AzureConfig, azureConfig } from '../config/config.module.js';
import { AppCredential } from './app-credential.js';
import { AZURE_CREDENTIAL } from './azure.constants.js';

/**
 * Builds the app's one credential. `DefaultAzureCredential` resolves to the
 * managed identity on App Service and to the developer's sign-in (Azure CLI,
 * azd, VS Code, PowerShell) locally. `AZURE_TOKEN_CREDENTIALS` (read by
 * @azure/identity) narrows the chain: `prod`, `dev`, or one credential name.
 */
export function createAppCredential(config: AzureConfig): AppCredential {
  const inner = new DefaultAzureCredential(
    config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {},
  );
  return new AppCredential(inner, config.tokenTimeoutMs);
}

/**
 * Provides `AZURE_CREDENTIAL`: the single Microsoft Entra credential that
 * every Azure client (Key Vault, Storage) is built with, also injectable as
 * `AppCredential` for start-up diagnostics. One instance per process, so
 * tokens are cached once and the identity endpoint is not throttled. Nothing
 * else in the app creates a credential; it does no I/O until first asked for
 * a token.
 */
@Module({
  providers: [
    { provide: AppCredential, useFactory: createAppCredential, inject: [azureConfig.KEY] },
    { provide: AZURE_CREDENTIAL, useExisting: AppCredential },
  ],
  exports: [AZURE_CREDENTIAL, AppCredential],
})
export class AzureModule {}
