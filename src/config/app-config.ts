import { ConfigValidationError, type Environment } from './environment.js';
import { type BenchLayer, type Policies, policiesWith } from './policies.js';

/** The app's configuration: the validated environment and the policies, grouped by the feature that reads them. */
export interface AppConfig {
  app: {
    nodeEnv: Environment['NODE_ENV'];
    port: number;
    logLevel: Environment['LOG_LEVEL'];
    shutdownGraceMs: number;
    /** Layers switched off for a benchmark (test-only `BENCH_DISABLE`); empty everywhere else. */
    disabledLayers: ReadonlySet<BenchLayer>;
  };
  http: { trustProxyHops: number; requestBudgetMs: number };
  rateLimit: { perClient: number; global: number; redisUrl?: string };
  azure: { managedIdentityClientId?: string; tokenTimeoutMs: number };
  secrets: Policies['secrets'] & { keyVaultUrl?: string; localSecrets: ReadonlyMap<string, string> };
  thirdParty: Omit<Policies['thirdParty'], 'budgetMs'> & {
    endpoint: string;
    apiKeySecretName: string;
    budgetMs: number;
  };
  queue: {
    queueUrl?: string;
    connectionString?: string;
    queueName: string;
    createIfNotExists: boolean;
    messageTtlSeconds: number;
    retry: Omit<Policies['queue'], 'messageTtlSeconds'>;
  };
}

export type AppConfigSection = keyof AppConfig;

/**
 * The longest a queue write can take when every attempt runs into the
 * service's timeout: the SDK waits `(2^(n-1) - 1) * retryDelay` after
 * attempt n (0 after the first).
 */
export function worstCaseQueueWriteMs({ maxTries, tryTimeoutMs, retryDelayMs }: AppConfig['queue']['retry']): number {
  let delays = 0;
  for (let attempt = 1; attempt < maxTries; attempt++) {
    delays += (2 ** (attempt - 1) - 1) * retryDelayMs;
  }
  return maxTries * tryTimeoutMs + delays;
}

/** Builds the configuration; throws `ConfigValidationError` when the timeouts do not nest. */
export function appConfigFrom(
  env: Environment,
  policies: Policies = policiesWith(),
  disabledLayers: ReadonlySet<BenchLayer> = new Set(),
): AppConfig {
  const config: AppConfig = {
    app: {
      nodeEnv: env.NODE_ENV,
      port: env.PORT,
      logLevel: env.LOG_LEVEL,
      shutdownGraceMs: env.SHUTDOWN_GRACE_PERIOD_SECONDS * 1000,
      disabledLayers,
    },
    http: { trustProxyHops: env.TRUST_PROXY, requestBudgetMs: env.REQUEST_BUDGET_MS },
    rateLimit: { perClient: env.RATE_LIMIT_PER_CLIENT, global: env.RATE_LIMIT_GLOBAL, redisUrl: env.REDIS_URL },
    azure: { managedIdentityClientId: env.AZURE_CLIENT_ID, tokenTimeoutMs: policies.tokenTimeoutMs },
    ...dependencySections(env, policies),
  };
  const problems = nestingProblems(config);
  if (problems.length > 0) {
    throw new ConfigValidationError(problems);
  }
  return config;
}

function dependencySections(env: Environment, { secrets, thirdParty, queue }: Policies) {
  const { messageTtlSeconds, ...retry } = queue;
  const localKey = env.THIRD_PARTY_API_KEY;
  return {
    secrets: {
      ...secrets,
      keyVaultUrl: env.KEY_VAULT_URL,
      localSecrets: new Map(localKey === undefined ? [] : [[env.THIRD_PARTY_API_SECRET_NAME, localKey]]),
    },
    thirdParty: {
      ...thirdParty,
      endpoint: env.THIRD_PARTY_API_ENDPOINT,
      apiKeySecretName: env.THIRD_PARTY_API_SECRET_NAME,
      budgetMs: thirdParty.budgetMs ?? env.REQUEST_BUDGET_MS,
    },
    queue: {
      queueUrl: env.STORAGE_QUEUE_URL,
      connectionString: env.AZURE_STORAGE_CONNECTION_STRING,
      queueName: env.STORAGE_QUEUE_NAME,
      createIfNotExists: env.QUEUE_CREATE_IF_NOT_EXISTS,
      messageTtlSeconds,
      retry,
    },
  };
}

/** A queue write's retries must fit in the request's budget, and a Key Vault read includes getting a token. */
function nestingProblems({ http, queue, secrets, azure }: AppConfig): string[] {
  const problems: string[] = [];
  const worstCase = worstCaseQueueWriteMs(queue.retry);
  if (worstCase > http.requestBudgetMs) {
    problems.push(
      `REQUEST_BUDGET_MS (${http.requestBudgetMs} ms) must be at least ${worstCase} ms: the queue write's ` +
        `${queue.retry.maxTries} attempts of up to ${queue.retry.tryTimeoutMs} ms each, with their delays, must fit in it`,
    );
  }
  if (secrets.readTimeoutMs <= azure.tokenTimeoutMs) {
    problems.push(
      `A Key Vault read (${secrets.readTimeoutMs} ms) must be allowed longer than a token request ` +
        `(${azure.tokenTimeoutMs} ms), so a token failure is reported as such, not as a slow vault`,
    );
  }
  return problems;
}
