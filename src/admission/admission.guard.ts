import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Response } from 'express';
import { ServiceError } from '../common/service-error.js';
import { AppConfig } from '../config/app-config.js';
import { AdmissionLimit } from './admission-limit.js';

/** How often the cap is set again. */
const TICK_MS = 100;

/** The instance is saturated: 503 with `Retry-After`, before any dependency is touched. */
export class OverloadedError extends ServiceError {
  readonly code = 'OVERLOADED';
  readonly status = 503;
  override readonly retryAfterSeconds = 1;
  override readonly logged = false;

  constructor() {
    super('This instance is at capacity; try again in a moment.');
  }
}

// One instance for every refusal: it carries nothing per request, and creating an Error captures a stack.
const OVERLOADED = new OverloadedError();

/**
 * Admission control: refuses a request at once (503 OVERLOADED) while `AdmissionLimit` says the instance is
 * saturated; an admitted request counts until its answer is sent or its connection closes. Refusals are counted
 * and logged when shedding starts and stops, not one by one.
 */
@Injectable()
export class AdmissionGuard implements CanActivate, OnModuleInit, OnModuleDestroy {
  private readonly limit: AdmissionLimit;
  private timer?: NodeJS.Timeout;
  private last: { at: number; loop: EventLoopUtilization } = { at: 0, loop: performance.eventLoopUtilization() };

  constructor(config: AppConfig) {
    this.limit = new AdmissionLimit(config.policies.admission, new Logger('Admission'));
  }

  onModuleInit(): void {
    this.last = { at: performance.now(), loop: performance.eventLoopUtilization() };
    this.timer = setInterval(() => this.tick(), TICK_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.limit.tryAcquire()) {
      throw OVERLOADED;
    }
    context.switchToHttp().getResponse<Response>().once('close', this.limit.release);
    return true;
  }

  private tick(): void {
    const now = { at: performance.now(), loop: performance.eventLoopUtilization() };
    const { utilization } = performance.eventLoopUtilization(now.loop, this.last.loop);
    this.limit.tick(now.at, now.at - this.last.at, utilization);
    this.last = now;
  }
}
