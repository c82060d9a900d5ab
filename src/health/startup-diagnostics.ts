import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppCredential } from '../azure/app-credential.js';
import { KEY_VAULT_SCOPE, REDIS_SCOPE, STORAGE_SCOPE } from '../azure/azure.constants.js';
import { credentialError } from '../azure/credential.errors.js';
import { operatorMessage } from '../common/service-error.js';
import {
  type QueueConfig,
  queueConfig,
  type RateLimitConfig,
  rateLimitConfig,
  type SecretsConfig,
  secretsConfig,
  type ThirdPartyConfig,
  thirdPartyConfig,
} from '../config/config.module.js';
import { CodeQueue } from '../queue/code-queue.service.js';
import type { RateLimits } from '../rate-limit/local-rate-limits.js';
import { RATE_LIMITS } from '../rate-limit/rate-limit.constants.js';
import { hasPassword, redisTarget } from '../rate-limit/redis-client.js';
import { SharedRateLimits } from '../rate-limit/shared-rate-limits.js';
import { SecretsService } from '../secrets/secrets.service.js';
import { describeTokenIdentity } from './token-identity.js';

/**
 * At start-up, without delaying `listen`: reads the third-party key once
 * (filling the cache) and waits for the queue's start-up check, getting a
 * token for each Azure service on the way, then logs one line per
 * dependency: who authenticated, or what failed and how to fix it. The
 * process keeps running either way.
 */
@Injectable()
export class StartupDiagnostics implements OnApplicationBootstrap {
  private readonly logger = new Logger('StartupDiagnostics');

  constructor(
    private readonly credential: AppCredential,
    private readonly secrets: SecretsService,
    private readonly queue: CodeQueue,
    @Inject(secretsConfig.KEY) private readonly secretsSettings: SecretsConfig,
    @Inject(thirdPartyConfig.KEY) private readonly thirdParty: ThirdPartyConfig,
    @Inject(queueConfig.KEY) private readonly queueSettings: QueueConfig,
    @Inject(rateLimitConfig.KEY) private readonly rateLimit: RateLimitConfig,
    @Inject(RATE_LIMITS) private readonly limits: RateLimits,
  ) {}

  onApplicationBootstrap(): void {
    void this.report('secrets', () => this.secretLine());
    void this.report('queue', () => this.queueLine());
    void this.report('redis', () => this.redisLine());
  }

  private async secretLine(): Promise<string> {
    const name = this.thirdParty.apiKeySecretName;
    const source = this.secrets.sourceDescription;
    const vault = this.secretsSettings.keyVaultUrl;
    // Both at once (they share one token request); the read runs even when the identity check fails, so its
    // failure is cached and requests are answered at once instead of the first one waiting on the vault.
    const [who, read] = await Promise.allSettled([
      vault ? this.identity(KEY_VAULT_SCOPE, source) : undefined,
      this.secrets.get(name),
    ]);
    if (who.status === 'rejected') {
      throw who.reason;
    }
    if (read.status === 'rejected') {
      throw read.reason;
    }
    return `${source}: secret "${name}" is readable${who.value ? ` as ${who.value}` : ''}`;
  }

  private async queueLine(): Promise<string> {
    const target = this.queue.target;
    const identity = this.queueSettings.queueUrl ? await this.identity(STORAGE_SCOPE, target) : undefined;
    const outcome = await this.queue.startup;
    if (typeof outcome !== 'string') {
      throw outcome;
    }
    const how = identity ? `with a token as ${identity}` : 'with a connection string (local development)';
    return `Storage ${target}: reachable ${how}; queue ${outcome}`;
  }

  private async redisLine(): Promise<string> {
    const url = this.rateLimit.redisUrl;
    if (!url || !(this.limits instanceof SharedRateLimits)) {
      return 'Rate limits: counted by this instance (REDIS_URL is not set; see docs/scale-out.md before scaling out)';
    }
    const target = redisTarget(url);
    const identity = hasPassword(url) ? undefined : await this.identity(REDIS_SCOPE, `Redis ${target}`);
    await this.limits.firstConnection;
    const how = identity ? `with a token as ${identity}` : 'with the password in REDIS_URL (local development)';
    return `Redis ${target}: reachable ${how}; rate limits are shared by every instance`;
  }

  /** Who the credential authenticates as for `scope`, from its token's claims. */
  private async identity(scope: string, target: string): Promise<string> {
    try {
      // Same options as the SDK clients' bearer policy, so this token is the one they reuse.
      const token = await this.credential.getToken(scope, { enableCae: true });
      return token ? describeTokenIdentity(token.token) : 'an unknown identity';
    } catch (error) {
      throw credentialError(target, error);
    }
  }

  /** Logs the probe's line, or what to fix; never throws. */
  private async report(dependency: string, probe: () => Promise<string>): Promise<void> {
    try {
      this.logger.log(await probe());
    } catch (error) {
      this.logger.error(`${dependency}: ${operatorMessage(error)}`);
    }
  }
}
