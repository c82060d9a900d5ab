import { readFileSync } from 'node:fs';
import { parseEnvironment } from '../src/config/environment.js';
import { environmentShape } from '../src/config/environment.schema.js';

/**
 * Holds the deployment and the app together without Azure or a Bicep
 * compiler (the GitHub workflow compiles the Bicep): the app settings the
 * Bicep sets are exactly what the app reads and needs in production, the
 * identity gets only the least-privilege roles, and the Dockerfile keeps
 * the runtime contract.
 */
const resources = readFileSync('infra/resources.bicep', 'utf8');
const main = readFileSync('infra/main.bicep', 'utf8');
const dockerfile = readFileSync('Dockerfile', 'utf8');

/** The body of `var <name> = { ... }` as `key -> expression`. */
function bicepObject(source: string, name: string): Map<string, string> {
  const body = new RegExp(`^var ${name} = \\{\\n([\\s\\S]*?)\\n\\}`, 'm').exec(source)?.[1];
  if (body === undefined) {
    throw new Error(`var ${name} not found`);
  }
  const entries = body
    .split('\n')
    .map((line) => /^\s+([A-Za-z_][A-Za-z0-9_]*): (.+?)(\s*\/\/.*)?$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => [match[1] ?? '', match[2] ?? ''] as const);
  return new Map(entries);
}

/** A literal Bicep string's value, or a realistic stand-in for an expression only Azure can evaluate. */
function sampleValue(name: string, expression: string): string {
  const literal = /^'([^'$]*)'$/.exec(expression)?.[1];
  if (literal !== undefined) {
    return literal;
  }
  const variable = new RegExp(`^var ${expression} = '([^'$]*)'$`, 'm').exec(resources)?.[1];
  if (/^\w+$/.test(expression) && variable !== undefined) {
    return variable;
  }
  const standIns: Record<string, string> = {
    KEY_VAULT_URL: 'https://kv-abc.vault.azure.net/',
    THIRD_PARTY_API_ENDPOINT: 'https://app-ref-abc.azurewebsites.net/api/RandomNumber',
    STORAGE_QUEUE_URL: 'https://stabc.queue.core.windows.net/code-requests',
    AZURE_CLIENT_ID: '6f1c2a3b-0000-4000-8000-000000000001',
    APPLICATIONINSIGHTS_CONNECTION_STRING:
      'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://x/',
  };
  const standIn = standIns[name];
  if (standIn === undefined) {
    throw new Error(`no stand-in for ${name} = ${expression}`);
  }
  return standIn;
}

const PLATFORM_SETTINGS = ['WEBSITES_PORT', 'WEBSITES_CONTAINER_STOP_TIME_LIMIT'];
const ROLE_NAMES: Record<string, string> = {
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a': 'Storage Queue Data Message Sender',
  '19e7f393-937e-4f77-808e-94535e297925': 'Storage Queue Data Reader',
};
const BROAD_ROLES = [
  'b24988ac-6180-42a0-ab88-20f7382dd24c', // Contributor
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88', // Storage Queue Data Contributor
  '00482a5a-887f-4fb3-b363-3b7fe8e74483', // Key Vault Administrator
];

