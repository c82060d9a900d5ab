import type { QueueClient } from '@azure/storage-queue';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppCredential } from '../azure/app-credential.js';
import { STORAGE_SCOPE } from '../azure/azure.constants.js';
import { credentialError } from '../azure/credential.errors.js';
import { DeadlineExceededError, untilAborted } from '../common/deadline.js';
import { ServiceError, operatorMessage } from '../common/service-error.js';
import { type QueueConfig, queueConfig } from '../config/config.module.js';
import { type CodeMessage, encodeMessage } from './code-message.js';
import { QUEUE_CLIENT } from './queue.constants.js';
import { QueueNotFoundError, translateQueueFailure } from './queue.errors.js';

/** After a failed write, readiness reports the queue down for this long (then lets traffic try again). */
const FAILURE_WINDOW_MS = 30_000;

/** What readiness reports for the queue. */
export interface QueueHealth {
  available: boolean;
  detail: string;
}

/** How start-up found the queue: created, already there, not checked, or the failure. */
type StartupOutcome = 'created' | 'exists' | 'not checked' | ServiceError;

/**
 * Writes one message per issued code to the Azure Storage queue.
 *
 * `publish()` resolves only once the queue service has accepted the message,
 * and throws a `ServiceError` (503) otherwise. With
 * `QUEUE_CREATE_IF_NOT_EXISTS` (default on) the queue is created at start-up,
 * and again if a write finds it missing.
 */
@Injectable()
export class CodeQueue implements OnApplicationBootstrap {
  private readonly logger = new Logger(CodeQueue.name);
  private readonly target: string;
  private startup: Promise<StartupOutcome> = Promise.resolve('not checked');
  private lastFailure?: { at: number; error: ServiceError };
  /** A background creation check started by readiness while the queue is reported down. */
  private probe?: Promise<unknown>;

  constructor(
    @Inject(QUEUE_CLIENT) private readonly client: QueueClient,
    @Inject(queueConfig.KEY) private readonly config: QueueConfig,
    private readonly credential: AppCredential,
  ) {
    this.target = `queue "${client.name}" at ${client.accountName || 'the storage account'}`;
  }

  onApplicationBootstrap(): void {
    if (this.config.createIfNotExists) {
      this.startup = this.createQueue().then(
        (created) => (created ? 'created' : 'exists'),
        (error: unknown) => error as ServiceError,
      );
    }
  }

  /**
   * Start-up diagnostics: who the client authenticates as (Entra ID mode) and
   * how start-up found the queue. Throws `ServiceError`s.
   */
  async checkAccess(): Promise<string> {
    const identity = this.config.queueUrl ? await this.identity() : undefined;
    const outcome = await this.startup;
    if (outcome instanceof ServiceError) {
      throw outcome;
    }
    const how = identity ? `with a token as ${identity}` : 'with a connection string (local development)';
    return `Storage ${this.target}: reachable ${how}; queue ${outcome}`;
  }

  /**
   * Readiness, from memory: down while the last queue operation failed less
   * than 30 s ago. While down, and when the app may create the queue, it also
   * starts one background `createIfNotExists` (never more than one at a
   * time), so the instance is ready again as soon as the queue answers. (A
   * sender-only identity may not read queue properties: without
   * `QUEUE_CREATE_IF_NOT_EXISTS` the window alone decides.)
   */
  health(): QueueHealth {
    const failure = this.lastFailure;
    if (failure && Date.now() - failure.at < FAILURE_WINDOW_MS) {
      if (this.config.createIfNotExists) {
        this.probe ??= this.createQueue()
          .catch(() => undefined)
          .finally(() => (this.probe = undefined));
      }
      return { available: false, detail: operatorMessage(failure.error) };
    }
    return { available: true, detail: `${this.target}: no failed write in the last ${FAILURE_WINDOW_MS / 1000} s` };
  }

  /** `deadline` (the request's budget) cancels the write, SDK retries included. */
  async publish(message: CodeMessage, deadline?: AbortSignal): Promise<void> {
    await untilAborted(this.startup, deadline).catch(() => {
      throw new DeadlineExceededError('the wait for the queue start-up check'); // startup itself never rejects
    });
    const body = encodeMessage(message);
    try {
      await this.send(body, deadline);
    } catch (error) {
      if (!(error instanceof QueueNotFoundError) || !this.config.createIfNotExists) {
        throw error;
      }
      await this.createQueue();
      this.logger.warn(`Created ${this.target}, which was missing`);
      await this.send(body, deadline);
    }
  }

  private async send(body: string, deadline: AbortSignal | undefined): Promise<void> {
    try {
      await this.client.sendMessage(body, { messageTimeToLive: this.config.messageTtlSeconds, abortSignal: deadline });
      this.lastFailure = undefined;
    } catch (error) {
      if (deadline?.aborted) {
        throw new DeadlineExceededError('the queue write');
      }
      throw this.failed(error);
    }
  }

  /** Resolves true when the queue was created, false when it existed. */
  private async createQueue(): Promise<boolean> {
    try {
      const { succeeded } = await this.client.createIfNotExists();
      this.lastFailure = undefined;
      return succeeded;
    } catch (error) {
      throw this.failed(error);
    }
  }

  private async identity(): Promise<string> {
    try {
      return await this.credential.identityFor(STORAGE_SCOPE);
    } catch (error) {
      throw credentialError(this.target, error);
    }
  }

  /** Translates a failure and remembers it for readiness. */
  private failed(error: unknown): ServiceError {
    const translated = translateQueueFailure(this.target, error);
    this.lastFailure = { at: Date.now(), error: translated };
    return translated;
  }
}
