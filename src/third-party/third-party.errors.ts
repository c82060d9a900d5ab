import { ServiceError } from '../common/service-error.js';

/** What a client is told about each kind of third-party failure. */
export const THIRD_PARTY_DETAIL = {
  failed: 'The upstream number service failed.',
  unusable: 'The upstream number service sent an unusable answer.',
  late: 'The upstream number service did not answer in time.',
  paused: 'The upstream number service is failing; calls are paused for a moment.',
  busy: 'Too many upstream calls are in flight; try again shortly.',
  throttled: 'The upstream number service asked for a pause; try again later.',
};

/** The third-party API failed or answered something we cannot use: 502. */
abstract class ThirdPartyError extends ServiceError {
  readonly status: number = 502;
}

export class ThirdPartyKeyRejectedError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_KEY_REJECTED';
}

export class ThirdPartyStatusError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_ERROR';

  constructor(
    detail: string,
    hint: string,
    /** The third party's HTTP status. */
    readonly upstreamStatus: number,
    /** Its Retry-After, in milliseconds, when it sent one. */
    readonly upstreamRetryAfterMs?: number,
  ) {
    super(detail, hint);
  }
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

/** The bulkhead is full: too many third-party calls in flight on this instance. */
export class ThirdPartyBusyError extends ThirdPartyError {
  readonly code = 'THIRD_PARTY_BUSY';
  override readonly status = 503;
  override readonly retryAfterSeconds = 1;
}

/** Third-party calls are paused for a while: 503 with `Retry-After`. */
abstract class ThirdPartyPausedError extends ThirdPartyError {
  override readonly status = 503;

  constructor(
    detail: string,
    hint: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(detail, hint);
  }
}

/** The circuit breaker is open: the third party failed too often. */
export class ThirdPartyCircuitOpenError extends ThirdPartyPausedError {
  readonly code = 'THIRD_PARTY_CIRCUIT_OPEN';
}

/** The third party asked for a longer wait (Retry-After) than a caller's request should spend. */
export class ThirdPartyThrottledError extends ThirdPartyPausedError {
  readonly code = 'THIRD_PARTY_THROTTLED';
}
