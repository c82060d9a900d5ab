/**
 * Typed client of the azure-integrated-auth API: openapi-fetch over the
 * types that openapi-typescript generated from openapi.json (schema.ts).
 * Paths, responses and problem details are checked by the compiler.
 *
 *   const api = createApiClient('https://<app>.azurewebsites.net');
 *   const { data, error, response } = await api.GET('/api/v1/getcode');
 *   if (data) console.log(data.code);
 *   else console.error(response.status, error?.code, response.headers.get('retry-after'));
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };

/** `GET /api/v1/getcode`'s answer: the code, already recorded on the queue. */
export type CodeResponse = components['schemas']['CodeResponseDto'];

/** Every error, as RFC 9457 problem details with a stable `code` and the `requestId`. */
export type ProblemDetails = components['schemas']['ProblemDetailsDto'];

export type ApiClient = Client<paths>;

/** A client for the API at `baseUrl` (no trailing path); `options` go to openapi-fetch (headers, fetch, ...). */
export function createApiClient(baseUrl: string, options: Omit<ClientOptions, 'baseUrl'> = {}): ApiClient {
  return createClient<paths>({ ...options, baseUrl });
}
