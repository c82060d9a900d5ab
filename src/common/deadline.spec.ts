import { getEventListeners } from 'node:events';
import { ServiceError } from './service-error.js';
import { DeadlineExceededError, untilAborted } from './deadline.js';

const never = () => new Promise<never>(() => undefined);

describe('DeadlineExceededError', () => {
  it('answers 504 REQUEST_TIMEOUT, and tells the operator which step ran out of time', () => {
    const error = new DeadlineExceededError('the Key Vault read');
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      name: 'DeadlineExceededError',
      code: 'REQUEST_TIMEOUT',
      status: 504,
      detail: 'The request could not be completed in time; no code was issued.',
    });
    expect(error.hint).toMatch(/REQUEST_BUDGET_MS\) ran out during the Key Vault read\.$/);
  });
});

describe('untilAborted', () => {
  it('is the promise itself without a signal', async () => {
    const work = Promise.resolve(7);
    expect(untilAborted(work, undefined)).toBe(work);
    await expect(untilAborted(Promise.reject(new Error('failed')), undefined)).rejects.toThrow('failed');
  });

  it('settles as the promise does while the signal has not aborted, and then stops listening to it', async () => {
    const signal = new AbortController().signal;
    await expect(untilAborted(Promise.resolve('done'), signal)).resolves.toBe('done');
    await expect(untilAborted(Promise.reject(new Error('failed')), signal)).rejects.toThrow('failed');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once with the reason of a signal that has already aborted', async () => {
    const signal = AbortSignal.abort(new Error('budget spent'));
    await expect(untilAborted(never(), signal)).rejects.toThrow('budget spent');
    await expect(untilAborted(Promise.resolve('late'), signal)).rejects.toThrow('budget spent');
  });

  it('rejects with the reason as soon as the signal aborts, and leaves no listener behind on work that hangs', async () => {
    const controller = new AbortController();
    const waiting = untilAborted(never(), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('budget spent'));
    await expect(waiting).rejects.toThrow('budget spent');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
