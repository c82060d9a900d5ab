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

/**
 * Every environment variable the app reads, with its default. This is the
 * configuration contract documented in the README and `.env.example`.
 */
export const environmentShape = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
    .default('development'),
  PORT: integer(1, 65_535).default(8080),
  SHUTDOWN_GRACE_PERIOD_SECONDS: integer(0, 600).default(25),
  REQUEST_BUDGET_MS: positiveInt(600_000).default(30_000),
  TRUST_PROXY: integer(0, 10).default(0),
  RATE_LIMIT_PER_CLIENT: positiveInt(1_000_000).default(60),
  RATE_LIMIT_GLOBAL: positiveInt(10_000_000).default(600),
  /** Read by src/telemetry.ts (loaded with --import); validated here so a typo shows up at start-up. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z
    .string()
    .regex(
      /(^|;)\s*InstrumentationKey=/i,
      'must be an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)',
    )
    .optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], {
      error: 'must be fatal, error, warn, log, debug or verbose',
    })
    .default('log'),

  AZURE_CLIENT_ID: z.uuid({ error: 'must be the client id (a GUID) of a managed identity' }).optional(),
  AZURE_TOKEN_CREDENTIALS: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(TOKEN_CREDENTIAL_CHOICES, { error: `must be one of ${TOKEN_CREDENTIAL_CHOICES.join(', ')}` }))
    .optional(),
  AZURE_TOKEN_TIMEOUT_MS: positiveInt(120_000).default(10_000),

  KEY_VAULT_URL: z
    .url({ protocol: /^https$/, error: 'must be an https URL such as https://<vault-name>.vault.azure.net/' })
    .optional(),
  THIRD_PARTY_API_SECRET_NAME: z
    .string()
    .regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a Key Vault secret name: 1-127 letters, digits and dashes')
    .default('third-party-api-key'),
  THIRD_PARTY_API_KEY: z.string().min(1).optional(),
  ALLOW_LOCAL_SECRETS_IN_PRODUCTION: booleanFlag.default(false),
  SECRET_CACHE_TTL_SECONDS: positiveInt(86_400).default(3_600),
  SECRET_REFRESH_BACKOFF_SECONDS: positiveInt(3_600).default(30),
  SECRET_READ_TIMEOUT_MS: positiveInt(120_000).default(20_000),

  THIRD_PARTY_API_ENDPOINT: httpUrl,
  THIRD_PARTY_TIMEOUT_MS: positiveInt(120_000).default(10_000),
  THIRD_PARTY_MAX_SOCKETS: positiveInt(10_000).default(256),
  THIRD_PARTY_BUDGET_MS: positiveInt(600_000).default(30_000),
  THIRD_PARTY_MAX_RETRIES: integer(0, 10).default(3),
  THIRD_PARTY_RETRY_BASE_MS: integer(0, 60_000).default(2_000),
  THIRD_PARTY_MAX_CONCURRENCY: positiveInt(100_000).default(1_000),
  BREAKER_THRESHOLD: z.coerce
    .number({ error: 'must be a fraction from 0.01 to 0.99' })
    .min(0.01, { error: 'must be a fraction from 0.01 to 0.99' })
    .max(0.99, { error: 'must be a fraction from 0.01 to 0.99' })
    .default(0.1),
  BREAKER_MIN_CALLS: positiveInt(100_000).default(10),
  BREAKER_WINDOW_MS: positiveInt(3_600_000).default(30_000),
  BREAKER_OPEN_MS: positiveInt(3_600_000).default(5_000),

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
  QUEUE_MESSAGE_ENCODING: z.enum(['base64', 'text'], { error: 'must be base64 or text' }).default('base64'),
  QUEUE_MESSAGE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .refine(
      (value) => value === -1 || (value >= 1 && value <= 604_800),
      'must be -1 (never expire) or 1-604800 seconds',
    )
    .default(604_800),
  QUEUE_MAX_TRIES: positiveInt(10).default(3),
  /** Sent to the Storage service as its per-attempt timeout, in whole seconds (30 s is the service's maximum). */
  QUEUE_TRY_TIMEOUT_MS: integer(1_000, 30_000).default(5_000),
  QUEUE_RETRY_DELAY_MS: integer(0, 60_000).default(500),
});
