import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { azureConfig } from '../config/azure.config.js';
import { AZURE_CREDENTIAL } from './azure.constants.js';

/**
 * Builds the app's one credential. `DefaultAzureCredential` resolves to the
 * managed identity on App Service and to the developer's sign-in (Azure CLI,
 * azd, VS Code, PowerShell) locally. `AZURE_TOKEN_CREDENTIALS` (read by
 * @azure/identity) narrows the chain: `prod`, `dev`, or one credential name.
 */
export function createAzureCredential(config: ConfigType<typeof azureConfig>): TokenCredential {
  return new DefaultAzureCredential(
    config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {},
  );
}

/**
 * Provides `AZURE_CREDENTIAL`: the single Microsoft Entra credential that
 * every Azure client (Key Vault, Storage) is built with. One instance per
 * process, so tokens are cached once and the identity endpoint is not
 * throttled. Nothing else in the app creates a credential; the credential
 * does no I/O until a client first asks it for a token.
 */
@Module({
  providers: [
    {
      provide: AZURE_CREDENTIAL,
      useFactory: createAzureCredential,
      inject: [azureConfig.KEY],
    },
  ],
  exports: [AZURE_CREDENTIAL],
})
export class AzureModule {}
