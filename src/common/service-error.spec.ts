import { describeError, MethodNotAllowedError, operatorMessage, ServiceError } from './service-error.js';

class QuotaSpentError extends ServiceError {
  readonly code = 'QUOTA_SPENT';
  readonly status = 429;
}

describe('ServiceError', () => {
  it('is named after its class and shows its detail', () => {
    const error = new QuotaSpentError('Try again tomorrow.', 'Quota of tenant t spent.');
    expect(error).toMatchObject({
      name: 'QuotaSpentError',
      message: 'Try again tomorrow.',
      detail: 'Try again tomorrow.',
      hint: 'Quota of tenant t spent.',
    });
  });
});

describe('MethodNotAllowedError', () => {
  it('answers 405 with the allowed methods in its detail and in an Allow header', () => {
    const error = new MethodNotAllowedError(['GET', 'HEAD']);
    expect(error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405, name: 'MethodNotAllowedError' });
    expect(error.detail).toBe('This resource allows GET, HEAD only.');
    expect(error.headers).toEqual({ Allow: 'GET, HEAD' });
  });
});

describe('operatorMessage', () => {
  it('is the hint of our errors, or their detail when they have none', () => {
    expect(operatorMessage(new QuotaSpentError('Try again tomorrow.', 'Quota of tenant t spent.'))).toBe(
      'Quota of tenant t spent.',
    );
    expect(operatorMessage(new QuotaSpentError('Try again tomorrow.'))).toBe('Try again tomorrow.');
  });

  it('is a summary without the message for other errors', () => {
    expect(operatorMessage(new TypeError('Bearer eyJ... leaked'))).toBe('TypeError');
  });
});

describe('describeError', () => {
  const failure = (props: object) => Object.assign(new Error('Authorization: Bearer secret-token'), props);

  it('names the error, its HTTP status and its code, never its message', () => {
    expect(describeError(failure({ name: 'RestError', statusCode: 403, code: 'Forbidden' }))).toBe(
      'RestError HTTP 403 Forbidden',
    );
  });

  it('leaves out a status that is not a number and a code that is empty or not a string', () => {
    expect(describeError(failure({ statusCode: '403', code: '' }))).toBe('Error');
    expect(describeError(failure({ code: 42 }))).toBe('Error');
    expect(describeError(failure({ code: 'ECONNRESET' }))).toBe('Error ECONNRESET');
  });

  it('says "unknown error" of a thrown value that is not an Error', () => {
    expect(describeError('Bearer secret-token')).toBe('unknown error');
    expect(describeError(undefined)).toBe('unknown error');
  });
});
