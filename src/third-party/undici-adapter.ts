import {
  type AxiosAdapter,
  AxiosError,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { Dispatcher } from 'undici';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** The abort reason of `timeout`: undici's own timers fire up to a second late, too coarse for an attempt's timeout. */
const TIMED_OUT = Symbol('timed out');

/**
 * An axios adapter that sends through an undici dispatcher instead of
 * node:http: the same client (@nestjs/axios, its config and errors) at a
 * fraction of the CPU per call. It honours what this app's config uses: the
 * absolute URL, method, headers, `timeout` (the whole exchange),
 * `maxContentLength`, `validateStatus` and the abort signal.
 * Redirects are never followed (undici's dispatcher does not). Transport
 * failures become AxiosErrors carrying the socket's code, timeouts as
 * `ETIMEDOUT`.
 */
export function undiciAdapter(dispatcher: Dispatcher): AxiosAdapter {
  // The client calls one endpoint: its URL is parsed again only when it changes.
  let lastUrl = '';
  let target = { origin: '', path: '' };
  return async (config): Promise<AxiosResponse<string>> => {
    if (config.url !== lastUrl) {
      const url = new URL(String(config.url));
      target = { origin: url.origin, path: `${url.pathname}${url.search}` };
      lastUrl = String(config.url);
    }
    const controller = new AbortController();
    const timer = config.timeout ? setTimeout(() => controller.abort(TIMED_OUT), config.timeout) : undefined;
    const outer = config.signal as AbortSignal | undefined;
    const cancel = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', cancel, { once: true });
    let response: AxiosResponse<string>;
    try {
      const answer = await dispatcher.request({
        origin: target.origin,
        path: target.path,
        method: (config.method ?? 'get').toUpperCase(),
        headers: config.headers.toJSON(true),
        signal: outer?.aborted ? outer : controller.signal,
      });
      const data = await readText(answer.body, config);
      response = { data, status: answer.statusCode, statusText: '', headers: answer.headers, config, request: {} };
    } catch (error) {
      throw asAxiosError(error, config, controller.signal.reason === TIMED_OUT);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', cancel);
    }
    if (config.validateStatus && !config.validateStatus(response.status)) {
      throw new AxiosError(
        `Request failed with status code ${response.status}`,
        'ERR_BAD_RESPONSE',
        config,
        {},
        response,
      );
    }
    return response;
  };
}

/** The body as text, refusing one longer than `maxContentLength` as soon as it is. */
async function readText(body: Dispatcher.ResponseData['body'], config: InternalAxiosRequestConfig): Promise<string> {
  const limit = config.maxContentLength ?? -1;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (limit >= 0 && size > limit) {
      body.destroy();
      throw new AxiosError(`maxContentLength size of ${limit} exceeded`, 'ERR_BAD_RESPONSE', config);
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

function asAxiosError(error: unknown, config: InternalAxiosRequestConfig, timedOut: boolean): AxiosError {
  if (error instanceof AxiosError) {
    return error;
  }
  const code = (error as { code?: unknown }).code;
  const name = error instanceof Error ? error.name : 'Error';
  if (timedOut || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return new AxiosError(`no answer within ${config.timeout} ms`, 'ETIMEDOUT', config);
  }
  if ((config.signal as AbortSignal | undefined)?.aborted) {
    return new CanceledError(undefined, undefined, config);
  }
  return new AxiosError(name, typeof code === 'string' ? code : undefined, config);
}
