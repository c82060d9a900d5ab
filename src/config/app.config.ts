import { registerAs } from '@nestjs/config';
import { parseEnvironment } from './environment.js';

/** Process-level settings: port, environment, log level. */
export const appConfig = registerAs('app', () => {
  const env = parseEnvironment();
  return {
    nodeEnv: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
  };
});
