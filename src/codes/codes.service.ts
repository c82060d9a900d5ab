import { Injectable } from '@nestjs/common';
import { DeadlineExceededError } from '../common/deadline.js';
import { AppConfig } from '../config/app-config.js';
import { CodeQueue } from '../queue/code-queue.service.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';
import { formatCode } from './code-format.js';
import type { CodeResponseDto } from './dto/code-response.dto.js';

/**
 * Issues codes: a third-party number in random letters, returned only after the queue accepted its message. One
 * budget per request (REQUEST_BUDGET_MS): past it, the step under way is cancelled and the answer is 504.
 */
@Injectable()
export class CodesService {
  private readonly budgetMs: number;

  constructor(
    private readonly thirdParty: ThirdPartyClient,
    private readonly queue: CodeQueue,
    config: AppConfig,
  ) {
    this.budgetMs = config.env.REQUEST_BUDGET_MS;
  }

  async issue(requestId: string): Promise<CodeResponseDto> {
    const budget = new AbortController();
    // Cleared when the request ends: an AbortSignal.timeout timer would stay pending for the whole budget.
    const timer = setTimeout(() => budget.abort(), this.budgetMs);
    let step = 'the third-party call';
    try {
      const value = await this.thirdParty.getNumber(budget.signal);
      const code = formatCode(value);
      const timestamp = new Date().toISOString();
      step = 'the queue write';
      await this.queue.publish({ code, timestamp, requestId }, budget.signal);
      return { code, timestamp };
    } catch (error) {
      throw budget.signal.aborted ? new DeadlineExceededError(step) : error;
    } finally {
      clearTimeout(timer);
    }
  }
}
