import type { DynamicModule } from '@nestjs/common';
import { ConfigModule, getConfigToken, registerAs } from '@nestjs/config';
import type { AppConfig, AppConfigSection } from './app-config.js';

const SECTIONS: readonly AppConfigSection[] = ['app', 'http', 'rateLimit', 'azure', 'secrets', 'thirdParty', 'queue'];

const section = (name: AppConfigSection) => ({ KEY: getConfigToken(name) });

/** Injection tokens of the sections: `@Inject(queueConfig.KEY) config: QueueConfig`. */
export const appConfig = section('app');
export const httpConfig = section('http');
export const rateLimitConfig = section('rateLimit');
export const azureConfig = section('azure');
export const secretsConfig = section('secrets');
export const thirdPartyConfig = section('thirdParty');
export const queueConfig = section('queue');

export type HttpConfig = AppConfig['http'];
export type RateLimitConfig = AppConfig['rateLimit'];
export type AzureConfig = AppConfig['azure'];
export type SecretsConfig = AppConfig['secrets'];
export type ThirdPartyConfig = AppConfig['thirdParty'];
export type QueueConfig = AppConfig['queue'];
export type AppSettings = AppConfig['app'];

/** Each section of the one parsed configuration as a `@nestjs/config` namespace, injectable everywhere. */
export function configModule(config: AppConfig): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    // The environment was parsed and validated once, in server.ts; nothing is read here.
    ignoreEnvFile: true,
    skipProcessEnv: true,
    load: SECTIONS.map((name) => registerAs(name, () => config[name])),
  });
}
