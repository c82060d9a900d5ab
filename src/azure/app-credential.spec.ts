import { CredentialUnavailableError } from '@azure/identity';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { AppCredential, describeTokenIdentity } from './app-credential.js';
import { credentialError, isCredentialFailure } from './credential.errors.js';
import { mintJwt } from '../../test/doubles/jwt.js';

const claims = (extra: object) =>
  mintJwt({
    aud: 'https://vault.azure.net',
    iss: 'https://sts.windows.net/t/',
    tid: 't',
    oid: 'object-1',
    appid: 'client-1',
    idtyp: 'app',
    iat: 0,
    nbf: 0,
    exp: 1,
    ...extra,
  });

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

  it('honours the caller’s own abort signal too', async () => {
    const inner = new StaticTokenCredential();
    const credential = new AppCredential(inner, 10_000);
    const caller = new AbortController();
    await credential.getToken('s', { abortSignal: caller.signal });
    caller.abort();
    expect(inner.calls[0]?.options?.abortSignal?.aborted).toBe(true);
  });
});

describe('describeTokenIdentity', () => {
  it.each([
    [
      {
        xms_mirid:
          '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-codes',
      },
      'user-assigned managed identity id-codes (client id client-1)',
    ],
    [
      { xms_mirid: '/subscriptions/s/providers/Microsoft.Web/sites/app-codes' },
      'system-assigned managed identity app-codes (client id client-1)',
    ],
    [{ idtyp: 'user', upn: 'dev@contoso.com' }, 'user dev@contoso.com'],
    [{}, 'application client-1 (object id object-1)'],
  ])('describes %j', (extra, expected) => {
    expect(describeTokenIdentity(claims(extra))).toBe(expected);
  });

  it('copes with a token that is not a JWT, without echoing it', () => {
    expect(describeTokenIdentity('opaque-token-value')).toBe('an identity whose token is not a JWT');
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
