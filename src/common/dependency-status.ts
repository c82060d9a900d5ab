import { Logger, type LoggerService } from '@nestjs/common';
import { operatorMessage } from './service-error.js';

export type DependencyState = 'unknown' | 'up' | 'down';

const REPROBE_INTERVAL_MS = 10_000;

/**
 * A dependency's health as its client last saw it. Readiness reads it; each change is logged once, with what to fix
 * when it goes down, so operators see it without the public endpoint telling anyone.
 */
export class DependencyStatus {
  private current: DependencyState = 'unknown';
  private changedAt = 0;
  private checkedAt = 0;
  private probing = false;

  constructor(
    readonly name: string,
    private readonly logger: Pick<LoggerService, 'log' | 'warn'>,
  ) {}

  get state(): DependencyState {
    return this.current;
  }

  succeeded(): void {
    if (this.current === 'down') {
      this.logger.log(`${this.name} is up again (down for ${Math.round((Date.now() - this.changedAt) / 1000)} s)`);
    }
    this.record('up');
  }

  failed(error: unknown): void {
    if (this.current !== 'down') {
      this.logger.warn(`${this.name} is down: ${operatorMessage(error)}`);
    }
    this.record('down');
  }

  forget(): void {
    this.current = 'unknown';
    this.checkedAt = Date.now();
  }

  /** While not up, runs `probe` in the background, one at a time and at most every 10 s, so readiness recovers. */
  reprobe(probe: () => Promise<unknown>): void {
    if (this.current === 'up' || this.probing || Date.now() - this.checkedAt < REPROBE_INTERVAL_MS) {
      return;
    }
    this.probing = true;
    void probe()
      .catch(() => undefined)
      .finally(() => (this.probing = false));
  }

  private record(state: DependencyState): void {
    if (state !== this.current) {
      this.changedAt = Date.now();
    }
    this.current = state;
    this.checkedAt = Date.now();
  }
}

const startup = new Logger('StartupDiagnostics');

/** Logs a dependency's start-up line, or what to fix; never throws. */
export async function logStartup(dependency: string, probe: () => Promise<string>): Promise<void> {
  try {
    startup.log(await probe());
  } catch (error) {
    startup.error(`${dependency}: ${operatorMessage(error)}`);
  }
}
