import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const BIN = resolve('test-output', 'provision-hooks-bin');
const AZD_LOG = join(BIN, 'azd.log');
const RECOVERED = join(BIN, 'recovered');
const KEY = 'first-key-0123456789-abcdef';

/**
 * Stand-ins for the CLIs the hooks call. `azd` records its arguments; `az` answers as Azure would for the
 * resources named by FAKE_* variables (an absent resource group gives ResourceGroupNotFound, as az does). A secret
 * soft-deleted (FAKE_DELETED_SECRET) is invisible to ARM until `az keyvault secret recover` brings it back.
 */
const FAKE_AZD = `#!/bin/sh
printf '%s\\n' "$*" >> "${AZD_LOG}"
`;
const FAKE_AZ = `#!/bin/sh
if [ -n "\${FAKE_AZ_ERROR:-}" ]; then echo "$FAKE_AZ_ERROR" >&2; exit 1; fi
if [ -z "\${FAKE_VAULT:-}" ]; then echo "ERROR: (ResourceGroupNotFound) Resource group 'rg-x' could not be found." >&2; exit 3; fi
case "$*" in
"resource list"*Microsoft.KeyVault/vaults*) echo "$FAKE_VAULT" ;;
"resource show"*"--parent vaults/$FAKE_VAULT"*"--name third-party-api-key"*)
  if [ -n "\${FAKE_SECRET:-}" ] || [ -f "${RECOVERED}" ]; then echo third-party-api-key; else echo "ERROR: (ResourceNotFound) not found" >&2; exit 3; fi ;;
"keyvault secret show-deleted --vault-name $FAKE_VAULT --name third-party-api-key"*)
  if [ -n "\${FAKE_KV_ERROR:-}" ]; then echo "$FAKE_KV_ERROR" >&2; exit 1; fi
  if [ -n "\${FAKE_DELETED_SECRET:-}" ] && [ ! -f "${RECOVERED}" ]; then echo "https://$FAKE_VAULT.vault.azure.net/deletedsecrets/third-party-api-key"
  else echo "ERROR: (SecretNotFound) Deleted Secret not found: third-party-api-key" >&2; exit 3; fi ;;
"keyvault secret recover --vault-name $FAKE_VAULT --name third-party-api-key"*)
  if [ -n "\${FAKE_RECOVER_ERROR:-}" ]; then echo "$FAKE_RECOVER_ERROR" >&2; exit 1; fi
  touch "${RECOVERED}"; echo "https://$FAKE_VAULT.vault.azure.net/secrets/third-party-api-key" ;;
"resource list"*"'app'"*) echo app-abc ;;
"resource list"*"'reference-api'"*) echo app-ref-abc ;;
"webapp config show"*"--name app-abc"*) echo "DOCKER|\${FAKE_APP_IMAGE:-mcr.microsoft.com/appsvc/staticsite:latest}" ;;
"webapp config show"*"--name app-ref-abc"*) echo "DOCKER|mcr.microsoft.com/appsvc/staticsite:latest" ;;
*) echo "unexpected: az $*" >&2; exit 2 ;;
esac
`;

/** Runs a hook as azd does (sh, the environment's values in the process environment). */
function hook(name: string, env: Record<string, string>) {
  rmSync(AZD_LOG, { force: true });
  rmSync(RECOVERED, { force: true });
  return new Promise<{ status: number; output: string; azdCalls: string[] }>((done) => {
    execFile(
      'sh',
      [`infra/hooks/${name}.sh`],
      { env: { PATH: `${BIN}:${process.env.PATH ?? ''}`, AZURE_ENV_NAME: 'codes-dev', ...env } },
      (error, stdout, stderr) => {
        let azdCalls: string[] = [];
        try {
          azdCalls = readFileSync(AZD_LOG, 'utf8').split('\n').slice(0, -1);
        } catch {
          // no azd call
        }
        done({ status: error ? Number(error.code) : 0, output: stdout + stderr, azdCalls });
      },
    );
  });
}

