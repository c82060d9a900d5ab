import type { QueueClient } from '@azure/storage-queue';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppCredential } from '../azure/app-credential.js';
import { untilAborted } from '../common/deadline.js';
import { DependencyStatus } from '../common/dependency-status.js';
import type { ServiceError } from '../common/service-error.js';
import { AppConfig } from '../config/app-config.js';
import { type CodeMessage, encodeMessage } from './code-message.js';
import { QueueNotFoundError, translateQueueFailure } from './queue.errors.js';

/** The `QueueClient` of the codes queue; private to `QueueModule`. */
export const QUEUE_CLIENT = Symbol('QUEUE_CLIENT');

/** How start-up found the queue: created, already there, not checked, or the failure. */
export type QueueStartup = 'created' | 'exists' | 'not checked' | ServiceError;

/**
 * Writes one message per issued code to the Azure Storage queue.
 *
 * `publish()` resolves only once the queue service has accepted the message,
 * and throws a `ServiceError` (503) otherwise. With `QUEUE_CREATE_IF_NOT_EXISTS`
 * the queue is created at start-up, and again if a write finds it missing.
 */
@Injectable()
export class CodeQueue implements OnModuleInit {
  private readonly logger = new Logger(CodeQueue.name);
  /** The queue, named for log lines: `queue "<name>" at <account>`. */
  readonly target: string;
  readonly status: DependencyStatus;
  private readonly createIfNotExists: boolean;
  private readonly messageTtlSeconds: number;
  private startupCheck: Promise<QueueStartup> = Promise.resolve('not checked');

  constructor(
    @Inject(QUEUE_CLIENT) private readonly client: QueueClient,
    private readonly credential: AppCredential,
    config: AppConfig,
  ) {
    this.target = `queue "${client.name}" at ${client.accountName || 'the storage account'}`;
    this.status = new DependencyStatus(`Storage ${this.target}`, this.logger);
    this.createIfNotExists = config.env.QUEUE_CREATE_IF_NOT_EXISTS;
    this.messageTtlSeconds = config.policies.queue.messageTtlSeconds;
  }

  onModuleInit(): void {
    if (this.createIfNotExists) {
      this.startupCheck = this.createQueue().then(
        (created) => (created ? 'created' : 'exists'),
        (error: unknown) => error as ServiceError,
      );
    }
  }

  /** How start-up found the queue; never rejects. */
  get startup(): Promise<QueueStartup> {
    return this.startupCheck;
  }

  /**
   * Checks the queue again without writing a message: creates it if allowed.
   * A sender-only identity may not read queue properties, so without
   * `QUEUE_CREATE_IF_NOT_EXISTS` the failure is forgotten and the next write
   * is the probe.
   */
  async probe(): Promise<void> {
    if (this.createIfNotExists) {
      await this.createQueue();
    } else {
      this.status.forget();
    }
  }

  /** `deadline` (the request's budget) cancels the write, SDK retries included. */
  async publish(message: CodeMessage, deadline?: AbortSignal): Promise<void> {
    await untilAborted(this.startupCheck, deadline);
    const body = encodeMessage(message);
    try {
      await this.send(body, deadline);
    } catch (error) {
      if (!(error instanceof QueueNotFoundError) || !this.createIfNotExists) {
        throw error;
      }
      await this.createQueue();
      this.logger.warn(`Created ${this.target}, which was missing`);
      await this.send(body, deadline);
    }
  }

  private async send(body: string, deadline: AbortSignal | undefined): Promise<void> {
    try {
      await this.client.sendMessage(body, { messageTimeToLive: this.messageTtlSeconds, abortSignal: deadline });
      this.status.succeeded();
    } catch (error) {
      throw deadline?.aborted ? error : this.failed(error);
    }
  }

  /** Resolves true when the queue was created, false when it existed. */
  private async createQueue(): Promise<boolean> {
    try {
      const { succeeded } = await this.client.createIfNotExists();
      this.status.succeeded();
      return succeeded;
    } catch (error) {
      throw this.failed(error);
    }
  }

  private failed(error: unknown): ServiceError {
    const translated = translateQueueFailure(this.target, error, this.credential);
    this.status.failed(translated);
    return translated;
  }
}
