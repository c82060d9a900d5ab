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
