import { CredentialUnavailableError } from '@azure/identity';
import { RestError, type SecretClient } from '@azure/keyvault-secrets';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { AppCredential } from '../azure/app-credential.js';
import { KeyVaultSecretSource } from './key-vault-secret-source.js';

const VAULT = 'https://kv-codes.vault.azure.net/';
let credential: StaticTokenCredential;

beforeEach(() => {
  credential = new StaticTokenCredential({
    appid: 'c0ffee00-app',
    xms_mirid: '/subscriptions/s/providers/Microsoft.Web/sites/app-codes',
  });
});

type GetSecret = (name: string, options: { abortSignal: AbortSignal }) => Promise<{ value?: string }>;

function sourceAnswering(answer: GetSecret, readTimeoutMs = 1_000): KeyVaultSecretSource {
  const client = { vaultUrl: VAULT, getSecret: answer } as unknown as SecretClient;
  return new KeyVaultSecretSource(client, new AppCredential(credential, 1_000), readTimeoutMs);
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
    ['a 429', new RestError('Throttled', { statusCode: 429 }), 'SECRET_STORE_UNAVAILABLE', /is throttling the app/],
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

  it('treats an empty secret as not found', async () => {
    await expect(sourceAnswering(() => Promise.resolve({ value: '' })).read('k')).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
    });
  });

  it('does not keep the SDK error, which holds the request and its bearer token', async () => {
    const sdkError = new RestError('Forbidden', { statusCode: 403 });
    const failure = (await failing(sdkError)
      .read('k')
      .catch((e: unknown) => e)) as Error;
    expect(failure.cause).toBeUndefined();
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain('request');
  });

  it('says which identity it authenticates as, from the Key Vault token', async () => {
    const source = sourceAnswering(() => Promise.resolve({ value: 'v' }));
    await expect(source.identity()).resolves.toBe(
      'system-assigned managed identity app-codes (client id c0ffee00-app)',
    );
    expect(credential.calls.map((call) => call.scopes)).toEqual(['https://vault.azure.net/.default']);
  });

  it('explains a credential that cannot produce a token', async () => {
    credential.failure = new CredentialUnavailableError('ManagedIdentityCredential: no endpoint');
    const source = sourceAnswering(() => Promise.resolve({ value: 'v' }));
    await expect(source.identity()).rejects.toMatchObject({
      code: 'CREDENTIAL_UNAVAILABLE',
      hint: expect.stringContaining(`No Microsoft Entra token for Key Vault ${VAULT}`) as string,
    });
  });
});
