import { AggregateAuthenticationError, AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import { ServiceError } from '../common/service-error.js';

/** No Microsoft Entra token could be obtained for an Azure client. */
export class AzureCredentialError extends ServiceError {
  readonly code = 'CREDENTIAL_UNAVAILABLE';
  readonly status = 503;
  override readonly retryAfterSeconds = 30;
}

/** True when an Azure SDK call failed because the credential could not produce a token. */
export function isCredentialFailure(error: unknown): boolean {
  return (
    error instanceof CredentialUnavailableError ||
    error instanceof AuthenticationError ||
    error instanceof AggregateAuthenticationError
  );
}

/**
 * Translates a credential failure for `target` (e.g. "Key Vault https://...")
 * into an error whose hint says what to fix. The SDK's own message is not
 * copied: it is long and names every credential in the chain.
 */
export function credentialError(target: string, error: unknown): AzureCredentialError {
  const name = error instanceof Error ? error.name : 'unknown error';
  return new AzureCredentialError(
    'The service could not authenticate to Azure.',
    `No Microsoft Entra token for ${target} (${name}). On App Service, enable the managed identity ` +
      '(and set AZURE_CLIENT_ID for a user-assigned one); locally, run `az login` or `azd auth login`.',
  );
}
