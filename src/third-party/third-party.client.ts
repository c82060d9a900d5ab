import type { Agent } from 'node:http';
import { HttpService } from '@nestjs/axios';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type AxiosResponse, isAxiosError } from 'axios';
import { untilAborted } from '../common/deadline.js';
import { describeError } from '../common/service-error.js';
import { AppConfig } from '../config/app-config.js';
import type { Policies } from '../config/policies.js';
import { SecretsService } from '../secrets/secrets.service.js';
import { createThirdPartyPolicy, translatePolicyError } from './third-party.policy.js';
import { isKeyRejected, parseValue, retryAfterMs } from './third-party.response.js';
import {
  THIRD_PARTY_DETAIL,
  ThirdPartyBadResponseError,
  ThirdPartyKeyRejectedError,
  ThirdPartyStatusError,
  ThirdPartyThrottledError,
  ThirdPartyTimeoutError,
  ThirdPartyUnreachableError,
} from './third-party.errors.js';

const KEY_HEADER = 'x-functions-key';

/**
 * Client of the third-party number API: sends the key from `SecretsService` as `x-functions-key`, through the
 * resilience pipeline. A 401/403 means the key was probably rotated: it is read again and the call retried once.
 * Throws `ThirdPartyError`s; axios errors, which carry the request headers (the key), are never passed on.
 */
@Injectable()
export class ThirdPartyClient implements OnModuleDestroy {
  private readonly logger = new Logger(ThirdPartyClient.name);
  private readonly policy: ReturnType<typeof createThirdPartyPolicy>;
  private readonly settings: Policies['thirdParty'];
  private readonly endpoint: string;
  private readonly secretName: string;

  constructor(
    private readonly http: HttpService,
    private readonly secrets: SecretsService,
    config: AppConfig,
  ) {
    this.settings = config.policies.thirdParty;
    this.endpoint = config.env.THIRD_PARTY_API_ENDPOINT;
    this.secretName = config.env.THIRD_PARTY_API_SECRET_NAME;
    this.policy = createThirdPartyPolicy(this.settings, this.logger);
  }

  /** The kept-alive connections would otherwise hold the process until their idle timeout. */
  onModuleDestroy(): void {
    const agents = this.http.axiosRef.defaults as { httpAgent?: Agent; httpsAgent?: Agent };
    agents.httpAgent?.destroy();
    agents.httpsAgent?.destroy();
  }

  /** The integer `value` of one answer of the third-party API; `deadline` cancels it all, retries included. */
  async getNumber(deadline?: AbortSignal): Promise<number> {
    try {
      return await this.policy.execute(({ signal }) => this.callOnce(signal), deadline);
    } catch (error) {
      throw translatePolicyError(error, this.settings);
    }
  }

  private async callOnce(signal: AbortSignal): Promise<number> {
    const name = this.secretName;
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

  private async send(key: string, signal: AbortSignal): Promise<AxiosResponse<string>> {
    try {
      // axios itself: HttpService's Observable would build a cancellation error after every finished call.
      return await this.http.axiosRef.get<string>(this.endpoint, { headers: { [KEY_HEADER]: key }, signal });
    } catch (error) {
      throw this.transportError(error);
    }
  }

  private transportError(error: unknown): Error {
    const code = isAxiosError(error) ? error.code : undefined;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return new ThirdPartyTimeoutError(
        THIRD_PARTY_DETAIL.late,
        `Third-party API ${this.endpoint} did not answer within ${this.settings.attemptTimeoutMs} ms (one attempt's timeout).`,
      );
    }
    return new ThirdPartyUnreachableError(
      THIRD_PARTY_DETAIL.failed,
      `Third-party API ${this.endpoint} could not be reached (${code ?? describeError(error)}); check THIRD_PARTY_API_ENDPOINT.`,
    );
  }

  private keyRejected(response: AxiosResponse, why: string): ThirdPartyKeyRejectedError {
    return new ThirdPartyKeyRejectedError(
      THIRD_PARTY_DETAIL.failed,
      `Third-party API answered HTTP ${response.status} to the key in secret "${this.secretName}" ` +
        `(${why}): put the current key in ${this.secrets.sourceDescription}.`,
    );
  }

  private readValue(response: AxiosResponse<string>): number {
    if (response.status >= 300) {
      throw this.statusError(response);
    }
    const value = parseValue(response.data);
    if (value === undefined) {
      throw new ThirdPartyBadResponseError(
        THIRD_PARTY_DETAIL.unusable,
        `Third-party API ${this.endpoint} answered HTTP ${response.status} without an integer "value" in a JSON body.`,
      );
    }
    return value;
  }

  private statusError({ status, headers }: AxiosResponse): Error {
    const answered = `Third-party API ${this.endpoint} answered HTTP ${status}`;
    const retryAfter = retryAfterMs(headers['retry-after']);
    // Stryker disable next-line ConditionalExpression: `undefined > n` is false too; the check is for the type checker
    if (retryAfter !== undefined && retryAfter > this.settings.retryAfterLimitMs) {
      const seconds = Math.ceil(retryAfter / 1000);
      return new ThirdPartyThrottledError(
        THIRD_PARTY_DETAIL.throttled,
        `${answered} with Retry-After ${seconds} s: passed on to the caller instead of waiting.`,
        seconds,
      );
    }
    return new ThirdPartyStatusError(THIRD_PARTY_DETAIL.failed, `${answered}.`, status, retryAfter);
  }
}
