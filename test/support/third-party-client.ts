import { HttpModule, type HttpModuleOptions } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { SecretRedaction } from '../../src/common/secret-redaction.js';
import { AppConfig } from '../../src/config/app-config.js';
import type { Policies } from '../../src/config/policies.js';
import { SECRET_SOURCE } from '../../src/secrets/secret-source.js';
import { SecretsService } from '../../src/secrets/secrets.service.js';
import { ThirdPartyClient } from '../../src/third-party/third-party.client.js';
import { thirdPartyHttpOptions } from '../../src/third-party/third-party.module.js';
import type { FakeSecretSource } from '../doubles/fake-secret-source.js';
import type { LogCapture } from '../doubles/log-capture.js';
import { testConfig } from './test-config.js';

export const API_KEY_SECRET = 'third-party-api-key';

/** One attempt, no retry, a breaker that never opens: for tests about a single call's mapping. */
export const NO_RESILIENCE = {
  attemptTimeoutMs: 2_000,
  maxRetries: 0,
  retryBaseMs: 1,
  maxSockets: 8,
  maxConcurrency: 100,
  breaker: { threshold: 0.99, minCalls: 1_000 },
};

/**
 * A real `ThirdPartyClient` (axios, the resilience pipeline, the secret cache) over a fake secret source; `http` goes
 * over the app's axios options (say, an adapter that fails as the network would).
 */
export async function createThirdPartyClient(
  endpoint: string,
  source: FakeSecretSource,
  logs: LogCapture,
  overrides: Partial<Policies['thirdParty']> = {},
  http: HttpModuleOptions = {},
): Promise<ThirdPartyClient> {
  const config = testConfig(
    { THIRD_PARTY_API_ENDPOINT: endpoint },
    { secrets: { cacheTtlMs: 60_000, refreshBackoffMs: 1_000 }, thirdParty: { ...NO_RESILIENCE, ...overrides } },
  );
  const moduleRef = await Test.createTestingModule({
    imports: [HttpModule.register({ ...thirdPartyHttpOptions(config), ...http })],
    providers: [
      SecretRedaction,
      ThirdPartyClient,
      SecretsService,
      { provide: SECRET_SOURCE, useValue: source },
      { provide: AppConfig, useValue: config },
    ],
  })
    .setLogger(logs)
    .compile();
  return moduleRef.get(ThirdPartyClient);
}
