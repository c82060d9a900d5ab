import { randomBytes } from 'node:crypto';
import { ReferenceApi } from '../../reference-api/main.js';
import type { PolicyOverrides } from '../../src/config/policies.js';
import { Azurite, type AzuriteOptions } from './azurite.js';
import { type TestApp, startTestApp } from './test-app.js';

/**
 * The local-development stack for e2e tests: real Azurite, the real
 * reference API accepting one random key, and as many apps (AppModule as
 * production wires it) as a test needs, each on its own queue.
 */
export class LocalStack {
  /** A key unlike anything else in the output, so finding it anywhere is a leak. */
  readonly key = `e2e-key-${randomBytes(12).toString('hex')}`;
  private readonly apps: TestApp[] = [];

  private constructor(
    readonly azurite: Azurite,
    readonly referenceApi: ReferenceApi,
    readonly referenceApiUrl: string,
  ) {}

  static async start(azuriteOptions: AzuriteOptions = {}): Promise<LocalStack> {
    const azurite = await Azurite.start(azuriteOptions);
    const referenceApi = new ReferenceApi([]);
    try {
      const stack = new LocalStack(azurite, referenceApi, await referenceApi.listen());
      referenceApi.setKeys([stack.key]);
      return stack;
    } catch (error) {
      await azurite.stop();
      throw error;
    }
  }

  /** An app on this stack; `env` goes on top of the stack's endpoint and key. */
  async app(env: Record<string, string | undefined> = {}, policies: PolicyOverrides = {}): Promise<TestApp> {
    const app = await startTestApp(
      this.azurite,
      { THIRD_PARTY_API_ENDPOINT: this.referenceApiUrl, THIRD_PARTY_API_KEY: this.key, ...env },
      policies,
    );
    this.apps.push(app);
    return app;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.close()));
    await this.referenceApi.close();
    await this.azurite.stop();
  }
}
