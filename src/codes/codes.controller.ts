import { All, Controller, Get, Head, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RequestId } from '../common/request-id.js';
import { MethodNotAllowedError } from '../common/service-error.js';
import { ApiGetCode } from './codes.api.js';
import { CodesService } from './codes.service.js';
import { CodeResponseDto } from './dto/code-response.dto.js';

/** Version 1 of the public API. Routes carry their full path so Nest's 404 handling covers every other URL. */
@ApiTags('codes')
@Controller('api/v1')
export class CodesController {
  constructor(private readonly codes: CodesService) {}

  /**
   * HEAD would run the GET handler (Express answers HEAD with it): a
   * third-party call and a queue message for a code nobody receives. It is
   * refused instead; declared before the GET so Express routes HEAD here.
   */
  @Head('getcode')
  @ApiExcludeEndpoint()
  head(): never {
    throw new MethodNotAllowedError(['GET']);
  }

  /** Issues a new code and records it on the queue. */
  @Get('getcode')
  @ApiGetCode()
  @UseGuards(RateLimitGuard)
  getCode(@RequestId() requestId: string): Promise<CodeResponseDto> {
    return this.codes.issue(requestId);
  }

  /** Any other method on the same path: 405 with `Allow`. */
  @All('getcode')
  @ApiExcludeEndpoint()
  otherMethods(): never {
    throw new MethodNotAllowedError(['GET']);
  }
}
