import { ManagedIdentityEndpoint } from '../test/doubles/managed-identity-endpoint.js';
import { MONITOR_AUDIENCE } from '../test/doubles/telemetry-ingestion.js';
import { testConfig } from '../test/support/test-config.js';
import { appCredentialFor, MONITOR_SCOPE } from './azure/app-credential.js';
import { reportTelemetry } from './telemetry.js';

describe('reportTelemetry, on App Service', () => {
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

  it('asks a token for Azure Monitor when the connection string names no audience', async () => {
    const config = testConfig();
    // Nothing listens on port 9: the check logs that ingestion could not be reached, after getting its token.
    await reportTelemetry(config, 'InstrumentationKey=k;IngestionEndpoint=http://127.0.0.1:9/');
    expect(endpoint.requests.map((request) => request.resource)).toEqual([MONITOR_AUDIENCE]);
    expect(appCredentialFor(config).scopes.get(MONITOR_SCOPE)?.status.state).toBe('up');
  });
});
