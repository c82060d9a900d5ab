import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { CredentialHealth } from '../azure/azure.module.js';
import { QueueHealth } from '../queue/queue.health.js';
import { SecretsHealth } from '../secrets/secrets.health.js';
import { ApiLiveness, ApiReadiness } from './health.api.js';
import { ShutdownState } from './shutdown.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    private readonly secret: SecretsHealth,
    private readonly queue: QueueHealth,
    private readonly credential: CredentialHealth,
  ) {}

  private process() {
    const check = this.indicators.check('process');
    return this.shutdown.draining ? check.down() : check.up();
  }

  /** Liveness: the process is up and can serve. Never looks at dependencies. */
  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiLiveness()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Readiness, for App Service's health check: 200 when the instance can serve (not shutting down, the key cached, the
   * queue and the credential not failing), 503 otherwise; each dependency up or down, what to fix in the logs.
   */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiReadiness()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.process(),
        () => this.secret.isHealthy(),
        () => this.queue.isHealthy(),
        () => this.credential.isHealthy(),
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
