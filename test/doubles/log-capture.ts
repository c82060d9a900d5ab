import { ConsoleLogger } from '@nestjs/common';

/** A Nest logger that keeps every line it is given (and prints nothing), for assertions about logs. */
export class LogCapture extends ConsoleLogger {
  readonly lines: string[] = [];

  constructor() {
    super();
  }

  protected override printMessages(messages: unknown[], context = '', logLevel = 'log'): void {
    for (const message of messages) {
      this.lines.push(`${logLevel} [${context}] ${typeof message === 'string' ? message : JSON.stringify(message)}`);
    }
  }

  protected override printStackTrace(stack: string): void {
    this.lines.push(stack);
  }

  text(): string {
    return this.lines.join('\n');
  }
}
