import { CredentialUnavailableError } from '@azure/identity';
import { RestError, type SecretClient } from '@azure/keyvault-secrets';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { AppCredential } from '../azure/app-credential.js';
import { KeyVaultSecretSource } from './key-vault-secret-source.js';

const VAULT = 'https://kv-codes.vault.azure.net/';
type GetSecret = (name: string, options: { abortSignal: AbortSignal }) => Promise<{ value?: string }>;

function sourceAnswering(answer: GetSecret, readTimeoutMs = 1_000): KeyVaultSecretSource {
  const client = { vaultUrl: VAULT, getSecret: answer } as unknown as SecretClient;
  return new KeyVaultSecretSource(
    client,
    new AppCredential(new StaticTokenCredential(), 1_000, 'Run az login.'),
    readTimeoutMs,
  );
}

/** Every object reachable from `root` through its own properties, hidden ones included. */
function reachable(root: object, seen = new Set<object>()): object[] {
  if (seen.has(root)) {
    return [];
  }
  seen.add(root);
  for (const name of Object.getOwnPropertyNames(root)) {
    const value: unknown = (root as Record<string, unknown>)[name];
    if (typeof value === 'object' && value !== null) {
      reachable(value, seen);
    }
  }
  return [...seen];
}

const failing = (error: Error) => sourceAnswering(() => Promise.reject(error));

describe('KeyVaultSecretSource', () => {
  it('returns the secret value', async () => {
    await expect(sourceAnswering(() => Promise.resolve({ value: 'v1' })).read('k')).resolves.toBe('v1');
  });

  it.each([
    [
      '404',
      new RestError('SecretNotFound', { statusCode: 404, code: 'SecretNotFound' }),
      'SECRET_NOT_FOUND',
      /create it/,
    ],
    [
      '403',
      new RestError('Forbidden', { statusCode: 403, code: 'Forbidden' }),
      'SECRET_ACCESS_DENIED',
      /Key Vault Secrets User/,
    ],
    [
      'a credential failure',
      new CredentialUnavailableError('no identity'),
      'CREDENTIAL_UNAVAILABLE',
      /CredentialUnavailableError: no identity\)\. /,
    ],
    ['a 503', new RestError('busy', { statusCode: 503 }), 'SECRET_STORE_UNAVAILABLE', /HTTP 503/],
    [
      'a 429',
      new RestError('Throttled', { statusCode: 429 }),
      'SECRET_STORE_UNAVAILABLE',
      /is throttling the app.*Key Vault limits/,
    ],
    [
      'a network error',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'SECRET_STORE_UNAVAILABLE',
      /ECONNREFUSED/,
    ],
  ])('translates %s into %s with a hint that says what to fix', async (_case, error, code, hint) => {
    const failure = (await failing(error)
      .read('third-party-api-key')
      .catch((e: unknown) => e)) as {
      code: string;
      status: number;
      hint: string;
    };
    expect(failure).toMatchObject({ code, status: 503 });
    expect(failure.hint).toMatch(hint);
    expect(failure.hint).toContain(VAULT);
  });

  it('gives up on a read that does not finish within its timeout, SDK retries included', async () => {
    let signal: AbortSignal | undefined;
    const hanging = sourceAnswering(
      (_name, options) =>
        new Promise((_resolve, reject) => {
          signal = options.abortSignal;
          signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
        }),
      50,
    );
    const started = Date.now();
    await expect(hanging.read('k')).rejects.toMatchObject({
      code: 'SECRET_STORE_UNAVAILABLE',
      hint: expect.stringMatching(/took longer than 50 ms, the SDK's retries included/) as string,
    });
    expect(signal?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it.each(['', undefined])('treats a secret without a value (%p) as not found, saying which one', async (value) => {
    await expect(sourceAnswering(() => Promise.resolve({ value })).read('k')).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
      hint: expect.stringContaining(`Secret "k" in Key Vault ${VAULT} has no value`) as string,
    });
  });

  it('does not keep the SDK error, which holds the request and its bearer token', async () => {
    const bearer = 'Bearer eyJ0eXAiOiJKV1Qi.kv-token-body';
    const request = createPipelineRequest({
      url: `${VAULT}secrets/k/`,
      headers: createHttpHeaders({ authorization: bearer }),
    });
    const sdkError = new RestError('Forbidden', { statusCode: 403, request });
    const failure = (await failing(sdkError)
      .read('k')
      .catch((e: unknown) => e)) as Error;
    expect(failure.cause).toBeUndefined();
    expect(reachable(failure).filter((value) => value === request || value === sdkError)).toEqual([]);
  });
});
