import { LOCAL_ENV } from '../../test/support/test-config.js';
import { loadConfig } from './app-config.js';
import { ConfigValidationError } from './environment.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('reads the environment, the default policies and where the app runs', () => {
    const config = loadConfig({ ...LOCAL_ENV, IDENTITY_ENDPOINT: 'http://127.0.0.1:41000/msi/token' });
    expect(config.env.THIRD_PARTY_API_SECRET_NAME).toBe('third-party-api-key');
    expect(config.policies.thirdParty).toMatchObject({ maxRetries: 4, breaker: { minCalls: 10, openMs: 5_000 } });
    expect(config.platform).toEqual({ onAppService: false, hasIdentityEndpoint: true });
    expect(config.testPolicies).toBe(false);
  });

  it('applies test-only policy overrides deeply, leaving the other defaults alone', () => {
    const overrides = { queue: { maxTries: 1 }, thirdParty: { breaker: { minCalls: 1_000 } } };
    const config = loadConfig({ ...LOCAL_ENV, TEST_POLICY_OVERRIDES: JSON.stringify(overrides) });
    expect(config.policies.queue).toMatchObject({ maxTries: 1, tryTimeoutMs: 5_000 });
    expect(config.policies.thirdParty.breaker).toMatchObject({ minCalls: 1_000, threshold: 0.1 });
    expect(config.testPolicies).toBe(true);
  });

  it('lists problems with the overrides beside those of the environment', () => {
    expect(problemsOf({ ...LOCAL_ENV, PORT: 'x', TEST_POLICY_OVERRIDES: '{queue' })).toEqual([
      expect.stringMatching(/^PORT /),
      'TEST_POLICY_OVERRIDES must be JSON',
    ]);
    expect(problemsOf({ ...LOCAL_ENV, TEST_POLICY_OVERRIDES: '{"queue":{"maxTrys":1}}' })).toEqual([
      expect.stringMatching(/^TEST_POLICY_OVERRIDES\.queue: Unrecognized key/),
    ]);
    expect(problemsOf({ ...LOCAL_ENV, TEST_POLICY_OVERRIDES: '{}', WEBSITE_SITE_NAME: 'app-codes' })).toEqual([
      expect.stringMatching(/for tests only and is refused on App Service/),
    ]);
  });
});
