/** An error, as RFC 9457 problem details (`application/problem+json`). */
export class ProblemDetailsDto {
  /**
   * Identifies the kind of problem (a stable URI; one per `code`).
   * @example "tag:azure-integrated-auth,2026:problems/third-party-timeout"
   */
  type!: string;

  /**
   * The HTTP status phrase.
   * @example "Gateway Timeout"
   */
  title!: string;

  /**
   * The HTTP status code.
   * @example 504
   */
  status!: number;

  /**
   * What went wrong, for a person. Never contains internal details or secrets.
   * @example "The upstream number service did not answer in time."
   */
  detail!: string;

  /**
   * The path of the request that failed.
   * @example "/api/v1/getcode"
   */
  instance!: string;

  /**
   * Stable, machine-readable error code.
   * @example "THIRD_PARTY_TIMEOUT"
   */
  code!: string;

  /**
   * The request id (also in the `x-request-id` response header and the server logs).
   * @example "5b0e4c1e-3f7a-4d56-9a43-2f1d7f0c9b21"
   */
  requestId!: string;
}
