import { ServiceError } from '../common/service-error.js';

/** What a client is told when the secret cannot be read. */
export const SECRET_DETAIL = 'The service could not read its configuration secret.';

/** A secret could not be read. Always 503: the service cannot work until it can read it again. */
abstract class SecretsError extends ServiceError {
  readonly status = 503;
  override readonly retryAfterSeconds = 30;
}

export class SecretNotFoundError extends SecretsError {
  readonly code = 'SECRET_NOT_FOUND';
}

export class SecretAccessDeniedError extends SecretsError {
  readonly code = 'SECRET_ACCESS_DENIED';
}

export class SecretStoreUnavailableError extends SecretsError {
  readonly code = 'SECRET_STORE_UNAVAILABLE';
}
