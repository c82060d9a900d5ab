import { mkdirSync, writeFileSync } from 'node:fs';
import { CODE_PATTERN } from '../../src/codes/code-format.js';
import type { AppProcess } from './app-process.js';
import { getCode } from './get-code.js';

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
  /** Once the fault was cleared, without a restart, a new request got a 200 with a well-formed code that is on the queue. */
  recovered: boolean;
}

/** An app under test: its process, base URL and the queue it writes to. */
export interface MatrixApp {
  app: AppProcess;
  base: string;
  queueName: string;
}

export interface TimedAnswer {
  status: number;
  /** The problem+json `code`, or `-` for a 200. */
  code: string;
  /** The issued code of a 200. */
  issued?: string;
  ms: number;
  text: string;
  /** The Retry-After header, when the answer had one. */
  retryAfter?: string;
}

/** `GET /api/v1/getcode`, timed. */
export async function timedGetCode(base: string): Promise<TimedAnswer> {
  const started = Date.now();
  const res = await getCode(base);
  const text = res.text;
  const ms = Date.now() - started;
  const body = JSON.parse(text) as { code?: string };
  const retryAfter = res.headers['retry-after'];
  return res.status === 200
    ? { status: 200, code: '-', issued: body.code, ms, text }
    : { status: res.status, code: body.code ?? '?', ms, text, retryAfter };
}

/**
 * For an error answer: the app logged one line for that request (by its id)
 * with the status, the code and what went wrong or what to fix.
 */
export async function expectOperatorLine(app: AppProcess, answer: TimedAnswer): Promise<void> {
  const { requestId } = JSON.parse(answer.text) as { requestId: string };
  await app.waitForOutput(new RegExp(`\\[${requestId}\\] -> ${answer.status} ${answer.code}: \\w`), 5_000);
}

export type AttemptedAnswer = TimedAnswer & { attempts: number };

/**
 * The bookkeeping of a fault-matrix spec: the rows, every body and every
 * code answered with 200 (by queue), and the apps. `finish()` writes the rows
 * to test-output/<name>.json and checks what must hold across the whole
 * spec: every answered code is on its queue, and the key is in no output or
 * body.
 */
export class FaultMatrix {
  private readonly rows: FaultRow[] = [];
  private readonly bodies: string[] = [];
  private readonly apps: AppProcess[] = [];
  private readonly answered = new Map<string, string[]>();
  /** Every code read back from each queue so far (reading a message removes it). */
  private readonly queued = new Map<string, Set<string>>();

  /**
   * @param thirdPartyRequests how many requests the third party has seen so far
   * @param readQueue every message (decoded code) on a queue, received so each is read once
   */
  constructor(
    private readonly thirdPartyRequests: () => number,
    private readonly readQueue: (queueName: string) => Promise<string[]>,
  ) {}

  track(target: MatrixApp): MatrixApp {
    this.apps.push(target.app);
    this.answered.set(target.queueName, []);
    this.queued.set(target.queueName, new Set());
    return target;
  }

  /** One request with the third-party attempts it made; an error answer must have its operator log line. */
  async getCode(target: MatrixApp): Promise<AttemptedAnswer> {
    const before = this.thirdPartyRequests();
    const answer = await timedGetCode(target.base);
    this.bodies.push(answer.text);
    const attempts = this.thirdPartyRequests() - before;
    if (answer.issued) {
      this.answered.get(target.queueName)?.push(answer.issued);
    } else {
      await expectOperatorLine(target.app, answer);
    }
    return { ...answer, attempts };
  }

  /**
   * Recovery, once the fault is cleared: a new request is answered 200 with
   * a well-formed code, and that code is on the app's queue.
   */
  async recovers(target: MatrixApp): Promise<boolean> {
    const { status, issued } = await this.getCode(target);
    if (status !== 200 || issued === undefined || !CODE_PATTERN.test(issued)) {
      return false;
    }
    return (await this.readBack(target.queueName)).has(issued);
  }

  record(fault: string, { status, code, ms, attempts }: AttemptedAnswer, recovered: boolean): void {
    this.rows.push({ fault, status, code, ms, attempts, recovered });
  }

  /** No 200 without its message: every code answered so far is on its app's queue. */
  async expectEveryCodeQueued(): Promise<void> {
    for (const [queueName, codes] of this.answered) {
      if (codes.length === 0) {
        continue; // nothing new to look for (and the queue may be gone with an Azurite that was restarted)
      }
      const queued = await this.readBack(queueName);
      expect(codes.filter((code) => !queued.has(code))).toEqual([]);
      this.answered.set(queueName, []);
    }
  }

  /** Every code on the queue so far: those read now, and those read before. */
  private async readBack(queueName: string): Promise<Set<string>> {
    const queued = this.queued.get(queueName) ?? new Set<string>();
    for (const code of await this.readQueue(queueName)) {
      queued.add(code);
    }
    this.queued.set(queueName, queued);
    return queued;
  }

  async finish(name: string, key: string): Promise<void> {
    mkdirSync('test-output', { recursive: true });
    writeFileSync(`test-output/${name}.json`, `${JSON.stringify(this.rows, null, 2)}\n`);
    await this.expectEveryCodeQueued();
    for (const app of this.apps) {
      expect(app.output).not.toContain(key);
      await app.stop('SIGKILL');
    }
    expect(this.bodies.join('\n')).not.toContain(key);
  }
}
