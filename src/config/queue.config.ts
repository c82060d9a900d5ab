import { registerAs } from '@nestjs/config';
import { parseEnvironment } from './environment.js';

/** The Storage queue that receives one message per issued code. */
export const queueConfig = registerAs('queue', () => {
  const env = parseEnvironment();
  return {
    /** Production: https://<account>.queue.core.windows.net/<queue>, reached with the shared credential. */
    queueUrl: env.STORAGE_QUEUE_URL,
    /** Local development only (Azurite); ignored when queueUrl is set. */
    connectionString: env.AZURE_STORAGE_CONNECTION_STRING,
    queueName: env.STORAGE_QUEUE_NAME,
    createIfNotExists: env.QUEUE_CREATE_IF_NOT_EXISTS,
    messageEncoding: env.QUEUE_MESSAGE_ENCODING,
    messageTtlSeconds: env.QUEUE_MESSAGE_TTL_SECONDS,
    retry: {
      maxTries: env.QUEUE_MAX_TRIES,
      tryTimeoutMs: env.QUEUE_TRY_TIMEOUT_MS,
      retryDelayMs: env.QUEUE_RETRY_DELAY_MS,
    },
  };
});
