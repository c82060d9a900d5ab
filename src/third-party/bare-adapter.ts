import type { AxiosAdapter, AxiosResponse } from 'axios';

/**
 * Only for `BENCH_DISABLE=http-adapter`, which measures what axios's stock
 * adapter costs: one bare `fetch`, without the per-attempt timeout or the
 * response size limit. Never used otherwise.
 */
export const bareFetchAdapter: AxiosAdapter = async (config): Promise<AxiosResponse> => {
  const response = await fetch(String(config.url), {
    headers: config.headers.toJSON() as Record<string, string>,
    signal: config.signal as AbortSignal | undefined,
    redirect: 'manual',
  });
  const data = await response.text();
  const headers = Object.fromEntries(response.headers);
  return { data, status: response.status, statusText: response.statusText, headers, config, request: {} };
};
