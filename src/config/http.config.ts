import { registerAs } from '@nestjs/config';
import { parseEnvironment } from './environment.js';

/** The public HTTP surface: proxies in front of the app and request limits. */
export const httpConfig = registerAs('http', () => {
  const env = parseEnvironment();
  return {
    /**
     * How many proxies in front of the app to trust for X-Forwarded-For
     * (App Service: 1). 0 means the socket address is the client.
     */
    trustProxyHops: env.TRUST_PROXY,
    /** Time for one GET /api/v1/getcode, every step included. */
    requestBudgetMs: env.REQUEST_BUDGET_MS,
    /** Requests per minute to /api/v1/getcode per client IP. */
    rateLimitPerClient: env.RATE_LIMIT_PER_CLIENT,
    /** Requests per minute to /api/v1/getcode for this whole instance: its share of the third-party quota. */
    rateLimitGlobal: env.RATE_LIMIT_GLOBAL,
  };
});
