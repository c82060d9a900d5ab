import autocannon from 'autocannon';

const CODE = /^[a-zA-Z]{3}-\d+-[a-zA-Z]{3}$/;

export interface LoadResult {
  /** Answers that passed every check. */
  ok: number;
  /** Answers or attempts that did not: wrong status, malformed body, connection errors, timeouts. */
  failed: number;
  /** The first failure, for the report. */
  firstFailure?: string;
  seconds: number;
  latencyMs: { p50: number; p90: number; p99: number };
}

/** Why an answer is not a well-formed code, or undefined when it is. */
export function checkAnswer(status: number, body: string): string | undefined {
  if (status !== 200) {
    return `status ${status}: ${body.slice(0, 200)}`;
  }
  try {
    const answer = JSON.parse(body) as { code?: unknown; timestamp?: unknown };
    const timestampOk = typeof answer.timestamp === 'string' && !Number.isNaN(Date.parse(answer.timestamp));
    if (typeof answer.code === 'string' && CODE.test(answer.code) && timestampOk) {
      return undefined;
    }
  } catch {
    // reported below
  }
  return `malformed answer: ${body.slice(0, 200)}`;
}

/** The nearest-rank percentile, in the values' unit; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Drives GET /api/v1/getcode over `connections` keep-alive connections for `seconds`, as fast as they answer,
 * checking every answer.
 */
export async function drive(base: string, connections: number, seconds: number): Promise<LoadResult> {
  let ok = 0;
  let bad = 0;
  let firstFailure: string | undefined;
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'GET',
            path: '/api/v1/getcode',
            onResponse: (status, body) => {
              const problem = checkAnswer(status, body);
              if (problem === undefined) {
                ok++;
              } else {
                bad++;
                firstFailure ??= problem;
              }
            },
          },
        ],
      },
      (error, done) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
    );
    // autocannon's own percentiles are whole milliseconds: keep each response's time as measured.
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  // Answers still missing when the time is up count as no error: an app that stops answering must still fail.
  const silent = ok + bad === 0 ? 1 : 0;
  const transportFailures = result.errors + result.timeouts + silent;
  if (transportFailures > 0) {
    firstFailure ??= silent
      ? `no answer at all in ${seconds} s`
      : `${result.errors} connection errors, ${result.timeouts} timeouts`;
  }
  return {
    ok,
    failed: bad + transportFailures,
    firstFailure,
    seconds: result.duration,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99) },
  };
}
