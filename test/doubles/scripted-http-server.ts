import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** How to answer one request: a status and body (optionally after a delay), `hang` (never), or `reset` (TCP RST). */
export type ScriptedAnswer =
  { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'hang' | 'reset';

/**
 * A loopback HTTP server that answers from a script, one entry per request
 * (the last entry repeats), or at random (`failAtRandom`), and records every
 * request it got.
 */
export class ScriptedHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private script: ScriptedAnswer[] = [{ status: 200, body: '{"value": 1}' }];
  private random?: { failRate: number; failure: ScriptedAnswer };
  private readonly server: Server = createServer((req, res) => {
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
    this.answer(res, this.next());
  });

  answerWith(...script: ScriptedAnswer[]): this {
    this.script = script;
    this.random = undefined;
    return this;
  }

  /** Answers each request with `failure` with probability `failRate`, else with `success`; independently each time. */
  failAtRandom(failRate: number, failure: ScriptedAnswer, success: ScriptedAnswer): this {
    this.answerWith(success);
    this.random = { failRate, failure };
    return this;
  }

  private next(): ScriptedAnswer {
    if (this.random && Math.random() < this.random.failRate) {
      return this.random.failure;
    }
    return this.script.length > 1 ? (this.script.shift() as ScriptedAnswer) : (this.script[0] ?? 'hang');
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/RandomNumber`;
  }

  /** The connections open now, kept-alive ones included. */
  connections(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  }

  stop(): Promise<void> {
    this.timers.forEach(clearTimeout);
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(res: ServerResponse, answer: ScriptedAnswer): void {
    if (answer === 'hang') {
      return;
    }
    if (answer === 'reset') {
      res.socket?.resetAndDestroy();
      return;
    }
    const send = () => {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    };
    if (answer.delayMs) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, answer.delayMs);
      this.timers.add(timer);
    } else {
      send();
    }
  }
}
