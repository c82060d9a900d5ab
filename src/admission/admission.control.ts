import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../config/app-config.js';
import { AcceptProbe } from './accept-probe.js';
import { AdmissionLimit, TICK_MS } from './admission-limit.js';

/** The route admission control guards, matched as Express matches it: any case, an optional trailing slash. */
const GET_CODE = /^\/api\/v1\/getcode\/?(?:\?|$)/i;

/**
 * Admission control of `GET /api/v1/getcode`: while `AdmissionLimit` says the instance is overloaded, it refuses what
 * the limit does not admit, and configureApp answers that 503 OVERLOADED before Express sees the request, so a refusal
 * costs a small fraction of an answer: no access log line, no routing, no guard, no dependency. Refusals are counted,
 * and logged when shedding starts and stops. An admitted request counts until its answer is sent or its connection
 * closes.
 */
@Injectable()
export class AdmissionControl implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly limit: AdmissionLimit;
  private readonly busyUtilization: number;
  private readonly warmUpMs: number;
  private probe?: AcceptProbe;
  private timer?: NodeJS.Timeout;
  private lastLoop: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(
    config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.limit = new AdmissionLimit(config.policies.admission, new Logger('Admission'));
    ({ busyUtilization: this.busyUtilization, warmUpMs: this.warmUpMs } = config.policies.admission);
  }

  onApplicationBootstrap(): void {
    this.probe = new AcceptProbe(this.adapterHost.httpAdapter.getHttpServer() as Server);
    this.timer = setTimeout(() => {
      this.lastLoop = performance.eventLoopUtilization();
      this.timer = setInterval(() => this.tick(), TICK_MS).unref();
    }, this.warmUpMs).unref();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** False if `req` is a getcode request to refuse; an admitted one is released when `res` closes. */
  admits(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || !GET_CODE.test(req.url ?? '')) {
      return true;
    }
    if (!this.limit.tryAcquire()) {
      return false;
    }
    res.once('close', this.limit.release);
    return true;
  }

  private tick(): void {
    const loop = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(loop, this.lastLoop);
    this.lastLoop = loop;
    const probe = this.probe!;
    this.limit.tick(performance.now(), utilization, probe.delayMs());
    // Only a busy loop keeps connections waiting: an idle one is not probed.
    if (utilization >= this.busyUtilization || this.limit.maxInFlight !== Infinity) {
      probe.send();
    } else {
      probe.forget();
    }
  }
}
