import { CredentialUnavailableError } from '@azure/identity';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { testConfig } from '../../test/support/test-config.js';
import { AppCredential, appCredentialFor } from './app-credential.js';
import { credentialFix, isCredentialFailure } from './credential.errors.js';

const FIX = 'Run az login.';
const VAULT = 'https://vault.azure.net/.default';
const STORAGE = 'https://storage.azure.com/.default';

describe('AppCredential', () => {
  it('passes token requests through with an abort signal and remembers who the token names', async () => {
    const inner = new StaticTokenCredential({ appid: 'app-1', idtyp: 'app', oid: 'oid-1' });
    const credential = new AppCredential(inner, 1_000, FIX);
    await expect(credential.getToken(STORAGE)).resolves.toMatchObject({ token: expect.any(String) as string });
    expect(inner.calls[0]?.options?.abortSignal).toBeDefined();
    expect(credential.identityFor(STORAGE)).toBe('application app-1 (object id oid-1)');
    expect(credential.identityFor(VAULT)).toBeUndefined();
  });

  it('bounds a token request that never returns', async () => {
    const inner = new StaticTokenCredential();
    inner.hang = true;
    const credential = new AppCredential(inner, 100, FIX);
    const failure = await credential.getToken(VAULT).catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'TokenTimeoutError', timeoutMs: 100 });
    expect(isCredentialFailure(failure)).toBe(true);
    expect(inner.calls[0]?.options?.abortSignal?.aborted).toBe(true);
    expect(credential.scopes.get(VAULT)?.status.state).toBe('down');
  });

  it('lets a caller abort its own wait without marking the scope down', async () => {
    const inner = new StaticTokenCredential();
    inner.hang = true;
    const credential = new AppCredential(inner, 5_000, FIX);
    const caller = new AbortController();
    const waiting = credential.getToken(VAULT, { abortSignal: caller.signal });
    caller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    expect(credential.scopes.get(VAULT)?.status.state).toBe('unknown');
  });

  it('keeps the outcome of each scope, for readiness', async () => {
    const inner = new StaticTokenCredential();
    const credential = new AppCredential(inner, 1_000, FIX);
    await credential.getToken(STORAGE);
    inner.failure = new CredentialUnavailableError('no endpoint');
    await expect(credential.getToken(VAULT)).rejects.toThrow('no endpoint');
    const states = [...credential.scopes].map(([scope, { status }]) => [scope, status.state]);
    expect(states).toEqual([
      [STORAGE, 'up'],
      [VAULT, 'down'],
    ]);
  });

  it('keeps one state per set of scopes asked for together', async () => {
    const credential = new AppCredential(new StaticTokenCredential(), 1_000, FIX);
    await credential.getToken([STORAGE, VAULT]);
    expect([...credential.scopes.keys()]).toEqual([`${STORAGE} ${VAULT}`]);
  });

  it('counts a null token as an answer that names nobody', async () => {
    const credential = new AppCredential({ getToken: () => Promise.resolve(null) }, 1_000, FIX);
    await expect(credential.getToken(VAULT)).resolves.toBeNull();
    expect(credential.scopes.get(VAULT)?.status.state).toBe('up');
    expect(credential.identityFor(VAULT)).toBeUndefined();
  });

  it('logs once when a scope goes down, with what to fix, and once when it is back', async () => {
    const logs = new LogCapture();
    Logger.overrideLogger(logs);
    try {
      const inner = new StaticTokenCredential();
      const credential = new AppCredential(inner, 1_000, FIX);
      inner.failure = new CredentialUnavailableError('no endpoint');
      await expect(credential.getToken(VAULT)).rejects.toThrow('no endpoint');
      await expect(credential.getToken(VAULT)).rejects.toThrow('no endpoint');
      inner.failure = undefined;
      await credential.getToken(VAULT);
      expect(logs.lines).toEqual([
        expect.stringMatching(
          `^warn \\[AppCredential\\] Microsoft Entra token for ${VAULT} is down: No Microsoft Entra token \\(CredentialUnavailableError.*${FIX}$`,
        ),
        expect.stringMatching(`^log \\[AppCredential\\] Microsoft Entra token for ${VAULT} is up again`),
      ]);
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });

  it('explains a failure with what was tried and what to fix, never more than the first line', () => {
    const credential = new AppCredential(new StaticTokenCredential(), 1_000, FIX);
    const failure = new CredentialUnavailableError('ManagedIdentityCredential: endpoint unreachable\nmore detail');
    const error = credential.explain('Key Vault https://kv.vault.azure.net/', failure);
    expect(error).toMatchObject({ code: 'CREDENTIAL_UNAVAILABLE', status: 503, retryAfterSeconds: 30 });
    expect(error.hint).toBe(
      'No Microsoft Entra token for Key Vault https://kv.vault.azure.net/ (CredentialUnavailableError: ' +
        `ManagedIdentityCredential: endpoint unreachable). ${FIX}`,
    );
  });

  it('explains a thrown value that is not an Error', () => {
    const credential = new AppCredential(new StaticTokenCredential(), 1_000, FIX);
    expect(credential.explain('Key Vault', 'no answer').hint).toBe(
      `No Microsoft Entra token for Key Vault (unknown error: no answer). ${FIX}`,
    );
  });
});

describe('appCredentialFor', () => {
  it('is one credential per configuration, which tells what to fix where the app runs', () => {
    const config = testConfig();
    const credential = appCredentialFor(config);
    expect(appCredentialFor(config)).toBe(credential);
    expect(appCredentialFor(testConfig())).not.toBe(credential);
    expect(credential.explain('', new Error('x')).hint).toBe(
      `No Microsoft Entra token (Error: x). ${credentialFix(config)}`,
    );
  });
});

describe('credentialFix', () => {
  const fixFor = (platform: { onAppService?: boolean; hasIdentityEndpoint?: boolean }, chain?: string) =>
    credentialFix(
      testConfig(
        chain ? { AZURE_TOKEN_CREDENTIALS: chain } : {},
        {},
        {
          onAppService: false,
          hasIdentityEndpoint: false,
          ...platform,
        },
      ),
    );

  it('tells what to fix where the app runs', () => {
    expect(fixFor({ hasIdentityEndpoint: true, onAppService: true })).toMatch(
      /managed identity endpoint gave no token.*AZURE_CLIENT_ID/,
    );
    expect(fixFor({ onAppService: true })).toMatch(/Managed identity is not enabled on this App Service/);
    expect(fixFor({}, 'prod')).toMatch(/AZURE_TOKEN_CREDENTIALS=prod leaves only production credentials/);
    expect(fixFor({}, 'dev')).toMatch(/run `az login`/);
    expect(fixFor({}, 'azureclicredential')).toMatch(/run `az login`/);
    expect(fixFor({})).toMatch(/run `az login`/);
  });
});
