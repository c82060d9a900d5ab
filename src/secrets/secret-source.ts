import { SecretNotFoundError } from './secrets.errors.js';

/** Where secret values are read from. Implementations throw `ServiceError`s. */
export interface SecretSource {
  /** Human-readable origin for logs, e.g. `Key Vault https://x.vault.azure.net/`. Never a secret. */
  readonly description: string;
  read(name: string): Promise<string>;
}

export const SECRET_SOURCE = Symbol('SECRET_SOURCE');

/** Local development: secrets from environment variables instead of Key Vault. */
export class EnvironmentSecretSource implements SecretSource {
  readonly description = 'the local environment (THIRD_PARTY_API_KEY)';

  constructor(private readonly secrets: ReadonlyMap<string, string>) {}

  read(name: string): Promise<string> {
    const value = this.secrets.get(name);
    if (value === undefined) {
      return Promise.reject(
        new SecretNotFoundError(
          'A required secret is not configured.',
          `Secret "${name}" is not set locally: set KEY_VAULT_URL to read it from Key Vault, or THIRD_PARTY_API_KEY for local development.`,
        ),
      );
    }
    return Promise.resolve(value);
  }
}
