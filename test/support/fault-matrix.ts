import { mkdirSync, writeFileSync } from 'node:fs';
import type { AppProcess } from './app-process.js';

/** One row of the fault matrix: what the client saw while the fault lasted, and whether the app recovered. */
export interface FaultRow {
  fault: string;
  status: number;
  /** The problem+json `code`, or `-` for a 200. */
  code: string;
  /** Time to answer, in ms. */
  ms: number;
  /** Third-party attempts the request made. */
  attempts: number;
  /** A 200 came back once the fault was cleared, without a restart. */
  recovered: boolean;
}

export interface TimedAnswer {
  status: number;
  /** The problem+json `code`, or `-` for a 200. */
  code: string;
  /** The issued code of a 200. */
  issued?: string;
  ms: number;
  text: string;
}

/** `GET /api/v1/getcode`, timed. */
export async function timedGetCode(base: string): Promise<TimedAnswer> {
  const started = Date.now();
  const res = await fetch(`${base}/api/v1/getcode`);
  const text = await res.text();
  const ms = Date.now() - started;
  const body = JSON.parse(text) as { code?: string };
  return res.status === 200
    ? { status: 200, code: '-', issued: body.code, ms, text }
    : { status: res.status, code: body.code ?? '?', ms, text };
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Writes the rows where the closing note's table is read from: test-output/<name>.json. */
export function writeRows(name: string, rows: FaultRow[]): void {
  mkdirSync('test-output', { recursive: true });
  writeFileSync(`test-output/${name}.json`, `${JSON.stringify(rows, null, 2)}\n`);
}

/**
 * For an error answer: the app logged one line for that request (by its id)
 * with the status, the code and what went wrong or what to fix.
 */
export async function expectOperatorLine(app: AppProcess, answer: TimedAnswer): Promise<void> {
  const { requestId } = JSON.parse(answer.text) as { requestId: string };
  await app.waitForOutput(new RegExp(`\\[${requestId}\\] -> ${answer.status} ${answer.code}: \\w`), 5_000);
}
