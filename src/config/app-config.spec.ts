import { appConfigFrom } from './app-config.js';
import { ConfigValidationError, parseEnvironment } from './environment.js';
import { benchDisabledLayers, policiesWith, testPolicyOverrides } from './policies.js';

const AZURE = parseEnvironment({
  NODE_ENV: 'production',
  THIRD_PARTY_API_ENDPOINT: 'https://fn-codes.azurewebsites.net/api/RandomNumber',
  KEY_VAULT_URL: 'https://kv-codes.vault.azure.net/',
  STORAGE_QUEUE_URL: 'https://stcodes.queue.core.windows.net/code-requests',
});

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('appConfigFrom', () => {
  it('groups the settings by feature, with the policies and derived values', () => {
    const config = appConfigFrom(AZURE);
    expect(config.thirdParty).toMatchObject({ budgetMs: 30_000, attemptTimeoutMs: 10_000, maxRetries: 4 });
    expect(config.queue).toMatchObject({ createIfNotExists: true, retry: { maxTries: 3, tryTimeoutMs: 5_000 } });
    expect(config.secrets.localSecrets.size).toBe(0);
    expect(config.app.shutdownGraceMs).toBe(25_000);
  });

  it('refuses a request budget the queue write does not fit in', () => {
    // 3 tries x 5 s plus delays of 0 and 500 ms = 15.5 s.
    const env = { ...AZURE, REQUEST_BUDGET_MS: 15_000 };
    expect(problemsOf(() => appConfigFrom(env))).toEqual([
      expect.stringMatching(/^REQUEST_BUDGET_MS \(15000 ms\) must be at least 15500 ms: the queue write's 3 attempts/),
    ]);
    expect(appConfigFrom({ ...AZURE, REQUEST_BUDGET_MS: 15_500 }).http.requestBudgetMs).toBe(15_500);
    expect(appConfigFrom(env, policiesWith({ queue: { maxTries: 1 } })).queue.retry.maxTries).toBe(1);
  });

  it('wants a Key Vault read to outlast getting its token', () => {
    const policies = policiesWith({ tokenTimeoutMs: 5_000, secrets: { readTimeoutMs: 5_000 } });
    expect(problemsOf(() => appConfigFrom(AZURE, policies))).toEqual([
      expect.stringMatching(/^A Key Vault read \(5000 ms\) must be allowed longer than a token request \(5000 ms\)/),
    ]);
  });
});

describe('testPolicyOverrides', () => {
  const variable = (value: string, extra: object = {}) => ({ TEST_POLICY_OVERRIDES: value, ...extra });

  it('reads nested overrides and leaves the other defaults alone', () => {
    const overrides = testPolicyOverrides(variable('{"queue":{"maxTries":1},"thirdParty":{"retryBaseMs":20}}'));
    expect(policiesWith(overrides as object)).toMatchObject({
      queue: { maxTries: 1, tryTimeoutMs: 5_000 },
      thirdParty: { retryBaseMs: 20, maxRetries: 4 },
    });
    const budget = { perSuccess: 1, minPerSecond: 0, windowMs: 1_000 };
    const budgetOnly = testPolicyOverrides(variable(JSON.stringify({ thirdParty: { retryBudget: budget } })));
    expect(policiesWith(budgetOnly as object).thirdParty).toMatchObject({ retryBudget: budget, retryMaxDelayMs: 500 });
    expect(testPolicyOverrides({})).toEqual({});
  });

  it('names what is wrong with a malformed value', () => {
    expect(testPolicyOverrides(variable('{queue'))).toEqual(['TEST_POLICY_OVERRIDES must be JSON']);
    expect(testPolicyOverrides(variable('{"queue":{"maxTrys":1}}'))).toEqual([
      expect.stringMatching(/^TEST_POLICY_OVERRIDES\.queue: Unrecognized key/),
    ]);
  });

  it('is refused on App Service', () => {
    expect(testPolicyOverrides(variable('{}', { WEBSITE_SITE_NAME: 'app-codes' }))).toEqual([
      expect.stringMatching(/for tests only and is refused on App Service/),
    ]);
  });
});

describe('benchDisabledLayers', () => {
  it('reads the comma-separated layers a benchmark switches off, and refuses unknown names or App Service', () => {
    expect([...(benchDisabledLayers({ BENCH_DISABLE: 'logging, rate-limit' }) as Set<string>)]).toEqual([
      'logging',
      'rate-limit',
    ]);
    expect(benchDisabledLayers({})).toEqual(new Set());
    expect(benchDisabledLayers({ BENCH_DISABLE: 'logging,tracing' })).toEqual([
      expect.stringMatching(/^BENCH_DISABLE names unknown layers \(tracing\): use logging, rate-limit/),
    ]);
    expect(benchDisabledLayers({ BENCH_DISABLE: 'logging', WEBSITE_SITE_NAME: 'app-codes' })).toEqual([
      expect.stringMatching(/refused on App Service/),
    ]);
  });
});
