import { AppConfig, type Platform } from '../../src/config/app-config.js';
import { parseEnvironment } from '../../src/config/environment.js';
import { type PolicyOverrides, policiesWith } from '../../src/config/policies.js';

/** A valid local environment: the third-party key from the environment, Azurite's connection string. */
export const LOCAL_ENV = {
  THIRD_PARTY_API_ENDPOINT: 'http://127.0.0.1:7071/api/RandomNumber',
  THIRD_PARTY_API_KEY: 'local-key-0c1d',
  AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

/** The app's configuration as a unit test needs it: `env` on top of a local one, and short `policies`. */
export function testConfig(
  env: Record<string, string> = {},
  policies: PolicyOverrides = {},
  platform?: Platform,
): AppConfig {
  return new AppConfig(parseEnvironment({ ...LOCAL_ENV, ...env }), policiesWith(policies), platform);
}
