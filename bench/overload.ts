import { setTimeout as sleep } from 'node:timers/promises';
import { policiesWith } from '../src/config/policies.ts';
import { type OpenLoopAnswer, type OpenLoopOptions, openLoop } from '../test/support/open-loop.ts';
import { checkAnswer, drive, percentile } from './load.ts';
import { drainCount, type Implementation, startImplementation, type Target } from './runs.ts';

/** Requests arrive at this multiple of the capacity, for this long. */
export const OVERLOAD = { factor: 2, seconds: 15, capacityConnections: 50, delayMs: 20 };
/** Admission control starts this long after start-up (a cold instance is slow, not overloaded): the overload after. */
const WARM_UP_MS = policiesWith().admission.warmUpMs;
/** The overload's first moments, before admission control engages (reported apart as well). */
const ONSET_MS = 2_000;
/** A client that has waited this long gives up. */
const CLIENT_TIMEOUT_MS = 10_000;

export interface OverloadResult {
  implementation: Implementation['name'];
  connections: OpenLoopOptions['connections'];
  /** Answers per second under a closed-loop load of `OVERLOAD.capacityConnections` connections. */
  capacity: number;
  rate: number;
  /** How many answers of each kind: `200`, `503 OVERLOADED`, `reset`, `timeout`, ... */
  outcomes: Record<string, number>;
  okMs: { p50: number; p99: number; max: number };
  refusedP99Ms: number;
  /** The same p99s without the first `ONSET_MS` of the overload, while admission control had not yet engaged. */
  steady: { okP99Ms: number; refusedP99Ms: number };
  /** Every refusal was problem+json with a code and a Retry-After. */
  refusalsWellFormed: boolean;
  /** The 200s per second during the overload, as a share of the capacity. */
  servedShare: number;
  /** Messages the overload added to the queue (one per 200 expected). */
  queued: number;
  /** The median of five sequential requests before the overload and right after it. */
  calmMs: number;
  afterMs: number;
  calmRssMiB: number;
  peakRssMiB: number;
}

const sequentialMedianMs = async (url: string): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const res = await fetch(url);
    const problem = checkAnswer(res.status, await res.text());
    if (problem !== undefined) {
      throw new Error(`a request outside the overload was not answered with a code: ${problem}`);
    }
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
};

function outcomes(answers: OpenLoopAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome, code } of answers) {
    const key = outcome === '200' || code === '-' ? outcome : `${outcome} ${code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * The capacity of one implementation (closed loop, the third party answering in 20 ms), then, once past admission
 * control's warm-up, requests arriving at twice that for 15 s whatever the answers, over `connections` (`openLoop`).
 */
export async function measureOverload(
  target: Target,
  implementation: Implementation,
  connections: OpenLoopOptions['connections'],
): Promise<OverloadResult> {
  const { app, base, queueName } = await startImplementation(target, implementation, OVERLOAD.delayMs);
  // The warm-up starts once the app is up, which is before its first answer: count from there.
  const answeredAt = performance.now();
  try {
    const url = `${base}/api/v1/getcode`;
    await drive(base, OVERLOAD.capacityConnections, 2);
    const closed = await drive(base, OVERLOAD.capacityConnections, 5);
    const capacity = closed.ok / closed.seconds;
    const calmRssMiB = app.rssMiB();
    const calmMs = await sequentialMedianMs(url);
    const queue = target.stack.queue(queueName);
    const countBefore = (await queue.getProperties()).approximateMessagesCount ?? 0;
    const rate = Math.round(capacity * OVERLOAD.factor);
    await sleep(answeredAt + WARM_UP_MS - performance.now());
    const answers = await openLoop(url, {
      rate,
      seconds: OVERLOAD.seconds,
      timeoutMs: CLIENT_TIMEOUT_MS,
      connections,
    });
    const afterMs = await sequentialMedianMs(url);
    const queued = ((await queue.getProperties()).approximateMessagesCount ?? 0) - countBefore - 5;
    const ok = answers.filter((answer) => answer.outcome === '200');
    const refused = answers.filter((answer) => answer.outcome === '503' || answer.outcome === '429');
    const p99 = (some: OpenLoopAnswer[]) =>
      percentile(
        some.map((answer) => answer.ms),
        99,
      );
    const afterOnset = (answer: OpenLoopAnswer) => answer.sentAtMs >= ONSET_MS;
    return {
      implementation: implementation.name,
      connections,
      capacity,
      rate,
      outcomes: outcomes(answers),
      okMs: {
        p50: percentile(
          ok.map((answer) => answer.ms),
          50,
        ),
        p99: p99(ok),
        max: Math.max(...ok.map((answer) => answer.ms)),
      },
      refusedP99Ms: p99(refused),
      steady: { okP99Ms: p99(ok.filter(afterOnset)), refusedP99Ms: p99(refused.filter(afterOnset)) },
      refusalsWellFormed: refused.every((answer) => answer.code !== '-' && Number(answer.retryAfter) >= 1),
      servedShare: ok.length / OVERLOAD.seconds / capacity,
      queued,
      calmMs,
      afterMs,
      calmRssMiB,
      peakRssMiB: app.peakRssMiB(),
    };
  } finally {
    await drainCount(target, queueName);
    await app.stop();
  }
}
