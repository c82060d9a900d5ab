import type { QueueClient } from '@azure/storage-queue';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppCredential } from '../azure/app-credential.js';
import { untilAborted } from '../common/deadline.js';
import { DependencyStatus } from '../common/dependency-status.js';
import type { ServiceError } from '../common/service-error.js';
import { AppConfig } from '../config/app-config.js';
import { type CodeMessage, encodeMessage } from './code-message.js';
import { QueueNotFoundError, translateQueueFailure } from './queue.errors.js';

export const QUEUE_CLIENT = Symbol('QUEUE_CLIENT');

export type QueueStartup = 'created' | 'exists' | 'not checked' | ServiceError;

/**
 * Writes one message per issued code to the Azure Storage queue. `publish()` resolves once the service accepted it and
 * throws a `ServiceError` (503) otherwise. With `QUEUE_CREATE_IF_NOT_EXISTS` the queue is created at start-up, and
 * again if a write finds it missing.
 */
@Injectable()
export class CodeQueue implements OnModuleInit {
  private readonly logger = new Logger(CodeQueue.name);
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

  get startup(): Promise<QueueStartup> {
    return this.startupCheck;
  }

  /** Checks the queue without writing: creates it if allowed; a sender-only identity waits for the next write. */
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
