import { Controller, Get, Header } from '@nestjs/common';
import { RequestId } from '../common/request-id.js';
import { CodesService } from './codes.service.js';
import { CodeResponseDto } from './dto/code-response.dto.js';

/** Version 1 of the public API. Routes carry their full path so Nest's 404 handling covers every other URL. */
@Controller('api/v1')
export class CodesController {
  constructor(private readonly codes: CodesService) {}

  /** Issues a new code and records it on the queue. */
  @Get('getcode')
  @Header('Cache-Control', 'no-store')
  getCode(@RequestId() requestId: string): Promise<CodeResponseDto> {
    return this.codes.issue(requestId);
  }
}
