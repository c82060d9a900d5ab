/** A steady load for the built app, on loopback: a fixed number of clients, a fixed rate, a fixed time. */
export interface LoadOptions {
  /** Concurrent clients, each sending one request at a time. */
  clients: number;
  /** Requests per second, for all clients together. */
  rate: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  /** Requests answered 200. */
  ok: number;
  /** How many answers had each status and problem code, e.g. `{"200 -": 590, "502 THIRD_PARTY_ERROR": 3}`. */
  answers: Record<string, number>;
  /** Answers other than 200 that were not problem+json. */
  notProblemJson: number;
  /** Latency percentiles (ms) over every request sent. */
  p50: number;
  p99: number;
  max: number;
  /** Requests per second actually achieved, until the last answer. */
  throughput: number;
}

interface Sample {
  ms: number;
  answer: string;
  problemJson: boolean;
}

async function timedRequest(url: string): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status === 200) {
    return { ms, answer: '200 -', problemJson: true };
  }
  const problemJson = /^application\/problem\+json/.test(res.headers.get('content-type') ?? '');
  const code = problemJson ? ((JSON.parse(text) as { code?: string }).code ?? '?') : '?';
  return { ms, answer: `${res.status} ${code}`, problemJson };
}

/** One client: a request every `clients / rate` seconds (or at once when the last answer came late), until time is up. */
async function client(url: string, offsetMs: number, intervalMs: number, endsAt: number, samples: Sample[]) {
  let next = performance.now() + offsetMs;
  while (next < endsAt) {
    const wait = next - performance.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    samples.push(await timedRequest(url));
    next = Math.max(next + intervalMs, performance.now());
  }
}

const percentile = (sorted: number[], p: number): number =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

/**
 * Sends GETs to `url` at a steady rate from `clients` clients for `seconds`,
 * then waits for every answer: unlike a load tool that stops at the end of
 * its time, no slow request is left out of the percentiles.
 */
export async function steadyLoad(url: string, { clients, rate, seconds }: LoadOptions): Promise<LoadResult> {
  const samples: Sample[] = [];
  const intervalMs = (clients / rate) * 1000;
  const started = performance.now();
  const endsAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, (_, i) => client(url, (i * intervalMs) / clients, intervalMs, endsAt, samples)),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const answers: Record<string, number> = {};
  for (const { answer } of samples) {
    answers[answer] = (answers[answer] ?? 0) + 1;
  }
  return {
    requests: samples.length,
    ok: answers['200 -'] ?? 0,
    answers,
    notProblemJson: samples.filter((s) => !s.problemJson).length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: Math.round(sorted.at(-1) ?? 0),
    throughput: Math.round((samples.length / elapsed) * 10) / 10,
  };
}
