import { Injectable } from '@nestjs/common';
import { CodeQueue } from '../queue/code-queue.service.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';
import { formatCode } from './code-format.js';
import type { CodeResponseDto } from './dto/code-response.dto.js';

/**
 * Issues codes: one third-party number, wrapped in random letters, recorded
 * on the queue. A code is returned only after the queue accepted its
 * message; any failure propagates as a `ServiceError` and no code leaves.
 */
@Injectable()
export class CodesService {
  constructor(
    private readonly thirdParty: ThirdPartyClient,
    private readonly queue: CodeQueue,
  ) {}

  async issue(requestId: string): Promise<CodeResponseDto> {
    const value = await this.thirdParty.getNumber();
    const code = formatCode(value);
    const timestamp = new Date().toISOString();
    await this.queue.publish({ code, timestamp, requestId });
    return { code, timestamp };
  }
}
