import { SecretClient } from '@azure/keyvault-secrets';
import { Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppCredential } from '../azure/app-credential.js';
import { AzureModule } from '../azure/azure.module.js';
import { AppConfig } from '../config/app-config.js';
import { KeyVaultSecretSource } from './key-vault-secret-source.js';
import { EnvironmentSecretSource, SECRET_SOURCE, type SecretSource } from './secret-source.js';
import { SecretsHealth } from './secrets.health.js';
import { SecretsService } from './secrets.service.js';

/** Key Vault when `KEY_VAULT_URL` is set; otherwise the local-development fallback. */
export function createSecretSource({ env, policies }: AppConfig, credential: AppCredential): SecretSource {
  if (env.KEY_VAULT_URL) {
    const client = new SecretClient(env.KEY_VAULT_URL, credential);
    return new KeyVaultSecretSource(client, credential, policies.secrets.readTimeoutMs);
  }
  new Logger('SecretsModule').warn(
    'KEY_VAULT_URL is not set: reading the third-party API key from THIRD_PARTY_API_KEY. ' +
      'This is for local development; in Azure, set KEY_VAULT_URL so the key comes from Key Vault.',
  );
  const local = env.THIRD_PARTY_API_KEY;
  return new EnvironmentSecretSource(new Map(local ? [[env.THIRD_PARTY_API_SECRET_NAME, local]] : []));
}

/** Provides `SecretsService` and its health; the `SecretClient` stays private to this module. */
@Module({
  imports: [AzureModule, TerminusModule],
  providers: [
    { provide: SECRET_SOURCE, useFactory: createSecretSource, inject: [AppConfig, AppCredential] },
    SecretsService,
    SecretsHealth,
  ],
  exports: [SecretsService, SecretsHealth],
})
export class SecretsModule {}
