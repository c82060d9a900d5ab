import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Host names the test server certificate is valid for. */
export const TEST_VAULT_HOST = 'kv-e2e.vault.azure.net';

export interface TestPki {
  dir: string;
  /** The throwaway CA, for NODE_EXTRA_CA_CERTS or tls.setDefaultCACertificates. */
  caCertPath: string;
  caCert: string;
  /** A server certificate for localhost, 127.0.0.1 and *.vault.azure.net, signed by the CA. */
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  remove(): void;
}

/**
 * Generates a CA and a server certificate in a temp folder with openssl.
 * Nothing is committed; the app under test trusts the CA through
 * NODE_EXTRA_CA_CERTS, with TLS verification left on.
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'aia-pki-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=azure-integrated-auth test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ecKey, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(
    path('server.ext'),
    [
      `subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:${TEST_VAULT_HOST}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-out',
    path('server.pem'),
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
  );

  return {
    dir,
    caCertPath: path('ca.pem'),
    caCert: readFileSync(path('ca.pem'), 'utf8'),
    certPath: path('server.pem'),
    keyPath: path('server.key'),
    cert: readFileSync(path('server.pem'), 'utf8'),
    key: readFileSync(path('server.key'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
