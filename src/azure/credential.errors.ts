import { AggregateAuthenticationError, AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import { ServiceError } from '../common/service-error.js';
import type { AppConfig } from '../config/app-config.js';

/** What a client is told when no token could be had. */
export const CREDENTIAL_DETAIL = 'The service could not authenticate to Azure.';

/** No Microsoft Entra token could be obtained for an Azure client. */
export class AzureCredentialError extends ServiceError {
  readonly code = 'CREDENTIAL_UNAVAILABLE';
  readonly status = 503;
  override readonly retryAfterSeconds = 30;
}

/** Token acquisition outlived its bound (an identity endpoint can hang for minutes). */
export class TokenTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`No token within ${timeoutMs} ms`);
    this.name = 'TokenTimeoutError';
  }
}

/** True when an Azure SDK call failed because the credential could not produce a token. */
export function isCredentialFailure(error: unknown): boolean {
  return (
    error instanceof CredentialUnavailableError ||
    error instanceof AuthenticationError ||
    error instanceof AggregateAuthenticationError ||
    error instanceof TokenTimeoutError
  );
}

/** What to fix when no token comes, given where the app runs. */
export function credentialFix({ env, platform }: AppConfig): string {
  if (platform.hasIdentityEndpoint) {
    return (
      'The App Service managed identity endpoint gave no token: check that the identity is enabled and, ' +
      'for a user-assigned identity, that AZURE_CLIENT_ID is its client id.'
    );
  }
  if (platform.onAppService) {
    return (
      'Managed identity is not enabled on this App Service: turn on the system-assigned identity, or assign a ' +
      'user-assigned one and set AZURE_CLIENT_ID to its client id.'
    );
  }
  const chain = env.AZURE_TOKEN_CREDENTIALS;
  if (chain && chain !== 'dev' && !chain.endsWith('clicredential') && !chain.startsWith('visualstudio')) {
    return (
      `AZURE_TOKEN_CREDENTIALS=${chain} leaves only production credentials, and none is available here: ` +
      'run on Azure with a managed identity, or unset it to use your developer sign-in.'
    );
  }
  return 'No developer sign-in was found: run `az login` (or `azd auth login`), or set AZURE_TOKEN_CREDENTIALS.';
}

/** The first line of the SDK's explanation, bounded: it names what was tried, never a token. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n').find((part) => part.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
