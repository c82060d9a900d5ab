import { LOCAL_ENV } from '../../test/support/test-config.js';
import { AppConfig, loadConfig } from './app-config.js';
import { ConfigValidationError, parseEnvironment } from './environment.js';
import { policiesWith } from './policies.js';

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

  it('knows when it runs on App Service, where no policy override is given', () => {
    const config = loadConfig({ ...LOCAL_ENV, WEBSITE_SITE_NAME: 'app-codes' });
    expect(config.platform).toEqual({ onAppService: true, hasIdentityEndpoint: false });
    expect(config.testPolicies).toBe(false);
  });

  it('takes blank policy overrides as none, on App Service too', () => {
    const config = loadConfig({ ...LOCAL_ENV, TEST_POLICY_OVERRIDES: '  ', WEBSITE_SITE_NAME: 'app-codes' });
    expect(config.policies).toEqual(policiesWith());
    expect(config.testPolicies).toBe(false);
  });

  it('built from an environment alone, holds the default policies and a machine that is not App Service', () => {
    const config = new AppConfig(parseEnvironment(LOCAL_ENV));
    expect(config.policies).toEqual(policiesWith());
    expect(config.platform).toEqual({ onAppService: false, hasIdentityEndpoint: false });
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
    expect(problemsOf({ ...LOCAL_ENV, TEST_POLICY_OVERRIDES: '{"queue":{"maxTries":"x"}}' })).toEqual([
      expect.stringMatching(/^TEST_POLICY_OVERRIDES\.queue\.maxTries: /),
    ]);
    expect(problemsOf({ ...LOCAL_ENV, PORT: 'x' })).toEqual([expect.stringMatching(/^PORT /)]);
    expect(problemsOf({ ...LOCAL_ENV, TEST_POLICY_OVERRIDES: '{}', WEBSITE_SITE_NAME: 'app-codes' })).toEqual([
      expect.stringMatching(/for tests only and is refused on App Service/),
    ]);
  });
});
