import { ServiceError } from './service-error.js';

/** The request's time budget (REQUEST_BUDGET_MS) ran out before every step was done. No code was issued. */
export class DeadlineExceededError extends ServiceError {
  readonly code = 'REQUEST_TIMEOUT';
  readonly status = 504;

  constructor(step: string) {
    super(
      'The request could not be completed in time; no code was issued.',
      `The request's time budget (REQUEST_BUDGET_MS) ran out during ${step}.`,
    );
  }
}

/** `promise`, or its signal's reason as soon as the signal aborts (the work itself is not cancelled). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) {
    return promise;
  }
  if (signal.aborted) {
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
