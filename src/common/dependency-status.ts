import type { LoggerService } from '@nestjs/common';
import { operatorMessage } from './service-error.js';

export type DependencyState = 'unknown' | 'up' | 'down';

/**
 * What a client knows of its dependency's health: the outcome of its last
 * operation and when it happened. Readiness reads it (health/); the client
 * records it. Each change of state is logged once, with what to fix when it
 * goes down, so operators see it without the public endpoint telling anyone.
 */
export class DependencyStatus {
  private current: DependencyState = 'unknown';
  private changedAt = 0;
  private lastAt = 0;

  constructor(
    readonly name: string,
    private readonly logger: Pick<LoggerService, 'log' | 'warn'>,
  ) {}

  get state(): DependencyState {
    return this.current;
  }

  /** When the last operation ended (0 before the first). */
  get checkedAt(): number {
    return this.lastAt;
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

  /** Forgets the last outcome, when it is too old to say anything (the next operation decides). */
  forget(): void {
    this.current = 'unknown';
    this.lastAt = Date.now();
  }

  private record(state: DependencyState): void {
    if (state !== this.current) {
      this.changedAt = Date.now();
    }
    this.current = state;
    this.lastAt = Date.now();
  }
}
