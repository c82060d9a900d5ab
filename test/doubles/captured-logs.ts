import { Writable } from 'node:stream';
import { type LogEntry, logEntries } from '../support/log-lines.js';

/** A log destination (a real stream, as pino-pretty needs) that keeps every line, for assertions. */
export class CapturedLogs extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.lines.push(chunk.toString());
    done();
  }

  text(): string {
    return this.lines.join('');
  }

  entries(): LogEntry[] {
    return logEntries(this.text());
  }
}
