import type { Server } from 'node:net';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { answerWithProblem } from '../common/problem-details.filter.js';
import type { RequestWithId } from '../common/request-id.js';
import { AppConfig } from '../config/app-config.js';
import { AcceptProbe } from './accept-probe.js';
import { AdmissionLimit, TICK_MS } from './admission-limit.js';
import { OverloadedError } from './admission.errors.js';

// One instance for every refusal: it carries nothing per request, and creating an Error captures a stack.
const OVERLOADED = new OverloadedError();

/**
 * Admission control of `GET /api/v1/getcode`: while `AdmissionLimit` says the instance is overloaded, a request beyond
 * its rate is answered 503 OVERLOADED at once. It runs as the first middleware of that route (configureApp), so a
 * refusal costs a small fraction of an answer: no access log line, no routing, no guard, no dependency. Refusals are
 * counted, and logged when shedding starts and stops. An admitted request counts until its answer is sent or its
 * connection closes.
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

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET') {
      next();
    } else if (this.limit.tryAcquire(performance.now())) {
      res.once('close', this.limit.release);
      next();
    } else {
      answerWithProblem(req as RequestWithId, res, OVERLOADED);
    }
  };

  private tick(): void {
    const loop = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(loop, this.lastLoop);
    this.lastLoop = loop;
    const probe = this.probe!;
    this.limit.tick(performance.now(), utilization, probe.delayMs());
    // Only a busy loop keeps connections waiting: an idle one is not probed.
    if (utilization >= this.busyUtilization || this.limit.rate !== Infinity) {
      probe.send();
    } else {
      probe.forget();
    }
  }
}
