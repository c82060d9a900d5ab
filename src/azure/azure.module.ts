import { DefaultAzureCredential } from '@azure/identity';
import { Module } from '@nestjs/common';
import { type AzureConfig, azureConfig } from '../config/config.module.js';
import { AppCredential } from './app-credential.js';

/**
 * `DefaultAzureCredential` is the managed identity on App Service and the
 * developer's sign-in locally; `AZURE_TOKEN_CREDENTIALS` (read by
 * @azure/identity) narrows the chain.
 */
export function createAppCredential(config: AzureConfig): AppCredential {
  const inner = new DefaultAzureCredential(
    config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {},
  );
  return new AppCredential(inner, config.tokenTimeoutMs);
}

/**
 * Provides `AppCredential`, the one Microsoft Entra credential every Azure
 * client is built with: one instance per process, so tokens are cached once
 * and the identity endpoint is not throttled. Nothing else creates one.
 */
@Module({
  providers: [{ provide: AppCredential, useFactory: createAppCredential, inject: [azureConfig.KEY] }],
  exports: [AppCredential],
})
export class AzureModule {}
