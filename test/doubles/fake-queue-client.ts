import { type QueueClient, type QueueSendMessageOptions, RestError } from '@azure/storage-queue';

export interface SentMessage {
  text: string;
  options?: QueueSendMessageOptions;
}

/**
 * The part of `QueueClient` that `CodeQueue` uses, in memory: sent messages
 * are kept; failures are scripted per call; a missing queue answers 404.
 */
export class FakeQueueClient {
  readonly name = 'code-requests';
  readonly accountName = 'devstoreaccount1';
  readonly sent: SentMessage[] = [];
  exists = true;
  /** When set, writes never finish on their own: only their abort signal ends them. */
  hangSends = false;
  creates = 0;
  sendFailures: Error[] = [];
  createFailures: Error[] = [];

  asQueueClient(): QueueClient {
    return this as unknown as QueueClient;
  }

  sendMessage(text: string, options?: QueueSendMessageOptions): Promise<object> {
    if (this.hangSends) {
      return new Promise((_resolve, reject) => {
        options?.abortSignal?.addEventListener('abort', () => reject(new Error('The operation was aborted.')));
      });
    }
    const failure = this.sendFailures.shift();
    if (failure !== undefined) {
      return Promise.reject(failure);
    }
    if (!this.exists) {
      return Promise.reject(
        new RestError('The specified queue does not exist.', { statusCode: 404, code: 'QueueNotFound' }),
      );
    }
    this.sent.push({ text, options });
    return Promise.resolve({});
  }

  createIfNotExists(): Promise<{ succeeded: boolean }> {
    this.creates++;
    const failure = this.createFailures.shift();
    if (failure !== undefined) {
      return Promise.reject(failure);
    }
    const succeeded = !this.exists;
    this.exists = true;
    return Promise.resolve({ succeeded });
  }
}
