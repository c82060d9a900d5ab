import type { z } from 'zod';
import { environmentShape } from './environment.schema.js';

type RawEnvironment = Record<string, string>;

/** Rules that involve more than one variable, reported with the per-variable problems. */
function crossFieldProblems(env: RawEnvironment): string[] {
  const problems: string[] = [];
  if (!env.STORAGE_QUEUE_URL && !env.AZURE_STORAGE_CONNECTION_STRING) {
    problems.push(
      'STORAGE_QUEUE_URL is required: set it to https://<account>.queue.core.windows.net/<queue> ' +
        '(or, for local development only, set AZURE_STORAGE_CONNECTION_STRING)',
    );
  }
  const production = env.NODE_ENV === 'production';
  if (!env.KEY_VAULT_URL && !env.THIRD_PARTY_API_KEY) {
    problems.push(
      'KEY_VAULT_URL is required: set it to https://<vault-name>.vault.azure.net/ ' +
        '(or, for local development only, set THIRD_PARTY_API_KEY)',
    );
  } else if (!env.KEY_VAULT_URL && production) {
    problems.push(
      'KEY_VAULT_URL is required when NODE_ENV=production: the THIRD_PARTY_API_KEY fallback is for local development',
    );
  }
  if (production && sendsKeyInClear(env.THIRD_PARTY_API_ENDPOINT)) {
    problems.push(
      'THIRD_PARTY_API_ENDPOINT must use https when NODE_ENV=production: the access key travels in a request header',
    );
  }
  problems.push(...redisProblems(env.REDIS_URL, production));
  return problems;
}

/** In production the app reaches Redis over TLS with its managed identity: no password in the URL. */
function redisProblems(redisUrl: string | undefined, production: boolean): string[] {
  if (!production || !redisUrl || !URL.canParse(redisUrl)) {
    return [];
  }
  const url = new URL(redisUrl);
  const problems = [];
  if (url.password) {
    problems.push(
      'REDIS_URL must not carry a password when NODE_ENV=production: the app authenticates to Redis with its ' +
        'managed identity (Microsoft Entra ID); a password in the URL is for local development',
    );
  }
  if (url.protocol !== 'rediss:') {
    problems.push('REDIS_URL must use rediss:// (TLS) when NODE_ENV=production');
  }
  return problems;
}

/** An http:// URL to anything but this machine would expose the key on the network. */
function sendsKeyInClear(endpoint: string | undefined): boolean {
  if (!endpoint || !URL.canParse(endpoint)) {
    return false;
  }
  const url = new URL(endpoint);
  return url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

const REQUIRED_HINTS: Record<string, string> = {
  THIRD_PARTY_API_ENDPOINT:
    'set it to the third-party API URL, e.g. https://<function-app>.azurewebsites.net/api/RandomNumber',
};

export type Environment = z.infer<typeof environmentShape>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigValidationError';
  }
}

/** The environment's values with defaults applied, and every problem with it (values never echoed back). */
export function checkEnvironment(env: NodeJS.ProcessEnv): { data?: Environment; problems: string[] } {
  const raw: RawEnvironment = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') {
      raw[name] = value;
    }
  }
  const result = environmentShape.safeParse(raw);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        // Stryker disable next-line StringLiteral: every variable is top-level, so the path has one part to join
        const name = issue.path.join('.');
        if (name in raw) {
          return `${name} ${issue.message}`;
        }
        // Stryker disable next-line StringLiteral: every required variable has a hint; this is for one added without
        const hint = REQUIRED_HINTS[name] ?? 'set it';
        return `${name} is required: ${hint}`;
      });
  problems.push(...crossFieldProblems(raw));
  return { data: problems.length === 0 ? result.data : undefined, problems };
}

export function parseEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const { data, problems } = checkEnvironment(env);
  if (!data) {
    throw new ConfigValidationError(problems);
  }
  return data;
}
