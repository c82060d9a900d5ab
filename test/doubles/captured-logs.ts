/** One pino JSON log line. */
export interface LogEntry {
  level: string;
  msg: string;
  context?: string;
  reqId?: string;
  [key: string]: unknown;
}

/** A pino destination that keeps every line, for assertions about what the app logged. */
export class CapturedLogs {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  text(): string {
    return this.lines.join('');
  }

  entries(): LogEntry[] {
    return this.lines.map((line) => JSON.parse(line) as LogEntry);
  }
}
