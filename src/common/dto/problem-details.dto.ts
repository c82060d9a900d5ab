import { ApiProperty } from '@nestjs/swagger';

/** An error, as RFC 9457 problem details (`application/problem+json`). */
export class ProblemDetailsDto {
  /**
   * Identifies the kind of problem (a stable URI; one per `code`).
   * @example "tag:azure-integrated-auth,2026:problems/third-party-timeout"
   */
  @ApiProperty({ format: 'uri', pattern: '^tag:azure-integrated-auth,2026:problems/[a-z-]+$', maxLength: 80 })
  type!: string;

  /**
   * The HTTP status phrase.
   * @example "Gateway Timeout"
   */
  @ApiProperty({ maxLength: 60 })
  title!: string;

  /**
   * The HTTP status code.
   * @example 504
   */
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 })
  status!: number;

  /**
   * What went wrong, for a person. Never contains internal details or secrets.
   * @example "The upstream number service did not answer in time."
   */
  @ApiProperty({ maxLength: 300 })
  detail!: string;

  /**
   * The path of the request that failed.
   * @example "/api/v1/getcode"
   */
  @ApiProperty({ format: 'uri-reference', maxLength: 16384 })
  instance!: string;

  /**
   * Stable, machine-readable error code.
   * @example "THIRD_PARTY_TIMEOUT"
   */
  @ApiProperty({ pattern: '^[A-Z][A-Z_]*$', maxLength: 60 })
  code!: string;

  /**
   * The request id (also in the `x-request-id` response header and the server logs).
   * @example "5b0e4c1e-3f7a-4d56-9a43-2f1d7f0c9b21"
   */
  @ApiProperty({ pattern: '^[A-Za-z0-9._:-]{1,128}$', maxLength: 128 })
  requestId!: string;
}
