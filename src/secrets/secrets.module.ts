import { SecretClient } from '@azure/keyvault-secrets';
import { Logger, Module } from '@nestjs/common';
import { AzureModule } from '../azure/azure.module.js';
import { AppCredential } from '../azure/app-credential.js';
import { type SecretsConfig, secretsConfig } from '../config/config.module.js';
import { EnvironmentSecretSource } from './environment-secret-source.js';
import { KeyVaultSecretSource } from './key-vault-secret-source.js';
import type { SecretSource } from './secret-source.js';
import { SECRET_SOURCE } from './secrets.constants.js';
import { SecretsService } from './secrets.service.js';

/** Key Vault when `KEY_VAULT_URL` is set; otherwise the local-development fallback. */
export function createSecretSource(config: SecretsConfig, credential: AppCredential): SecretSource {
  if (config.keyVaultUrl) {
    return new KeyVaultSecretSource(new SecretClient(config.keyVaultUrl, credential), config.readTimeoutMs);
  }
  new Logger('SecretsModule').warn(
    'KEY_VAULT_URL is not set: reading the third-party API key from THIRD_PARTY_API_KEY. ' +
      'This is for local development; in Azure, set KEY_VAULT_URL so the key comes from Key Vault.',
  );
  return new EnvironmentSecretSource(config.localSecrets);
}

/**
 * Provides `SecretsService`: cached secret values from Azure Key Vault, read
 * with the shared credential. The `SecretClient` stays private to this module.
 */
@Module({
  imports: [AzureModule],
  providers: [
    {
      provide: SECRET_SOURCE,
      useFactory: createSecretSource,
      inject: [secretsConfig.KEY, AppCredential],
    },
    SecretsService,
  ],
  exports: [SecretsService],
})
export class SecretsModule {}
