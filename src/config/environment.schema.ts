import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be "true" or "false"' })
  .transform((value) => value === 'true' || value === '1');

const integer = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const positiveInt = (max: number) => integer(1, max);

const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an absolute http(s) URL',
});

const TOKEN_CREDENTIAL_CHOICES = [
  'dev',
  'prod',
  'environmentcredential',
  'workloadidentitycredential',
  'managedidentitycredential',
  'visualstudiocodecredential',
  'azureclicredential',
  'azurepowershellcredential',
  'azuredeveloperclicredential',
] as const;

/** Every environment variable the app reads, with its default; docs/configuration.md says when to change each. */
export const environmentShape = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
    .default('development'),
  PORT: integer(1, 65_535).default(8080),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], {
      error: 'must be fatal, error, warn, log, debug or verbose',
    })
    .default('log'),
  SHUTDOWN_GRACE_PERIOD_SECONDS: integer(0, 600).default(25),
  REQUEST_BUDGET_MS: positiveInt(600_000).default(30_000),
  TRUST_PROXY: integer(0, 10).default(0),
  RATE_LIMIT_PER_CLIENT: positiveInt(1_000_000).default(60),
  RATE_LIMIT_GLOBAL: positiveInt(10_000_000).default(600),
  REDIS_URL: z
    .url({
      protocol: /^rediss?$/,
      error: 'must be a redis URL such as rediss://<name>.<region>.redis.azure.net:10000',
    })
    .optional(),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z
    .string()
    .regex(
      /(^|;)\s*InstrumentationKey=/i,
      'must be an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)',
    )
    .optional(),

  AZURE_CLIENT_ID: z.uuid({ error: 'must be the client id (a GUID) of a managed identity' }).optional(),
  // Read by @azure/identity; validated here because an unknown value makes its constructor throw.
  AZURE_TOKEN_CREDENTIALS: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(TOKEN_CREDENTIAL_CHOICES, { error: `must be one of ${TOKEN_CREDENTIAL_CHOICES.join(', ')}` }))
    .optional(),

  KEY_VAULT_URL: z
    .url({ protocol: /^https$/, error: 'must be an https URL such as https://<vault-name>.vault.azure.net/' })
    .optional(),
  THIRD_PARTY_API_SECRET_NAME: z
    .string()
    .regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a Key Vault secret name: 1-127 letters, digits and dashes')
    .default('third-party-api-key'),
  THIRD_PARTY_API_KEY: z.string().min(1).optional(),
  THIRD_PARTY_API_ENDPOINT: httpUrl,

  STORAGE_QUEUE_URL: httpUrl.optional(),
  AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  STORAGE_QUEUE_NAME: z
    .string()
    .regex(
      /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
      'must be a queue name: 3-63 lowercase letters, digits and single dashes',
    )
    .default('code-requests'),
  QUEUE_CREATE_IF_NOT_EXISTS: booleanFlag.default(true),
});
