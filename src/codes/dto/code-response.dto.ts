import { ApiProperty } from '@nestjs/swagger';
import { CODE_PATTERN } from '../code-format.js';

/** A freshly issued code; its message is already on the queue. */
export class CodeResponseDto {
  /**
   * Three letters, the third-party number, three letters.
   * @example "qWe-417-RtY"
   */
  @ApiProperty({ pattern: CODE_PATTERN.source, maxLength: 25 })
  code!: string;

  /**
   * When the code was issued, ISO 8601 in UTC.
   * @example "2026-11-29T10:15:30.123Z"
   */
  @ApiProperty({ format: 'date-time', maxLength: 24 })
  timestamp!: string;
}
