import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { ApiLiveness, ApiReadiness } from './health.api.js';
import {
  CredentialIndicator,
  ProcessIndicator,
  QueueIndicator,
  RateLimitIndicator,
  SecretIndicator,
  ThirdPartyIndicator,
} from './dependency.indicators.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly process: ProcessIndicator,
    private readonly secret: SecretIndicator,
    private readonly queue: QueueIndicator,
    private readonly credential: CredentialIndicator,
    private readonly thirdParty: ThirdPartyIndicator,
    private readonly rateLimits: RateLimitIndicator,
  ) {}

  /** Liveness: the process is up and can serve. Never looks at dependencies. */
  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiLiveness()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Readiness, for App Service's health check: 200 when the instance can
   * serve (not shutting down, the third-party key cached, the queue and the
   * credential not failing), 503 with the same body shape otherwise. Each
   * dependency is reported as up or down only; two entries are informational
   * and always up: `thirdParty` (its retry budget available or exhausted) and
   * `rateLimits` (counted locally, shared in Redis, or locally while Redis is
   * away).
   */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiReadiness()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.process.isHealthy(),
        () => this.secret.isHealthy(),
        () => this.queue.isHealthy(),
        () => this.credential.isHealthy(),
        () => this.thirdParty.isHealthy(),
        () => this.rateLimits.isHealthy(),
      ]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        res.status(503);
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }
}
