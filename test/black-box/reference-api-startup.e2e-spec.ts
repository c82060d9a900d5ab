import { execFile } from 'node:child_process';
import { freePort } from '../../scripts/ports.js';

/** `node reference-api/main.ts` as App Service starts it, with the given REFERENCE_API_KEYS. */
function startReferenceApi(keys: string, port: number) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['reference-api/main.ts'],
      { env: { PATH: process.env.PATH, REFERENCE_API_KEYS: keys, REFERENCE_API_PORT: String(port) }, timeout: 10_000 },
      (error, stdout, stderr) => resolve({ status: error ? (child.exitCode ?? null) : 0, stdout, stderr }),
    );
    child.stdout?.once('data', () => child.kill('SIGTERM')); // it listens: stop it, it started
  });
}

/** The reference API's start-up checks of its keys (the Key Vault reference case is what Azure can hand it). */
describe('reference API start-up', () => {
  it('refuses an unresolved Key Vault reference instead of accepting its text as a key', async () => {
    const reference = '@Microsoft.KeyVault(VaultName=kv-abc;SecretName=third-party-api-key)';
    const run = await startReferenceApi(reference, await freePort());
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('REFERENCE_API_KEYS is an unresolved Key Vault reference');
    expect(run.stderr).toContain('Key Vault Secrets User');
    expect(run.stdout).not.toContain('listening');
  });

  it('refuses a reference among resolved keys too', async () => {
    const run = await startReferenceApi(
      'a-real-key-0123456789,@Microsoft.KeyVault(SecretUri=https://kv-abc.vault.azure.net/secrets/k/)',
      await freePort(),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('unresolved Key Vault reference');
  });

  it('refuses no key at all, and starts with a real one', async () => {
    expect((await startReferenceApi(' , ', await freePort())).stderr).toContain('REFERENCE_API_KEYS is required');
    const started = await startReferenceApi('a-real-key-0123456789', await freePort());
    expect(started.stdout).toContain('Reference third-party API listening');
    expect(started.stderr).toBe('');
  });
});
