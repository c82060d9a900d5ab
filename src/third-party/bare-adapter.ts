import { Agent, request } from 'undici';
import type { UpstreamAnswer, UpstreamGet } from './third-party.response.js';

/**
 * Only for `BENCH_DISABLE=http-adapter`, which measures what axios (through
 * @nestjs/axios) costs: one bare undici request in its place, without the
 * per-attempt timeout or the response size limit. Never used otherwise.
 */
export function bareGet(connections: number): UpstreamGet {
  const dispatcher = new Agent({ connections });
  return async (url, { headers, signal }) => {
    const answer = await request(url, { dispatcher, headers, signal });
    const data = await answer.body.text();
    return { status: answer.statusCode, data, headers: answer.headers as UpstreamAnswer['headers'] };
  };
}
