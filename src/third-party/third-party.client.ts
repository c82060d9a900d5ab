import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { DeadlineExceededError, untilAborted } from '../common/deadline.js';
import { describeError } from '../common/describe-error.js';
import { appConfig, type AppSettings, type ThirdPartyConfig, thirdPartyConfig } from '../config/config.module.js';
import { SecretsService } from '../secrets/secrets.service.js';
import { bareGet } from './bare-adapter.js';
import type { RetryBudgetState } from './retry-budget.js';
import {
  createThirdPartyPolicy,
  type ThirdPartyPipeline,
  translatePolicyError,
  unprotectedPolicy,
} from './third-party.policy.js';
import {
  isKeyRejected,
  parseValue,
  retryAfterMs,
  type UpstreamAnswer,
  type UpstreamGet,
} from './third-party.response.js';
import {
  THIRD_PARTY_DETAIL,
  ThirdPartyBadResponseError,
  ThirdPartyKeyRejectedError,
  ThirdPartyStatusError,
  ThirdPartyTimeoutError,
  ThirdPartyUnreachableError,
} from './third-party.errors.js';

const KEY_HEADER = 'x-functions-key';

/**
 * Client of the third-party number API: reads the access key from
 * `SecretsService` and sends it as `x-functions-key`, through the resilience
 * pipeline of `third-party.policy.ts` (fast retries within the instance's
 * retry budget). A 401/403 means the key was probably
 * rotated: the secret is read again and the call retried once with the new
 * value. Throws `ThirdPartyError`s; axios errors, which carry the request
 * headers (the key), are translated here and never passed on.
 */
@Injectable()
export class ThirdPartyClient {
  private readonly logger = new Logger(ThirdPartyClient.name);

  private readonly policy: ThirdPartyPipeline;

  private readonly get: UpstreamGet;

  constructor(
    private readonly http: HttpService,
    private readonly secrets: SecretsService,
    @Inject(thirdPartyConfig.KEY) private readonly config: ThirdPartyConfig,
    @Inject(appConfig.KEY) app: AppSettings,
  ) {
    this.policy = app.disabledLayers.has('resilience')
      ? unprotectedPolicy(config)
      : createThirdPartyPolicy(config, this.logger);
    // The axios instance itself: HttpService's Observable cancels every finished call, which costs an error per call.
    this.get = app.disabledLayers.has('http-adapter')
      ? bareGet(config.maxSockets)
      : (url, options) => this.http.axiosRef.get<string>(url, options);
  }

  /** The retry budget of this instance, from memory: `exhausted` while failed calls are not being retried. */
  retryBudget(): RetryBudgetState {
    return this.policy.retryBudget();
  }

  /**
   * The integer `value` of one answer of the third-party API. `deadline` (the
   * request's budget) cancels the call, retries included, and any wait for the key.
   */
  async getNumber(deadline?: AbortSignal): Promise<number> {
    try {
      return await this.policy.execute((signal) => this.callOnce(signal), deadline);
    } catch (error) {
      if (deadline?.aborted) {
        throw new DeadlineExceededError('the third-party call');
      }
      throw translatePolicyError(error, this.config);
    }
  }

  /** One attempt: the key, the call, and the one rotation retry on 401/403. */
  private async callOnce(signal: AbortSignal): Promise<number> {
    const name = this.config.apiKeySecretName;
    const key = await untilAborted(this.secrets.get(name), signal);
    let response = await this.send(key, signal);
    if (isKeyRejected(response)) {
      this.secrets.invalidate(name, key);
      const freshKey = await untilAborted(this.secrets.get(name), signal);
      if (freshKey === key) {
        throw this.keyRejected(response, 'the secret still holds the rejected key');
      }
      this.logger.warn(
        `Third-party API rejected the cached key (HTTP ${response.status}); retrying once with the new value of "${name}"`,
      );
      response = await this.send(freshKey, signal);
      if (isKeyRejected(response)) {
        throw this.keyRejected(response, 'the freshly read key was rejected too');
      }
    }
    return this.readValue(response);
  }

  private async send(key: string, signal: AbortSignal): Promise<UpstreamAnswer> {
    try {
      return await this.get(this.config.endpoint, { headers: { [KEY_HEADER]: key }, signal });
    } catch (error) {
      throw this.translateTransportError(error);
    }
  }

  private translateTransportError(error: unknown): Error {
    const code = isAxiosError(error) ? error.code : undefined;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return new ThirdPartyTimeoutError(
        THIRD_PARTY_DETAIL.late,
        `Third-party API ${this.config.endpoint} did not answer within ${this.config.attemptTimeoutMs} ms (one attempt's timeout).`,
      );
    }
    return new ThirdPartyUnreachableError(
      THIRD_PARTY_DETAIL.failed,
      `Third-party API ${this.config.endpoint} could not be reached (${code ?? describeError(error)}); check THIRD_PARTY_API_ENDPOINT.`,
    );
  }

  private keyRejected(response: UpstreamAnswer, why: string): ThirdPartyKeyRejectedError {
    return new ThirdPartyKeyRejectedError(
      THIRD_PARTY_DETAIL.failed,
      `Third-party API answered HTTP ${response.status} to the key in secret "${this.config.apiKeySecretName}" ` +
        `(${why}): put the current key in ${this.secrets.sourceDescription}.`,
    );
  }

  private readValue(response: UpstreamAnswer): number {
    if (response.status < 200 || response.status > 299) {
      throw new ThirdPartyStatusError(
        THIRD_PARTY_DETAIL.failed,
        `Third-party API ${this.config.endpoint} answered HTTP ${response.status}.`,
        response.status,
        retryAfterMs(response.headers['retry-after']),
      );
    }
    const value = parseValue(response.data);
    if (value === undefined) {
      throw new ThirdPartyBadResponseError(
        THIRD_PARTY_DETAIL.unusable,
        `Third-party API ${this.config.endpoint} answered HTTP ${response.status} without an integer "value" in a JSON body.`,
      );
    }
    return value;
  }
}
