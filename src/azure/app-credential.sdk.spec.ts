import { createHttpHeaders, type HttpClient, type PipelineResponse } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { StorageOAuthScopes } from '@azure/storage-queue';
import { REDIS_SCOPE_DEFAULT } from '@redis/entraid';
import { ManagedIdentityEndpoint } from '../../test/doubles/managed-identity-endpoint.js';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { testConfig } from '../../test/support/test-config.js';
import { AppCredential, appCredentialFor, KEY_VAULT_SCOPE, REDIS_SCOPE, STORAGE_SCOPE } from './app-credential.js';

/** An Azure SDK transport that answers without a network: `answer` gets whether the request carries a token. */
function transport(answer: (authorized: boolean) => Omit<PipelineResponse, 'request' | 'headers'> & object) {
  return {
    sendRequest: (request) =>
      Promise.resolve({
        request,
        headers: createHttpHeaders(),
        ...answer(request.headers.has('authorization')),
      }),
  } satisfies HttpClient;
}

const credentialWithScopes = () => new AppCredential(new StaticTokenCredential(), 1_000, 'Run az login.');

describe('the scopes AppCredential keeps each outcome by (what the health checks look up)', () => {
  it('include the one a Key Vault client asks for after the vault challenge', async () => {
    const credential = credentialWithScopes();
    const httpClient = transport((authorized) =>
      authorized
        ? {
            status: 200,
            bodyAsText: JSON.stringify({ id: 'https://kv-codes.vault.azure.net/secrets/k/1', value: 'v' }),
          }
        : {
            status: 401,
            // What Key Vault answers to a request without a token (challenge-based authentication).
            headers: createHttpHeaders({
              'www-authenticate':
                'Bearer authorization="https://login.microsoftonline.com/t", resource="https://vault.azure.net"',
            }),
          },
    );
    const client = new SecretClient('https://kv-codes.vault.azure.net/', credential, { httpClient });
    await expect(client.getSecret('k')).resolves.toMatchObject({ value: 'v' });
    expect([...credential.scopes.keys()]).toEqual([KEY_VAULT_SCOPE]);
  });

  it('include the ones Storage clients and Entra ID authentication to Redis ask for', () => {
    expect(STORAGE_SCOPE).toBe(StorageOAuthScopes);
    expect(REDIS_SCOPE).toBe(REDIS_SCOPE_DEFAULT);
  });
});

describe('appCredentialFor, on App Service', () => {
  const endpoint = new ManagedIdentityEndpoint();
  let environment: Record<string, string> = {};

  beforeAll(async () => {
    await endpoint.start();
    environment = { ...endpoint.environment, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' };
    Object.assign(process.env, environment);
  });

  afterAll(async () => {
    for (const name of Object.keys(environment)) {
      delete process.env[name];
    }
    await endpoint.stop();
  });

  it('asks tokens for the user-assigned identity AZURE_CLIENT_ID names', async () => {
    const clientId = '5d3c1b2a-0000-4000-8000-0000000000aa';
    const credential = appCredentialFor(testConfig({ AZURE_CLIENT_ID: clientId }));
    await credential.getToken(STORAGE_SCOPE);
    expect(endpoint.requests.at(-1)?.clientId).toBe(clientId);
    expect(credential.identityFor(STORAGE_SCOPE)).toMatch(/^user-assigned managed identity /);
  });

  it('asks tokens for the system-assigned identity without AZURE_CLIENT_ID', async () => {
    const credential = appCredentialFor(testConfig());
    await credential.getToken(STORAGE_SCOPE);
    expect(endpoint.requests.at(-1)?.clientId).toBeUndefined();
    expect(credential.identityFor(STORAGE_SCOPE)).toMatch(/^system-assigned managed identity /);
  });
});