describe('the deployment contract', () => {
  const appSettings = bicepObject(resources, 'appSettings');
  const roles = bicepObject(resources, 'roles');

  it('sets only settings the app reads (or App Service itself reads)', () => {
    const readByApp = new Set<string>(Object.keys(environmentShape.shape));
    const unknown = [...appSettings.keys()].filter((name) => !readByApp.has(name) && !PLATFORM_SETTINGS.includes(name));
    expect(unknown).toEqual([]);
  });

  it('sets everything the app requires in production, and passes the app’s own validation', () => {
    const env = Object.fromEntries([...appSettings].map(([name, expression]) => [name, sampleValue(name, expression)]));
    expect(() => parseEnvironment(env)).not.toThrow();
    for (const required of [
      'KEY_VAULT_URL',
      'THIRD_PARTY_API_ENDPOINT',
      'THIRD_PARTY_API_SECRET_NAME',
      'STORAGE_QUEUE_URL',
      'AZURE_CLIENT_ID',
    ]) {
      expect(appSettings.has(required)).toBe(true);
    }
    expect(env.NODE_ENV).toBe('production');
    // No key and no connection string in Azure: the identity does it all.
    expect(appSettings.has('THIRD_PARTY_API_KEY')).toBe(false);
    expect(appSettings.has('AZURE_STORAGE_CONNECTION_STRING')).toBe(false);
  });

  it('lets the app create no queue, since its identity may only send messages', () => {
    expect(appSettings.get('QUEUE_CREATE_IF_NOT_EXISTS')).toBe("'false'");
  });

  it('listens where App Service sends traffic and stops within App Service’s limit', () => {
    expect(/^ENV NODE_ENV=production \\\n\s+PORT=(\d+)$/m.exec(dockerfile)?.[1]).toBe('8080');
    expect(appSettings.get('WEBSITES_PORT')).toBe("'8080'");
    const stopLimit = Number(/^'(\d+)'$/.exec(appSettings.get('WEBSITES_CONTAINER_STOP_TIME_LIMIT') ?? '')?.[1]);
    const env = Object.fromEntries([...appSettings].map(([name, expression]) => [name, sampleValue(name, expression)]));
    expect(stopLimit).toBeGreaterThan(parseEnvironment(env).SHUTDOWN_GRACE_PERIOD_SECONDS);
  });

  it('grants the app identity exactly AcrPull, Key Vault Secrets User and Storage Queue Data Message Sender', () => {
    const assignments = [
      ...resources.matchAll(
        /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roles\.(\w+)\)\n\s+principalId: ([\w.]+)/g,
      ),
    ];
    const roleOf = (key: string) => ROLE_NAMES[/^'(.*)'$/.exec(roles.get(key) ?? '')?.[1] ?? ''];
    const identityRoles = assignments
      .filter((match) => match[2] === 'identity.properties.principalId')
      .map((match) => roleOf(match[1] ?? ''));
    expect(identityRoles.sort()).toEqual(['AcrPull', 'Key Vault Secrets User', 'Storage Queue Data Message Sender']);
    const deployerRoles = assignments
      .filter((match) => match[2] === 'principalId')
      .map((match) => roleOf(match[1] ?? ''));
    expect(deployerRoles.sort()).toEqual(['Key Vault Secrets Officer', 'Storage Queue Data Reader']);
    expect(assignments).toHaveLength(5);
  });

  it('uses no broad role anywhere', () => {
    for (const role of BROAD_ROLES) {
      expect(resources + main).not.toContain(role);
    }
    for (const id of roles.values()) {
      expect(Object.keys(ROLE_NAMES)).toContain(/^'(.*)'$/.exec(id)?.[1]);
    }
  });

  it('hardens the resources: HTTPS only, TLS 1.2, no FTP, no keys, RBAC vault with purge protection', () => {
    for (const setting of [
      'httpsOnly: true',
      "minTlsVersion: '1.2'",
      "ftpsState: 'Disabled'",
      "healthCheckPath: '/health/ready'",
      'acrUseManagedIdentityCreds: true',
      'adminUserEnabled: false',
      'enableRbacAuthorization: true',
      'enablePurgeProtection: true',
      'allowSharedKeyAccess: false',
      "minimumTlsVersion: 'TLS1_2'",
      'allowBlobPublicAccess: false',
    ]) {
      expect(resources).toContain(setting);
    }
    expect(main).toMatch(/@secure\(\)\n(@[^\n]+\n)*param thirdPartyApiKey string/);
  });

  it('outputs what a local run against the real resources needs (azd env get-values)', () => {
    for (const name of [
      'KEY_VAULT_URL',
      'THIRD_PARTY_API_SECRET_NAME',
      'THIRD_PARTY_API_ENDPOINT',
      'STORAGE_QUEUE_URL',
      'AZURE_CLIENT_ID',
    ]) {
      expect(main).toMatch(new RegExp(`^output ${name} string = `, 'm'));
    }
  });

  it('deploys each azure.yaml service to a web app tagged with its name', () => {
    const services = [...readFileSync('azure.yaml', 'utf8').matchAll(/^ {2}([\w-]+):$/gm)].map((match) => match[1]);
    expect(services).toEqual(['app', 'reference-api']);
    for (const service of services) {
      expect(resources).toContain(`'azd-service-name': '${service}'`);
    }
  });

  it('keeps the image contract: non-root, tini as PID 1, production dependencies only, no env files', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^FROM runtime AS app$/m);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).not.toMatch(/COPY[^\n]*\.env/);
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', 'test', '.git', '.env', '.env.*']) {
      expect(ignored).toContain(entry);
    }
  });
});
