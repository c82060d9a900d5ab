import { ServiceError } from '../common/service-error.js';

/** The third-party API failed or answered something we cannot use: 502. */
abstract class ThirdPartyError extends ServiceError {
  readonly status: number = 502;
}

export class ThirdPartyKeyRejectedError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_KEY_REJECTED';
}

export class ThirdPartyStatusError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_ERROR';
}

export class ThirdPartyBadResponseError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_BAD_RESPONSE';
}

export class ThirdPartyUnreachableError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_UNREACHABLE';
}

export class ThirdPartyTimeoutError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_TIMEOUT';
  override readonly status = 504;
}
