import { connect } from 'node:net';
import { Pool } from 'undici';

/** What one request of an open-loop run got. */
export interface OpenLoopAnswer {
  /** The status (`200`, `503`, ...) or what went wrong on the client's side: `reset`, `timeout`, `error <code>`. */
  outcome: string;
  ms: number;
  /** A 200's code, another answer's problem code; `-` when there is none. */
  code: string;
  retryAfter?: string;
  /** When it was sent, in ms from the start of the run. */
  sentAtMs: number;
}

type Answer = Omit<OpenLoopAnswer, 'sentAtMs'>;

export interface OpenLoopOptions {
  /** Requests per second, sent on schedule whatever the answers (a crowd behind a load balancer). */
  rate: number;
  seconds: number;
  /** A client gives up on a request after this long. */
  timeoutMs: number;
  /**
   * `pooled`: over keep-alive connections, one request at a time each, opening another whenever all are busy (as App
   * Service's front end reaches an instance); `new`: each request on a connection of its own (clients reaching the
   * instance directly).
   */
  connections: 'pooled' | 'new';
}

function parse(raw: string, ms: number): Answer {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
  if (split < 0 || status === undefined) {
    return { outcome: raw === '' ? 'reset' : 'error malformed', ms, code: '-' };
  }
  const retryAfter = /^retry-after: *(.*)$/im.exec(head)?.[1];
  let code = '-';
  try {
    const body = JSON.parse(raw.slice(split + 4)) as { code?: unknown };
    code = typeof body.code === 'string' ? body.code : '-';
  } catch {
    // not JSON: no code
  }
  return { outcome: status, ms, code, retryAfter };
}

/**
 * One GET on a connection of its own, closed by the server after the answer (`Connection: close`). Raw sockets: a
 * request costs the sender a fraction of what `http.request` costs, so the sender keeps its schedule while the
 * app, on the same machine, is overloaded.
 */
function send(port: number, path: string, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (answer: (ms: number) => Answer) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(answer(Math.round(performance.now() - started)));
      }
    };
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    const timer = setTimeout(() => settle((ms) => ({ outcome: 'timeout', ms, code: '-' })), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => settle((ms) => parse(Buffer.concat(chunks).toString('utf8'), ms)));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      settle((ms) => ({ outcome: error.code === 'ECONNRESET' ? 'reset' : `error ${error.code}`, ms, code: '-' })),
    );
  });
}

async function sendPooled(pool: Pool, path: string, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const { statusCode, headers, body } = await pool.request({
      method: 'GET',
      path,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await body.text();
    let code = '-';
    try {
      const parsed = JSON.parse(text) as { code?: unknown };
      code = typeof parsed.code === 'string' ? parsed.code : '-';
    } catch {
      // not JSON: no code
    }
    const retryAfter = headers['retry-after'];
    return {
      outcome: String(statusCode),
      ms: elapsed(),
      code,
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    };
  } catch (error) {
    const { code } = error as { code?: string };
    const outcome =
      code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
        ? 'reset'
        : code?.includes('TIMEOUT')
          ? 'timeout'
          : `error ${code}`;
    return { outcome, ms: elapsed(), code: '-' };
  }
}

/**
 * Sends GETs to `url` at a fixed arrival rate for `seconds`, each on a new connection, without waiting for earlier
 * answers; resolves with every answer once the last has come (or timed out).
 */
export async function openLoop(
  url: string,
  { rate, seconds, timeoutMs, connections }: OpenLoopOptions,
): Promise<OpenLoopAnswer[]> {
  const { origin, port, pathname, search } = new URL(url);
  const pool = connections === 'pooled' ? new Pool(origin, { connections: null, pipelining: 1 }) : undefined;
  const send1 = pool
    ? () => sendPooled(pool, pathname + search, timeoutMs)
    : () => send(Number(port), pathname + search, timeoutMs);
  const pending: Promise<OpenLoopAnswer>[] = [];
  const total = Math.round(rate * seconds);
  const started = performance.now();
  while (pending.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (pending.length < due) {
      const sentAtMs = Math.round(performance.now() - started);
      pending.push(send1().then((answer) => ({ ...answer, sentAtMs })));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  try {
    return await Promise.all(pending);
  } finally {
    await pool?.close();
  }
}
