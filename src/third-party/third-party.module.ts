import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import type { AxiosRequestConfig } from 'axios';
import { type ThirdPartyConfig, thirdPartyConfig } from '../config/config.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { ThirdPartyClient } from './third-party.client.js';
import { undiciAdapter } from './undici-adapter.js';
import { UpstreamConnections } from './upstream-connections.js';

/** A generous ceiling for `{"value": n}`: a larger answer is not what we asked for. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** axios settings for the third-party API: undici's kept-alive connections, a timeout, no redirects. */
export function thirdPartyHttpOptions(config: ThirdPartyConfig, connections: UpstreamConnections): AxiosRequestConfig {
  return {
    adapter: undiciAdapter(connections.dispatcher),
    timeout: config.attemptTimeoutMs,
    // A redirect would carry x-functions-key to another URL: refuse them.
    maxRedirects: 0,
    maxContentLength: MAX_RESPONSE_BYTES,
    // Every status is an answer we map ourselves; only transport failures throw.
    validateStatus: () => true,
    responseType: 'text',
    // No request body, and the answer is parsed by the client: axios's default transforms would only cost time.
    transformRequest: [],
    transformResponse: [],
    headers: { accept: 'application/json' },
  };
}

/** Provides `ThirdPartyClient`, the only way the app calls the third-party API. */
@Module({
  imports: [
    SecretsModule,
    HttpModule.registerAsync({
      extraProviders: [UpstreamConnections],
      useFactory: thirdPartyHttpOptions,
      inject: [thirdPartyConfig.KEY, UpstreamConnections],
    }),
  ],
  providers: [ThirdPartyClient],
  exports: [ThirdPartyClient],
})
export class ThirdPartyModule {}
