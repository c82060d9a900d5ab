import { ConfigValidationError, parseEnvironment } from './environment.js';

const LOCAL = {
  THIRD_PARTY_API_ENDPOINT: 'http://127.0.0.1:7071/api/RandomNumber',
  THIRD_PARTY_API_KEY: 'local-key-0c1d',
  AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};
const AZURE = {
  NODE_ENV: 'production',
  THIRD_PARTY_API_ENDPOINT: 'https://fn-codes.azurewebsites.net/api/RandomNumber',
  KEY_VAULT_URL: 'https://kv-codes.vault.azure.net/',
  STORAGE_QUEUE_URL: 'https://stcodes.queue.core.windows.net/code-requests',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected the environment to be rejected');
}

describe('parseEnvironment', () => {
  it('applies the documented defaults', () => {
    expect(parseEnvironment(LOCAL)).toMatchObject({
      NODE_ENV: 'development',
      PORT: 8080,
      THIRD_PARTY_API_SECRET_NAME: 'third-party-api-key',
      STORAGE_QUEUE_NAME: 'code-requests',
      QUEUE_CREATE_IF_NOT_EXISTS: true,
      REQUEST_BUDGET_MS: 30_000,
      RATE_LIMIT_PER_CLIENT: 60,
    });
  });

  it('accepts the production contract without any key or connection string', () => {
    expect(parseEnvironment(AZURE)).toMatchObject({ NODE_ENV: 'production', KEY_VAULT_URL: AZURE.KEY_VAULT_URL });
  });

  it('lists every problem at once, each naming its variable and how to fix it', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', AZURE_CLIENT_ID: 'me' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT /),
        expect.stringMatching(/^LOG_LEVEL must be fatal, error/),
        expect.stringMatching(/^AZURE_CLIENT_ID must be the client id/),
        expect.stringMatching(/^THIRD_PARTY_API_ENDPOINT is required: set it to/),
        expect.stringMatching(
          /^STORAGE_QUEUE_URL is required: set it to https:\/\/<account>.* AZURE_STORAGE_CONNECTION_STRING/,
        ),
        expect.stringMatching(/^KEY_VAULT_URL is required: set it to https:\/\/<vault-name>.* THIRD_PARTY_API_KEY/),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('refuses the local key fallback in production', () => {
    const env = { ...LOCAL, NODE_ENV: 'production' };
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^KEY_VAULT_URL is required when NODE_ENV=production/)]);
    expect(parseEnvironment({ ...env, KEY_VAULT_URL: AZURE.KEY_VAULT_URL }).NODE_ENV).toBe('production');
  });

  it('refuses to send the key over plain http to another machine in production', () => {
    const remote = { ...AZURE, THIRD_PARTY_API_ENDPOINT: 'http://fn-codes.azurewebsites.net/api/RandomNumber' };
    expect(problemsOf(remote)).toEqual([expect.stringMatching(/^THIRD_PARTY_API_ENDPOINT must use https/)]);
    const loopback = { ...AZURE, THIRD_PARTY_API_ENDPOINT: 'http://127.0.0.1:7071/api/RandomNumber' };
    expect(parseEnvironment(loopback).THIRD_PARTY_API_ENDPOINT).toBe(loopback.THIRD_PARTY_API_ENDPOINT);
    expect(parseEnvironment({ ...remote, NODE_ENV: 'development' })).toBeDefined();
    for (const host of ['localhost', '[::1]']) {
      const local = { ...AZURE, THIRD_PARTY_API_ENDPOINT: `http://${host}:7071/api/RandomNumber` };
      expect(parseEnvironment(local).THIRD_PARTY_API_ENDPOINT).toBe(local.THIRD_PARTY_API_ENDPOINT);
    }
  });

  it('in production, reports a URL that does not parse once, as the variable it is', () => {
    expect(problemsOf({ ...AZURE, THIRD_PARTY_API_ENDPOINT: 'fn-codes' })).toEqual([
      expect.stringMatching(/^THIRD_PARTY_API_ENDPOINT must be an absolute http\(s\) URL/),
    ]);
    expect(problemsOf({ ...AZURE, REDIS_URL: 'cache 10000' })).toEqual([
      expect.stringMatching(/^REDIS_URL must be a redis URL/),
    ]);
  });

  it('refuses a Redis password or plain-text Redis in production, where the identity authenticates over TLS', () => {
    const withPassword = { ...AZURE, REDIS_URL: 'rediss://:s3cret-pass-0c1d@cache.westeurope.redis.azure.net:10000' };
    expect(problemsOf(withPassword)).toEqual([
      expect.stringMatching(/^REDIS_URL must not carry a password.*authenticates to Redis with its managed identity/),
    ]);
    expect(problemsOf(withPassword).join()).not.toContain('s3cret');
    const plain = { ...AZURE, REDIS_URL: 'redis://cache.westeurope.redis.azure.net:10000' };
    expect(problemsOf(plain)).toEqual(['REDIS_URL must use rediss:// (TLS) when NODE_ENV=production']);
    const entra = { ...AZURE, REDIS_URL: 'rediss://cache.westeurope.redis.azure.net:10000' };
    expect(parseEnvironment(entra).REDIS_URL).toBe(entra.REDIS_URL);
    expect(parseEnvironment({ ...LOCAL, REDIS_URL: 'redis://:dev-pass-0c1d@127.0.0.1:6379' }).REDIS_URL).toBeDefined();
    expect(problemsOf({ ...LOCAL, REDIS_URL: 'https://cache.example' })).toEqual([
      expect.stringMatching(/^REDIS_URL must be a redis URL/),
    ]);
  });

  it('rejects an http Key Vault URL and an unknown AZURE_TOKEN_CREDENTIALS', () => {
    const problems = problemsOf({ ...AZURE, KEY_VAULT_URL: 'http://kv.local/', AZURE_TOKEN_CREDENTIALS: 'magic' });
    expect(problems).toEqual([
      expect.stringMatching(/^AZURE_TOKEN_CREDENTIALS must be one of dev, prod, /),
      expect.stringMatching(/^KEY_VAULT_URL must be an https URL/),
    ]);
    expect(parseEnvironment({ ...AZURE, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' })).toBeDefined();
  });

  it('treats blank values as unset and never echoes a value back', () => {
    const secret = 'Sup3r-Secret-Value';
    const problems = problemsOf({ ...LOCAL, THIRD_PARTY_API_ENDPOINT: ' ', RATE_LIMIT_GLOBAL: secret });
    expect(problems).toEqual([
      expect.stringMatching(/^RATE_LIMIT_GLOBAL /),
      expect.stringMatching(/^THIRD_PARTY_API_ENDPOINT is required/),
    ]);
    expect(problems.join('\n')).not.toContain(secret);
    expect(parseEnvironment({ ...LOCAL, PORT: undefined }).PORT).toBe(8080);
  });
});

describe('ConfigValidationError', () => {
  it('tells the operator how many problems there are, one per line', () => {
    const error = new ConfigValidationError(['PORT must be a whole number', 'STORAGE_QUEUE_URL is required']);
    expect(error.message).toBe(
      'Invalid configuration (2 problems):\n  - PORT must be a whole number\n  - STORAGE_QUEUE_URL is required',
    );
    expect(new ConfigValidationError(['PORT must be a whole number']).message).toBe(
      'Invalid configuration (1 problem):\n  - PORT must be a whole number',
    );
    expect(error.name).toBe('ConfigValidationError');
  });
});
