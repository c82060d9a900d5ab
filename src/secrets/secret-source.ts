/** Where secret values are read from. Implementations throw `ServiceError`s. */
export interface SecretSource {
  /** Human-readable origin for logs, e.g. `Key Vault https://x.vault.azure.net/`. Never a secret. */
  readonly description: string;
  read(name: string): Promise<string>;
}
