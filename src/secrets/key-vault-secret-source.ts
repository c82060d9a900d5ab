import { type SecretClient, isRestError } from '@azure/keyvault-secrets';
import type { AppCredential } from '../azure/app-credential.js';
import { isCredentialFailure } from '../azure/credential.errors.js';
import { describeError } from '../common/service-error.js';
import { type ServiceError } from '../common/service-error.js';
import type { SecretSource } from './secret-source.js';
import {
  SECRET_DETAIL,
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretStoreUnavailableError,
} from './secrets.errors.js';

type Hint = (name: string, vault: string) => string;

/** Key Vault reads, failures translated into what to fix (SDK errors are not kept: they hold the bearer token). */
export class KeyVaultSecretSource implements SecretSource {
  readonly description: string;

  constructor(
    private readonly client: SecretClient,
    private readonly credential: AppCredential,
    private readonly readTimeoutMs: number,
  ) {
    this.description = `Key Vault ${client.vaultUrl}`;
  }

  async read(name: string): Promise<string> {
    let value: string | undefined;
    try {
      // Bounded, the SDK's retries included: a read that hangs must not hold every later refresh behind it.
      value = (await this.client.getSecret(name, { abortSignal: AbortSignal.timeout(this.readTimeoutMs) })).value;
    } catch (error) {
      throw this.translate(name, error);
    }
    if (!value) {
      throw new SecretNotFoundError(SECRET_DETAIL, `Secret "${name}" in ${this.description} has no value: set one.`);
    }
    return value;
  }

  private translate(name: string, error: unknown): ServiceError {
    const vault = this.description;
    if (isCredentialFailure(error)) {
      return this.credential.explain(vault, error);
    }
    const status = isRestError(error) ? error.statusCode : undefined;
    const answer = ANSWERS[status ?? 0]; // no HTTP status: 0, which has no answer
    if (answer) {
      return new answer.error(SECRET_DETAIL, answer.hint(name, vault));
    }
    const hint =
      error instanceof Error && error.name === 'AbortError'
        ? `Reading secret "${name}" from ${vault} took longer than ${this.readTimeoutMs} ms, the SDK's retries ` +
          'included: the vault is unreachable, not answering or throttling; check network rules, private endpoint and DNS.'
        : `Reading secret "${name}" from ${vault} failed (${describeError(error)}); check that the vault exists and is reachable.`;
    return new SecretStoreUnavailableError(SECRET_DETAIL, hint);
  }
}

const ANSWERS: Record<number, { error: new (detail: string, hint: string) => ServiceError; hint: Hint }> = {
  404: {
    error: SecretNotFoundError,
    hint: (name, vault) =>
      `Secret "${name}" does not exist in ${vault}: create it (az keyvault secret set) or fix THIRD_PARTY_API_SECRET_NAME.`,
  },
  403: {
    error: SecretAccessDeniedError,
    hint: (name, vault) =>
      `The app's identity may not read secret "${name}" in ${vault}: grant it the "Key Vault Secrets User" role on the vault or the secret.`,
  },
  429: {
    error: SecretStoreUnavailableError,
    hint: (name, vault) =>
      `${vault} is throttling the app (HTTP 429) while it reads secret "${name}": the value is cached, so look for ` +
      "other clients of the vault or the subscription's Key Vault limits.",
  },
};
