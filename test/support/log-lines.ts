import type { AppProcess } from './app-process.js';
import { eventually } from './eventually.js';

/** One pino JSON log line. */
export interface LogEntry {
  level: string;
  msg: string;
  context?: string;
  reqId?: string;
  [key: string]: unknown;
}

/** What a log line must match: any of level, context, and its message. */
export interface LogQuery {
  level?: string;
  context?: string;
  msg?: RegExp;
}

/**
 * The JSON log lines of a process's output, in order. Only complete lines
 * count (the last one may still be arriving); other output is skipped.
 */
export function logEntries(output: string): LogEntry[] {
  return output
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEntry);
}

/** The first log line that matches `query`. */
export function findLogLine(entries: LogEntry[], { level, context, msg }: LogQuery): LogEntry | undefined {
  return entries.find(
    (entry) =>
      (level === undefined || entry.level === level) &&
      (context === undefined || entry.context === context) &&
      (msg === undefined || msg.test(entry.msg)),
  );
}

/** The app's JSON log lines (on stdout) matching `query`, written after `offset` characters of it. */
export function logLines(app: AppProcess, query: LogQuery, offset = 0): LogEntry[] {
  return logEntries(app.stdout.slice(offset)).filter((entry) => findLogLine([entry], query));
}

/** The first log line matching `query`, once it has been written. */
export async function logLine(app: AppProcess, query: LogQuery): Promise<string> {
  await eventually(() => logLines(app, query).length > 0, 20_000);
  return logLines(app, query)[0]?.msg ?? '';
}
