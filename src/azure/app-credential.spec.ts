import { CredentialUnavailableError } from '@azure/identity';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { AppCredential } from './app-credential.js';
import { credentialError, isCredentialFailure } from './credential.errors.js';

describe('AppCredential', () => {
  it('passes token requests through to the wrapped credential with an abort signal', async () => {
    const inner = new StaticTokenCredential();
    const credential = new AppCredential(inner, 1_000);
    await expect(credential.getToken('https://storage.azure.com/.default')).resolves.toMatchObject({
      token: expect.any(String) as string,
    });
    expect(inner.calls[0]?.options?.abortSignal).toBeDefined();
  });

  it('bounds a token request that never returns', async () => {
    const inner = new StaticTokenCredential();
    inner.hang = true;
    const credential = new AppCredential(inner, 100);
    const started = Date.now();
    const failure = await credential.getToken('https://vault.azure.net/.default').catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'TokenTimeoutError', timeoutMs: 100 });
    expect(isCredentialFailure(failure)).toBe(true);
    expect(inner.calls[0]?.options?.abortSignal?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('lets a caller abort its own wait', async () => {
    const inner = new StaticTokenCredential();
    inner.hang = true;
    const credential = new AppCredential(inner, 500); // the shared request itself still ends at its own bound
    const caller = new AbortController();
    const waiting = credential.getToken('s', { abortSignal: caller.signal });
    caller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
  });

  it('keeps the outcome of each scope, for readiness, and logs a scope going down once', async () => {
    const inner = new StaticTokenCredential();
    const credential = new AppCredential(inner, 1_000);
    await credential.getToken('https://storage.azure.com/.default');
    inner.failure = new CredentialUnavailableError('no endpoint');
    await expect(credential.getToken('https://vault.azure.net/.default')).rejects.toThrow('no endpoint');
    await expect(credential.getToken('https://vault.azure.net/.default')).rejects.toThrow('no endpoint');
    const states = [...credential.scopes].map(([scope, status]) => [scope, status.state]);
    expect(states).toEqual([
      ['https://storage.azure.com/.default', 'up'],
      ['https://vault.azure.net/.default', 'down'],
    ]);
  });

  it('shares one token request among concurrent callers of the same scope', async () => {
    const inner = new StaticTokenCredential();
    const credential = new AppCredential(inner, 1_000);
    const tokens = await Promise.all([
      credential.getToken('https://storage.azure.com/.default'),
      credential.getToken('https://storage.azure.com/.default'),
      credential.getToken('https://vault.azure.net/.default'),
    ]);
    expect(tokens.every((token) => token !== null)).toBe(true);
    expect(inner.calls.map((call) => call.scopes)).toEqual([
      'https://storage.azure.com/.default',
      'https://vault.azure.net/.default',
    ]);
    await credential.getToken('https://storage.azure.com/.default');
    expect(inner.calls).toHaveLength(3); // later calls go to the wrapped credential (and its cache) again
  });
});

describe('credentialError', () => {
  const failure = new CredentialUnavailableError('ManagedIdentityCredential: endpoint unreachable\nmore detail');

  it.each([
    [
      { IDENTITY_ENDPOINT: 'http://127.0.0.1:41000/msi/token' },
      /managed identity endpoint gave no token.*AZURE_CLIENT_ID/,
    ],
    [{ WEBSITE_SITE_NAME: 'app-codes' }, /Managed identity is not enabled on this App Service/],
    [{ AZURE_TOKEN_CREDENTIALS: 'prod' }, /AZURE_TOKEN_CREDENTIALS=prod leaves only production credentials/],
    [{ AZURE_TOKEN_CREDENTIALS: 'dev' }, /run `az login`/],
    [{}, /run `az login`/],
  ])('tells what to fix where the app runs (%j)', (env, fix) => {
    const error = credentialError('Key Vault https://kv.vault.azure.net/', failure, env);
    expect(error).toMatchObject({ code: 'CREDENTIAL_UNAVAILABLE', status: 503 });
    expect(error.hint).toContain('CredentialUnavailableError: ManagedIdentityCredential: endpoint unreachable)');
    expect(error.hint).toMatch(fix);
  });
});
