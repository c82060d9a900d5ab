import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpModule, type HttpModuleOptions } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { ThirdPartyClient } from './third-party.client.js';

/** A generous ceiling for `{"value": n}`: a larger answer is not what we asked for. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** axios for the third-party API: kept-alive connections, a timeout per attempt, no redirects, no proxy. */
export function thirdPartyHttpOptions({ policies }: AppConfig): HttpModuleOptions {
  const { attemptTimeoutMs, maxSockets } = policies.thirdParty;
  const agent = { keepAlive: true, maxSockets };
  return {
    httpAgent: new HttpAgent(agent),
    httpsAgent: new HttpsAgent(agent),
    timeout: attemptTimeoutMs,
    // A redirect would carry x-functions-key to another URL.
    maxRedirects: 0,
    proxy: false,
    decompress: false,
    maxContentLength: MAX_RESPONSE_BYTES,
    // Every status is an answer the client maps itself; only transport failures throw.
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [],
    headers: { accept: 'application/json', 'accept-encoding': 'identity' },
  };
}

/** Provides `ThirdPartyClient`, the only way the app calls the third-party API. */
@Module({
  imports: [SecretsModule, HttpModule.registerAsync({ useFactory: thirdPartyHttpOptions, inject: [AppConfig] })],
  providers: [ThirdPartyClient],
  exports: [ThirdPartyClient],
})
export class ThirdPartyModule {}