describe('the azd hooks', () => {
  beforeAll(() => {
    mkdirSync(BIN, { recursive: true });
    writeFileSync(join(BIN, 'azd'), FAKE_AZD);
    writeFileSync(join(BIN, 'az'), FAKE_AZ);
    chmodSync(join(BIN, 'azd'), 0o755);
    chmodSync(join(BIN, 'az'), 0o755);
  });

  afterAll(() => rmSync(BIN, { recursive: true, force: true }));

  describe('preprovision', () => {
    it('on a first provision: picks a name suffix, and lets the Bicep write the key', async () => {
      const run = await hook('preprovision', { THIRD_PARTY_API_KEY: KEY });
      expect(run.status).toBe(0);
      expect(run.azdCalls[0]).toMatch(/^env set AZURE_RESOURCE_SUFFIX [0-9a-f]{8}$/);
      expect(run.azdCalls.slice(1)).toEqual([
        'env set THIRD_PARTY_API_SECRET_EXISTS false',
        'env set SERVICE_APP_IMAGE_NAME ',
        'env set SERVICE_REFERENCE_API_IMAGE_NAME ',
      ]);
      expect(run.output).not.toContain(KEY);
    });

    it('on a first provision without a key: stops and says how to give one', async () => {
      for (const env of [{}, { THIRD_PARTY_API_KEY: 'too-short' }] as Record<string, string>[]) {
        const run = await hook('preprovision', { AZURE_RESOURCE_SUFFIX: 'a1b2c3d4', ...env });
        expect(run.status).toBe(1);
        expect(run.output).toContain(
          'the first provision stores the third-party key in Key Vault: export THIRD_PARTY_API_KEY',
        );
      }
    });

    it('in a pipeline without the suffix of the environment: stops instead of creating a second deployment', async () => {
      const run = await hook('preprovision', { CI: 'true', THIRD_PARTY_API_KEY: KEY });
      expect(run.status).toBe(1);
      expect(run.output).toContain('Set the pipeline variable AZURE_RESOURCE_SUFFIX');
      expect(run.azdCalls).toEqual([]);
    });

    it('on a later provision: keeps the suffix, the key (rotation owns it) and the running images', async () => {
      const image = 'crabc.azurecr.io/azure-integrated-auth/app-codes-dev:azd-deploy-1767225600';
      const run = await hook('preprovision', {
        CI: 'true',
        AZURE_RESOURCE_SUFFIX: 'a1b2c3d4',
        THIRD_PARTY_API_KEY: KEY,
        FAKE_VAULT: 'kv-abc',
        FAKE_SECRET: 'yes',
        FAKE_APP_IMAGE: image,
      });
      expect(run.status).toBe(0);
      expect(run.azdCalls).toEqual([
        'env set THIRD_PARTY_API_SECRET_EXISTS true',
        `env set SERVICE_APP_IMAGE_NAME ${image}`,
        'env set SERVICE_REFERENCE_API_IMAGE_NAME ', // still on the placeholder: nothing to keep
      ]);
      expect(run.output).toContain('THIRD_PARTY_API_KEY is not written');
      expect(run.output).not.toContain(KEY);
    });

    it('writes the key again when the vault exists without it', async () => {
      const run = await hook('preprovision', {
        AZURE_RESOURCE_SUFFIX: 'a1b2c3d4',
        THIRD_PARTY_API_KEY: KEY,
        FAKE_VAULT: 'kv-abc',
      });
      expect(run.status).toBe(0);
      expect(run.azdCalls).toContain('env set THIRD_PARTY_API_SECRET_EXISTS false');
    });

    it('recovers a soft-deleted key instead of letting the provision fail on its name (409 Conflict)', async () => {
      const run = await hook('preprovision', {
        AZURE_RESOURCE_SUFFIX: 'a1b2c3d4',
        FAKE_VAULT: 'kv-abc',
        FAKE_DELETED_SECRET: 'yes',
      });
      expect(run.status).toBe(0);
      expect(run.azdCalls).toContain('env set THIRD_PARTY_API_SECRET_EXISTS true');
      expect(run.output).toContain('recovered the soft-deleted third-party-api-key in kv-abc');
    });

    it('stops with the exact command when a soft-deleted key cannot be recovered', async () => {
      const run = await hook('preprovision', {
        AZURE_RESOURCE_SUFFIX: 'a1b2c3d4',
        THIRD_PARTY_API_KEY: KEY,
        FAKE_VAULT: 'kv-abc',
        FAKE_DELETED_SECRET: 'yes',
        FAKE_RECOVER_ERROR: 'ERROR: (Forbidden) Caller is not authorized to perform action on resource.',
      });
      expect(run.status).toBe(1);
      expect(run.output).toContain('az keyvault secret recover --vault-name kv-abc --name third-party-api-key');
      expect(run.output).toContain('(Forbidden) Caller is not authorized');
      expect(run.azdCalls).toEqual([]);
    });

    it('lets the Bicep write the key when Key Vault cannot say whether it is soft-deleted, with the command if it is', async () => {
      const run = await hook('preprovision', {
        AZURE_RESOURCE_SUFFIX: 'a1b2c3d4',
        THIRD_PARTY_API_KEY: KEY,
        FAKE_VAULT: 'kv-abc',
        FAKE_KV_ERROR:
          'ERROR: (ForbiddenByConnection) Public network access is disabled and request is not from a trusted service.',
      });
      expect(run.status).toBe(0);
      expect(run.azdCalls).toContain('env set THIRD_PARTY_API_SECRET_EXISTS false');
      expect(run.output).toContain(
        'recover it with: az keyvault secret recover --vault-name kv-abc --name third-party-api-key',
      );
    });

    it('stops when Azure cannot be read, rather than guess that nothing exists', async () => {
      const run = await hook('preprovision', {
        AZURE_RESOURCE_SUFFIX: 'a1b2c3d4',
        THIRD_PARTY_API_KEY: KEY,
        FAKE_AZ_ERROR: "ERROR: Please run 'az login' to setup account.",
      });
      expect(run.status).toBe(1);
      expect(run.output).toContain('is the Azure CLI signed in? az login');
      expect(run.azdCalls).toEqual([]);
    });
  });

  it('postdown gives the next provision a new suffix, so no name collides with the soft-deleted vault', async () => {
    const first = await hook('postdown', { AZURE_RESOURCE_SUFFIX: 'a1b2c3d4' });
    const second = await hook('postdown', { AZURE_RESOURCE_SUFFIX: 'a1b2c3d4' });
    expect(first.status).toBe(0);
    const suffixes = [...first.azdCalls, ...second.azdCalls].map(
      (call) => /^env set AZURE_RESOURCE_SUFFIX ([0-9a-f]{8})$/.exec(call)?.[1],
    );
    expect(suffixes).toHaveLength(2);
    expect(new Set([...suffixes, 'a1b2c3d4', undefined]).size).toBe(4);
  });

  it('postdeploy prints where the app is and how to watch it, and nothing secret', async () => {
    const secrets = {
      THIRD_PARTY_API_KEY: KEY,
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-4000-8000-0000000000aa;IngestionEndpoint=x',
      AZURE_CLIENT_ID: '6f1c2a3b-0000-4000-8000-0000000000bb',
      STORAGE_QUEUE_URL: 'https://stabc.queue.core.windows.net/code-requests',
    };
    const run = await hook('postdeploy', { SERVICE_APP_URI: 'https://app-abc.azurewebsites.net/', ...secrets });
    expect(run.status).toBe(0);
    expect(run.output).toContain('App:       https://app-abc.azurewebsites.net\n');
    expect(run.output).toContain('API docs:  https://app-abc.azurewebsites.net/docs\n');
    expect(run.output).toContain('azd monitor --overview');
    for (const value of Object.values(secrets)) {
      expect(run.output).not.toContain(value);
    }
    expect(run.azdCalls).toEqual([]);
  });
});
