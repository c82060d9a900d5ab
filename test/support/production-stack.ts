import { randomBytes } from 'node:crypto';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { QueueClient } from '@azure/storage-queue';
import { ReferenceApi } from '../../reference-api/main.js';
import { ConnectProxy } from '../doubles/connect-proxy.js';
import { KeyVaultDouble } from '../doubles/key-vault.js';
import { ManagedIdentityEndpoint } from '../doubles/managed-identity-endpoint.js';
import { createTestPki, TEST_VAULT_HOST, type TestPki } from '../doubles/test-pki.js';
import { Azurite } from './azurite.js';

export const SECRET_NAME = 'third-party-api-key';
export const VAULT_URL = `https://${TEST_VAULT_HOST}/`;

/**
 * Everything the production authentication path talks to, on loopback:
 * the App Service managed identity endpoint, Key Vault over HTTPS (reached as
 * a real-looking https://<name>.vault.azure.net/ through a CONNECT proxy),
 * Azurite over HTTPS with Entra ID auth, and the reference third-party API.
 * Certificates come from a throwaway CA the app trusts via NODE_EXTRA_CA_CERTS.
 */
export class ProductionStack {
  /** The current third-party key: in the vault and accepted by the reference API. */
  key = `kv-key-${randomBytes(12).toString('hex')}`;

  private constructor(
    readonly pki: TestPki,
    readonly identity: ManagedIdentityEndpoint,
    readonly vault: KeyVaultDouble,
    readonly proxy: ConnectProxy,
    readonly proxyUrl: string,
    readonly azurite: Azurite,
    readonly referenceApi: ReferenceApi,
    readonly referenceApiUrl: string,
  ) {}

  static async start(): Promise<ProductionStack> {
    const pki = createTestPki();
    // This test process reads the queue back over HTTPS too: trust the CA here as well, verification on.
    setDefaultCACertificates([...getCACertificates('default'), pki.caCert]);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const identity = new ManagedIdentityEndpoint();
      started.push(identity);
      await identity.start();
      const vault = new KeyVaultDouble(VAULT_URL, pki);
      started.push(vault);
      const vaultPort = await vault.start();
      const proxy = new ConnectProxy({ [`${TEST_VAULT_HOST}:443`]: vaultPort });
      started.push(proxy);
      const proxyUrl = await proxy.start();
      const referenceApi = new ReferenceApi([]);
      started.push({ stop: () => referenceApi.close() });
      const referenceApiUrl = await referenceApi.listen();
      const azurite = await Azurite.start({ tls: pki });
      const stack = new ProductionStack(pki, identity, vault, proxy, proxyUrl, azurite, referenceApi, referenceApiUrl);
      stack.rotateKey(stack.key);
      return stack;
    } catch (error) {
      // Stop what did start, so a failed start leaves nothing running.
      await Promise.allSettled(started.map((service) => service.stop()));
      pki.remove();
      throw error;
    }
  }

  /** Puts a new key in the vault and makes the reference API accept only it (the old key is refused). */
  rotateKey(key = `kv-key-${randomBytes(12).toString('hex')}`): string {
    this.key = key;
    this.vault.setSecret(SECRET_NAME, key);
    this.referenceApi.setKeys([key]);
    return key;
  }

  /** The production configuration contract, and nothing else: no connection string, no key. */
  appEnvironment(port: number, queueName: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'production',
      PORT: String(port),
      KEY_VAULT_URL: VAULT_URL,
      THIRD_PARTY_API_SECRET_NAME: SECRET_NAME,
      THIRD_PARTY_API_ENDPOINT: this.referenceApiUrl,
      STORAGE_QUEUE_URL: this.azurite.queueUrl(queueName),
      ...this.identity.environment,
      NODE_EXTRA_CA_CERTS: this.pki.caCertPath,
      HTTPS_PROXY: this.proxyUrl,
      NO_PROXY: '127.0.0.1,localhost',
      ...extra,
    };
  }

  /** A client of the app's queue with its own Entra token (not counted by the identity endpoint). */
  queue(name: string): QueueClient {
    const identity = this.identity;
    return new QueueClient(this.azurite.queueUrl(name), {
      getToken: () => {
        const { token, expiresOn } = identity.mint('https://storage.azure.com');
        return Promise.resolve({ token, expiresOnTimestamp: expiresOn * 1000 });
      },
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.identity.stop(), this.vault.stop(), this.proxy.stop(), this.referenceApi.close()]);
    await this.azurite.stop();
    this.pki.remove();
  }
}
