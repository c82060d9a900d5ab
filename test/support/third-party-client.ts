import { HttpModule } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { DEFAULT_POLICIES } from '../../src/config/policies.js';
import { appConfig, secretsConfig, type ThirdPartyConfig, thirdPartyConfig } from '../../src/config/config.module.js';
import { SecretRedaction } from '../../src/common/secret-redaction.js';
import { SECRET_SOURCE } from '../../src/secrets/secrets.constants.js';
import { SecretsService } from '../../src/secrets/secrets.service.js';
import { ThirdPartyClient } from '../../src/third-party/third-party.client.js';
import { UpstreamConnections } from '../../src/third-party/upstream-connections.js';
import { thirdPartyHttpOptions } from '../../src/third-party/third-party.module.js';
import type { FakeSecretSource } from '../doubles/fake-secret-source.js';
import type { LogCapture } from '../doubles/log-capture.js';

export const API_KEY_SECRET = 'third-party-api-key';

/** One attempt, no retry, a breaker that never opens: for tests about a single call's mapping. */
export const NO_RESILIENCE = {
  attemptTimeoutMs: 2_000,
  budgetMs: 10_000,
  maxRetries: 0,
  retryBaseMs: 0,
  retryMaxDelayMs: 100,
  retryBudget: DEFAULT_POLICIES.thirdParty.retryBudget,
  maxConcurrency: 100,
  breaker: { threshold: 0.99, minCalls: 1_000, windowMs: 30_000, openMs: 5_000 },
};

/** A real `ThirdPartyClient` (axios, the resilience pipeline, the secret cache) over a fake secret source. */
export async function createThirdPartyClient(
  endpoint: string,
  source: FakeSecretSource,
  logs: LogCapture,
  overrides: Partial<ThirdPartyConfig> = {},
): Promise<ThirdPartyClient> {
  const config = { ...NO_RESILIENCE, endpoint, apiKeySecretName: API_KEY_SECRET, maxSockets: 8, ...overrides };
  const connections = new UpstreamConnections(config);
  const moduleRef = await Test.createTestingModule({
    imports: [HttpModule.register(thirdPartyHttpOptions(config, connections))],
    providers: [
      { provide: UpstreamConnections, useValue: connections },
      SecretRedaction,
      ThirdPartyClient,
      SecretsService,
      { provide: SECRET_SOURCE, useValue: source },
      { provide: thirdPartyConfig.KEY, useValue: config },
      { provide: appConfig.KEY, useValue: { disabledLayers: new Set() } },
      { provide: secretsConfig.KEY, useValue: { cacheTtlMs: 60_000, refreshBackoffMs: 1_000 } },
    ],
  })
    .setLogger(logs)
    .compile();
  return moduleRef.get(ThirdPartyClient);
}
