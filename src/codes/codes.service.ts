import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppSettings, type HttpConfig, httpConfig } from '../config/config.module.js';
import { CodeQueue } from '../queue/code-queue.service.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';
import { formatCode } from './code-format.js';
import type { CodeResponseDto } from './dto/code-response.dto.js';

/**
 * Issues codes: one third-party number, wrapped in random letters, recorded
 * on the queue. A code is returned only after the queue accepted its
 * message; any failure propagates as a `ServiceError` and no code leaves.
 * The request has one time budget (REQUEST_BUDGET_MS): past it, the step
 * under way is cancelled and the client gets 504 `REQUEST_TIMEOUT`.
 */
@Injectable()
export class CodesService {
  private readonly budgeted: boolean;

  constructor(
    private readonly thirdParty: ThirdPartyClient,
    private readonly queue: CodeQueue,
    @Inject(httpConfig.KEY) private readonly config: HttpConfig,
    @Inject(appConfig.KEY) app: AppSettings,
  ) {
    this.budgeted = !app.disabledLayers.has('request-budget');
  }

  async issue(requestId: string): Promise<CodeResponseDto> {
    // One budget for the whole request: the key (if not cached), the third-party call and the queue write.
    // A timer cleared when the request ends: AbortSignal.timeout's would stay pending for the whole budget.
    const budget = this.budgeted ? new AbortController() : undefined;
    const timer =
      budget &&
      setTimeout(() => budget.abort(new DOMException('budget spent', 'TimeoutError')), this.config.requestBudgetMs);
    try {
      const value = await this.thirdParty.getNumber(budget?.signal);
      const code = formatCode(value);
      const timestamp = new Date().toISOString();
      await this.queue.publish({ code, timestamp, requestId }, budget?.signal);
      return { code, timestamp };
    } finally {
      clearTimeout(timer);
    }
  }
}
