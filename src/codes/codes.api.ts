import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OverloadedError } from '../admission/admission.errors.js';
import { CREDENTIAL_DETAIL, AzureCredentialError } from '../azure/credential.errors.js';
import { DeadlineExceededError } from '../common/deadline.js';
import type { ProblemDetailsDto } from '../common/dto/problem-details.dto.js';
import { INTERNAL_ERROR } from '../common/problem-details.filter.js';
import { ApiBodyRefused, ApiProblem, RATE_LIMIT_HEADERS, RETRY_AFTER } from '../docs/api-problems.js';
import { QUEUE_DETAIL, QueueUnavailableError } from '../queue/queue.errors.js';
import { RATE_LIMIT_DETAIL, RateLimitedError } from '../rate-limit/rate-limit.guard.js';
import { SECRET_DETAIL, SecretStoreUnavailableError } from '../secrets/secrets.errors.js';
import * as thirdParty from '../third-party/third-party.errors.js';
import { CodeResponseDto } from './dto/code-response.dto.js';

type Example = Pick<ProblemDetailsDto, 'status' | 'code' | 'detail'>;

const PATH = '/api/v1/getcode';

const { THIRD_PARTY_DETAIL: detail } = thirdParty;
/** One instance of every error the endpoint answers with: the examples come from the errors themselves. */
const EXAMPLES: Example[] = [
  new RateLimitedError(RATE_LIMIT_DETAIL.client, 60),
  INTERNAL_ERROR,
  new thirdParty.ThirdPartyStatusError(detail.failed, '', 500),
  new thirdParty.ThirdPartyBadResponseError(detail.unusable),
  new thirdParty.ThirdPartyKeyRejectedError(detail.failed),
  new thirdParty.ThirdPartyUnreachableError(detail.failed),
  new QueueUnavailableError(QUEUE_DETAIL),
  new SecretStoreUnavailableError(SECRET_DETAIL),
  new AzureCredentialError(CREDENTIAL_DETAIL),
  new thirdParty.ThirdPartyCircuitOpenError(detail.paused, '', 5),
  new thirdParty.ThirdPartyBusyError(detail.busy),
  new OverloadedError(),
  new thirdParty.ThirdPartyThrottledError(detail.throttled, '', 20),
  new thirdParty.ThirdPartyTimeoutError(detail.late),
  new DeadlineExceededError('the example'),
];

const DESCRIPTIONS: Record<number, string> = {
  429: 'Rate limited, per client or for the whole instance; see `Retry-After` and the rate-limit fields',
  500: 'Unexpected error',
  502: 'The third-party API failed, rejected the key, or answered without an integer `value`',
  503: 'The instance is at capacity (refused before any dependency is touched), Key Vault, the credential or the queue is unavailable, or third-party calls are paused (circuit open, bulkhead full, or the third party asked for a pause); no code was issued. See `Retry-After`',
  504: 'The third-party API, or the request as a whole (its time budget), ran out of time',
};

/** OpenAPI description of `GET /api/v1/getcode`: the code, and every error it can answer. */
export function ApiGetCode(): MethodDecorator {
  return applyDecorators(
    ApiOperation({
      summary: 'Issue a new code',
      description:
        'Reads the third-party key from Key Vault (cached), gets a number from the third-party API, builds ' +
        '`<3 letters>-<number>-<3 letters>` and records it on the Storage queue. Answers only after the queue ' +
        'accepted the message. Rate limited per client and per instance. Only GET is served: HEAD, like any other ' +
        'method, gets 405 with `Allow: GET`, because answering it would spend a third-party call and a queue message ' +
        'on a code nobody receives.',
    }),
    ApiOkResponse({
      type: CodeResponseDto,
      description: 'A new code; its message is on the queue',
      headers: RATE_LIMIT_HEADERS,
    }),
    ApiBodyRefused(PATH),
    ...Object.entries(DESCRIPTIONS).map(([status, description]) => {
      const code = Number(status);
      const headers = code === 429 ? { ...RATE_LIMIT_HEADERS, ...RETRY_AFTER } : code === 503 ? RETRY_AFTER : undefined;
      return ApiProblem(PATH, code, description, EXAMPLES, headers);
    }),
  );
}
