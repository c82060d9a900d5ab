import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { environmentShape } from '../../src/config/environment.schema.js';

/**
 * What breaks a deployment, checked without Azure or a Bicep compiler (the CI workflow compiles and lints the
 * Bicep): the app settings are what the app reads and needs, every identity has exactly its least-privilege roles,
 * nothing reaches Azure with a key, both network modes hold together, and the fixes for what a first deployment
 * would otherwise hit (issue 22) stay in place. The Bicep is read as text.
 */
const read = (path: string) => readFileSync(path, 'utf8');
const resources = read('infra/resources.bicep');
const main = read('infra/main.bicep');
const network = read('infra/network.bicep');
const operations = read('infra/operations.bicep');
const dockerfile = read('Dockerfile');
const parameters = (
  JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> }
).parameters;
const DEPLOY_WORKFLOW = '.github/workflows/azure-dev.yml';

interface AzdService {
  project: string;
  language: string;
  host: string;
  docker?: { path?: string; image?: string; buildArgs?: string[]; [key: string]: unknown };
}
const azureYaml = parse(read('azure.yaml')) as {
  metadata?: { template?: string };
  requiredVersions?: { azd?: string };
  services: Record<string, AzdService>;
  hooks?: Record<string, { run: string; shell?: string; interactive?: boolean }>;
};
interface WorkflowStep {
  name?: string;
  uses?: string;
  with?: Record<string, string>;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: { push?: { branches?: string[] }; pull_request?: unknown };
  jobs: Record<string, { if?: string; environment?: unknown; env?: Record<string, string>; steps: WorkflowStep[] }>;
}
const workflow = (path: string) => parse(read(path)) as Workflow;
const stepsOf = (path: string) => Object.values(workflow(path).jobs).flatMap((job) => job.steps);
const deployJobs = existsSync(DEPLOY_WORKFLOW) ? workflow(DEPLOY_WORKFLOW).jobs : {};
const deploySteps = Object.values(deployJobs).flatMap((job) => job.steps);
const deployEnv = Object.assign({}, ...Object.values(deployJobs).map((job) => job.env ?? {})) as Record<string, string>;

/** A Bicep resource (or module) declaration: its symbol, type, condition (`= if (...)`) and body. */
interface BicepResource {
  symbol: string;
  type: string;
  existing: boolean;
  condition?: string;
  body: string;
}
function bicepResources(source: string): BicepResource[] {
  return [
    ...source.matchAll(
      /^(?:resource|module) (\w+) '([^'@]+)(?:@[^']+)?'( existing)? = (?:if \((.+)\) )?[{[]\n([\s\S]*?)\n[}\]]$/gm,
    ),
  ].map(([, symbol = '', type = '', existing, condition, body = '']) => ({
    symbol,
    type,
    existing: existing !== undefined,
    condition,
    body,
  }));
}
const bicep = bicepResources(resources);
const resource = (symbol: string, from = bicep): BicepResource => {
  const found = from.find((candidate) => candidate.symbol === symbol);
  if (found === undefined) {
    throw new Error(`resource ${symbol} not found`);
  }
  return found;
};
/** The web app that azd deploys a service to (found, as azd finds it, by its azd-service-name tag). */
const siteOf = (service: string): BicepResource => {
  const sites = bicep.filter(
    (candidate) =>
      candidate.type === 'Microsoft.Web/sites' && candidate.body.includes(`'azd-service-name': '${service}'`),
  );
  expect(sites).toHaveLength(1);
  return sites[0] as BicepResource;
};

/** The log alerts of infra/operations.bicep (`var logAlerts = [...]`) by name, each as `field -> literal value`. */
function logAlerts(): Map<string, Record<string, string>> {
  const list = /^var logAlerts = \[\n([\s\S]*?)\n\]$/m.exec(operations)?.[1] ?? '';
  const entries = [...list.matchAll(/^ {2}\{\n([\s\S]*?)\n {2}\}$/gm)].map(([, body = '']) =>
    Object.fromEntries([...body.matchAll(/^ {4}(\w+): '?(.*?)'?$/gm)].map(([, key = '', value = '']) => [key, value])),
  );
  return new Map(entries.map((entry) => [entry.name ?? '', entry]));
}
/** An ISO 8601 duration of minutes or hours (`PT15M`, `PT1H`) in minutes. */
const minutesOf = (duration = ''): number => {
  const [, hours = '0', minutes = '0'] = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration) ?? [];
  return Number(hours) * 60 + Number(minutes);
};

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

/** The value of `cond ? 'a' : 'b'` (or a bare boolean name) for one value of the boolean `name`. */
function evaluate(expression: string, name: string, value: boolean): string {
  if (expression === name) {
    return String(value);
  }
  const ternary = new RegExp(`^${name} \\? (.+?) : (.+)$`).exec(expression);
  if (ternary === null) {
    throw new Error(`${expression} does not depend on ${name} alone`);
  }
  return (value ? ternary[1] : ternary[2]) ?? '';
}

const PLATFORM_SETTINGS = ['WEBSITES_PORT', 'WEBSITES_CONTAINER_STOP_TIME_LIMIT'];
const ROLE_NAMES: Record<string, string> = {
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a': 'Storage Queue Data Message Sender',
  '19e7f393-937e-4f77-808e-94535e297925': 'Storage Queue Data Reader',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
};
const BROAD_ROLES = [
  'b24988ac-6180-42a0-ab88-20f7382dd24c', // Contributor
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88', // Storage Queue Data Contributor
  '00482a5a-887f-4fb3-b363-3b7fe8e74483', // Key Vault Administrator
  '43d0d8ad-25c7-4714-9337-8ba259a9fe05', // Monitoring Reader
  '749f88d5-cbae-40b8-bcfc-e573ddc772fa', // Monitoring Contributor
];

describe('the app’s configuration in Azure', () => {
  const appSettings = bicepObject(resources, 'appSettings');
  const sampleEnv = () => Object.fromEntries([...appSettings].map(([name, value]) => [name, sampleValue(name, value)]));

  it('sets only settings the app reads (or App Service itself reads), each valid for the app', () => {
    const readByApp = Object.keys(environmentShape.shape);
    expect(
      [...appSettings.keys()].filter((name) => !readByApp.includes(name) && !PLATFORM_SETTINGS.includes(name)),
    ).toEqual([]);
    const app = Object.fromEntries(Object.entries(sampleEnv()).filter(([name]) => !PLATFORM_SETTINGS.includes(name)));
    expect(environmentShape.safeParse(app).error?.issues ?? []).toEqual([]);
  });

  it('sets what the app needs in production, and no key or connection string', () => {
    expect(sampleEnv().NODE_ENV).toBe('production');
    for (const required of [
      'KEY_VAULT_URL',
      'THIRD_PARTY_API_ENDPOINT',
      'THIRD_PARTY_API_SECRET_NAME',
      'STORAGE_QUEUE_URL',
      'AZURE_CLIENT_ID',
    ]) {
      expect(appSettings.has(required)).toBe(true);
    }
    expect(appSettings.has('THIRD_PARTY_API_KEY')).toBe(false);
    expect(appSettings.has('AZURE_STORAGE_CONNECTION_STRING')).toBe(false);
    // The identity may only send messages: the app must not try to create the queue.
    expect(appSettings.get('QUEUE_CREATE_IF_NOT_EXISTS')).toBe("'false'");
  });

  it('listens where App Service sends traffic and stops within App Service’s limit', () => {
    expect(/^ENV NODE_ENV=production \\\n\s+PORT=(\d+)$/m.exec(dockerfile)?.[1]).toBe('8080');
    expect(appSettings.get('WEBSITES_PORT')).toBe("'8080'");
    const stopLimit = Number(/^'(\d+)'$/.exec(appSettings.get('WEBSITES_CONTAINER_STOP_TIME_LIMIT') ?? '')?.[1]);
    expect(stopLimit).toBeGreaterThan(environmentShape.parse(sampleEnv()).SHUTDOWN_GRACE_PERIOD_SECONDS);
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
});

describe('identities and roles: least privilege, no keys', () => {
  const roles = bicepObject(resources, 'roles');
  const assignments = bicep
    .filter((candidate) => candidate.type === 'Microsoft.Authorization/roleAssignments')
    .map(({ body, condition }) => {
      const role =
        /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roles\.(\w+)\)/.exec(
          body,
        )?.[1] ?? '';
      return {
        role: ROLE_NAMES[/^'(.*)'$/.exec(roles.get(role) ?? '')?.[1] ?? ''],
        principal: /^ {4}principalId: ([\w.]+)$/m.exec(body)?.[1],
        scope: /^ {2}scope: (\w+)$/m.exec(body)?.[1],
        condition,
      };
    });
  const grantsOf = (principal: string) =>
    assignments
      .filter((assignment) => assignment.principal === principal)
      .map(({ role, scope }) => `${role} on ${scope}`)
      .sort();

  it('grants each identity exactly its roles, each on the one resource it needs', () => {
    expect(grantsOf('identity.properties.principalId')).toEqual([
      'AcrPull on registry',
      'Key Vault Secrets User on vault',
      'Monitoring Metrics Publisher on appInsights',
      'Storage Queue Data Message Sender on queue',
    ]);
    expect(grantsOf('referenceApiIdentity.properties.principalId')).toEqual([
      'AcrPull on registry',
      'Key Vault Secrets User on thirdPartyApiSecretInVault',
    ]);
    expect(grantsOf('principalId')).toEqual([
      'Key Vault Secrets Officer on vault',
      'Storage Queue Data Reader on queue',
    ]);
    expect(assignments).toHaveLength(8);
    expect(resource('thirdPartyApiSecretInVault')).toMatchObject({
      type: 'Microsoft.KeyVault/vaults/secrets',
      existing: true,
    });
    expect(resource('appInsights').type).toBe('Microsoft.Insights/components');
  });

  it('gives Key Vault Secrets Officer to a person who rotates from the CLI, never to a pipeline principal', () => {
    expect(resource('vaultSecretsOfficer').condition).toBe("!empty(principalId) && principalType == 'User'");
  });

  it('uses no broad role anywhere, and only role ids it knows', () => {
    for (const role of BROAD_ROLES) {
      expect(resources + main + network + operations).not.toContain(role);
    }
    for (const id of roles.values()) {
      expect(Object.keys(ROLE_NAMES)).toContain(/^'(.*)'$/.exec(id)?.[1]);
    }
  });

  it('turns every key off: registry admin user, storage shared keys, Redis access keys, telemetry’s local auth', () => {
    expect(resource('registry').body).toContain('adminUserEnabled: false');
    expect(resource('storage').body).toContain('allowSharedKeyAccess: false');
    expect(resource('redisDatabase').body).toContain("accessKeysAuthentication: 'Disabled'");
    expect(resource('appInsights').body).toMatch(/^ {4}DisableLocalAuth: true$/m);
    expect(resources + main + network).not.toMatch(/listKeys|primaryKey|accessKey\b|InstrumentationKey/);
  });

  it('hardens the rest: HTTPS only, TLS 1.2, no FTP or basic auth, RBAC vault with purge protection', () => {
    for (const setting of [
      "minTlsVersion: '1.2'",
      "ftpsState: 'Disabled'",
      "healthCheckPath: '/health/ready'",
      'acrUseManagedIdentityCreds: true',
      'enableRbacAuthorization: true',
      'enablePurgeProtection: true',
      "minimumTlsVersion: 'TLS1_2'",
      'allowBlobPublicAccess: false',
    ]) {
      expect(resources).toContain(setting);
    }
    expect(main).toMatch(/@secure\(\)\n(@[^\n]+\n)*param thirdPartyApiKey string/);
    for (const service of Object.keys(azureYaml.services)) {
      const site = siteOf(service);
      expect(site.body).toContain('httpsOnly: true');
      const policies = bicep.filter(
        (candidate) =>
          candidate.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies' &&
          candidate.body.includes(`parent: ${site.symbol}\n`),
      );
      expect(policies.map((policy) => /name: '(\w+)'/.exec(policy.body)?.[1]).sort()).toEqual(['ftp', 'scm']);
      expect(policies.every((policy) => policy.body.includes('properties: { allow: false }'))).toBe(true);
    }
  });

  it('runs the reference API with its own identity, and starts the app only after its roles exist', () => {
    const reference = siteOf('reference-api').body;
    expect(reference).toContain("userAssignedIdentities: { '${referenceApiIdentity.id}': {} }");
    expect(reference).toContain('keyVaultReferenceIdentity: referenceApiIdentity.id');
    expect(reference).toContain('acrUserManagedIdentityID: referenceApiIdentity.properties.clientId');
    expect(reference).not.toMatch(/\bidentity\.(id|properties)/);
    const app = siteOf('app').body;
    expect(app).not.toContain('referenceApiIdentity');
    const appRoles = bicep
      .filter((candidate) => candidate.body.includes('principalId: identity.properties.principalId'))
      .map((candidate) => candidate.symbol);
    expect(/^ {2}dependsOn: \[([^\]]*)\]$/m.exec(app)?.[1]?.split(', ').sort()).toEqual(appRoles.sort());
  });
});

describe('the azd deployment', () => {
  // azure.yaml v1.0 schema: `docker` allows exactly these keys (no build target).
  const DOCKER_SCHEMA_KEYS = [
    'path',
    'context',
    'platform',
    'registry',
    'image',
    'tag',
    'buildArgs',
    'network',
    'remoteBuild',
  ];
  const lastStage = (path: string) => [...read(path).matchAll(/^FROM \S+ AS ([\w-]+)$/gm)].at(-1)?.[1];
  const dockerfileOf = (service: AzdService) => `${service.project}/${service.docker?.path ?? './Dockerfile'}`;

  it('builds each service from its own Dockerfile, whose last stage is that service, to a web app tagged with it', () => {
    expect(Object.keys(azureYaml.services)).toEqual(['app', 'reference-api']);
    for (const [name, service] of Object.entries(azureYaml.services)) {
      expect([service.language, service.host]).toEqual(['docker', 'appservice']);
      // azd's remote (ACR) build sends no target: it builds the Dockerfile's last stage.
      expect(Object.keys(service.docker ?? {}).filter((key) => !DOCKER_SCHEMA_KEYS.includes(key))).toEqual([]);
      expect(lastStage(dockerfileOf(service))).toBe(name);
      siteOf(name);
    }
  });

  it('requires an azd that deploys containers to App Service without touching other site settings (1.29)', () => {
    const minimum = /^>=\s*(\d+)\.(\d+)\.\d+$/.exec(azureYaml.requiredVersions?.azd ?? '');
    expect(Number(minimum?.[1]) * 1000 + Number(minimum?.[2])).toBeGreaterThanOrEqual(1029);
  });

  it('keeps the image contract: non-root, tini as PID 1, production dependencies only', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^FROM runtime AS app$/m);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).not.toMatch(/COPY[^\n]*\.env/);
  });

  it('provisions each site with the image azd published for it, the placeholder only before the first deploy', () => {
    for (const [service, parameter] of [
      ['app', 'appImageName'],
      ['reference-api', 'referenceApiImageName'],
    ] as const) {
      const variable = `SERVICE_${service.toUpperCase().replaceAll('-', '_')}_IMAGE_NAME`;
      expect(parameters[parameter]?.value).toBe(`\${${variable}}`);
      expect(main).toMatch(new RegExp(`^    ${parameter}: ${parameter}$`, 'm'));
      expect([...siteOf(service).body.matchAll(/linuxFxVersion: (.+)$/gm)].map((match) => match[1])).toEqual([
        `'DOCKER|\${empty(${parameter}) ? placeholderImage : ${parameter}}'`,
      ]);
    }
  });

  it('writes the third-party key only when the vault has none, so a provision never undoes a rotation', () => {
    const secret = resource('thirdPartyApiSecret');
    expect(secret.type).toBe('Microsoft.KeyVault/vaults/secrets');
    expect(secret.condition).toBe('!thirdPartyApiSecretExists');
    expect(parameters.thirdPartyApiSecretExists?.value).toBe('${THIRD_PARTY_API_SECRET_EXISTS=false}');
    expect(read('infra/hooks/preprovision.sh')).toContain('azd env set THIRD_PARTY_API_SECRET_EXISTS "$secret_exists"');
    // Nothing else reads the conditional resource (it may not be deployed): the site's reference names the vault.
    expect(resources.match(/\bthirdPartyApiSecret\b/g)).toHaveLength(2);
    expect(resources).toContain(
      "REFERENCE_API_KEYS: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${thirdPartyApiSecretName})'",
    );
  });

  it('names resources per deployment, so a re-created environment does not collide with its soft-deleted vault', () => {
    expect(resources).toMatch(
      /^var resourceToken = toLower\(uniqueString\([^\n]*\benvironmentName\b[^\n]*\bresourceSuffix\)\)$/m,
    );
    expect(resource('vault').body).toMatch(/^ {2}name: 'kv-\$\{resourceToken\}'$/m);
    expect(parameters.resourceSuffix?.value).toBe('${AZURE_RESOURCE_SUFFIX}');
    expect(azureYaml.hooks?.preprovision?.run).toBe('infra/hooks/preprovision.sh');
    expect(azureYaml.hooks?.postdown?.run).toBe('infra/hooks/postdown.sh');
    expect(main).toContain("name: 'rg-${environmentName}'");
    expect(read('infra/hooks/preprovision.sh')).toContain('resource_group="rg-${AZURE_ENV_NAME');
    expect(deployEnv.AZURE_RESOURCE_SUFFIX).toBe('${{ vars.AZURE_RESOURCE_SUFFIX }}');
  });

  it('names itself as azd templates do, and keeps every hook’s output on the console', () => {
    const { name, version } = JSON.parse(read('package.json')) as { name: string; version: string };
    expect(azureYaml.metadata?.template).toBe(`${name}@${version}`);
    expect(azureYaml.hooks?.postdeploy?.run).toBe('infra/hooks/postdeploy.sh');
    for (const hook of Object.values(azureYaml.hooks ?? {})) {
      expect(hook).toMatchObject({ shell: 'sh', interactive: true });
    }
  });
});

describe('the deploy workflow', () => {
  it('signs in with a subject azd pipeline config has a federated credential for, from main only', () => {
    expect(Object.keys(deployJobs).length).toBeGreaterThan(0);
    for (const job of Object.values(deployJobs)) {
      expect(job.environment).toBeUndefined(); // would change the token's subject to environment:<name>
      expect(job.if).toBe("github.ref == 'refs/heads/main'");
    }
    expect(workflow(DEPLOY_WORKFLOW).on.push?.branches).toEqual(['main']);
  });

  it('hands the provisioning secret only to the steps that provision, and leaves the principal to azd', () => {
    expect(Object.keys(deployEnv)).not.toContain('THIRD_PARTY_API_KEY');
    const provisioning = deploySteps.filter((step) => /^azd provision /m.test(step.run ?? ''));
    expect(provisioning.length).toBeGreaterThan(0);
    expect(deploySteps.filter((step) => step.env?.THIRD_PARTY_API_KEY !== undefined)).toEqual(provisioning);
    expect(read(DEPLOY_WORKFLOW)).not.toMatch(/AZURE_PRINCIPAL_(ID|TYPE)/);
  });

  it('passes every optional switch to the provision, so a pipeline run does not turn it off again', () => {
    for (const [parameter, variable] of [
      ['alertEmail', 'AZURE_ALERT_EMAIL'],
      ['appServicePlanSku', 'AZURE_APP_SERVICE_SKU'],
      ['redisEnabled', 'AZURE_REDIS_ENABLED'],
      ['networkIsolation', 'AZURE_NETWORK_ISOLATION'],
    ]) {
      expect(String(parameters[parameter ?? '']?.value)).toMatch(new RegExp(`^\\$\\{${variable}(=[^}]*)?\\}$`));
      expect(deployEnv[variable ?? '']).toBe(`\${{ vars.${variable} }}`);
    }
  });

  it('labels both images with the OCI labels from build arguments, and publishes an SBOM', () => {
    const { license } = JSON.parse(read('package.json')) as { license: string };
    for (const service of Object.values(azureYaml.services)) {
      const source = read(`${service.project}/${service.docker?.path}`);
      const last = source.slice(source.lastIndexOf('\nFROM '));
      for (const [label, arg] of Object.entries({
        source: 'IMAGE_SOURCE',
        revision: 'IMAGE_REVISION',
        version: 'IMAGE_VERSION',
      })) {
        expect(last).toMatch(new RegExp(`^ARG ${arg}=""$`, 'm'));
        expect(last).toContain(`org.opencontainers.image.${label}="\${${arg}}"`);
        expect(service.docker?.buildArgs).toContain(`${arg}=\${${arg}}`);
      }
      expect(last).toContain(`org.opencontainers.image.licenses="${license}"`);
    }
    const deploy = deploySteps.find((step) => /^azd deploy /m.test(step.run ?? ''));
    expect(deploy?.env?.IMAGE_SOURCE).toBe('${{ github.server_url }}/${{ github.repository }}');
    expect(deploy?.env?.IMAGE_REVISION).toBe('${{ github.sha }}');
    const sbom = deploySteps.findIndex((step) => step.run === 'bash scripts/sbom.sh sbom.cdx.json');
    expect(deploySteps[sbom + 1]).toMatchObject({
      uses: 'actions/upload-artifact@v4',
      with: { path: 'sbom.cdx.json' },
    });
  });

  it('exports the azd values the smoke test reads, after the deploy', () => {
    // `eval` of `azd env get-values` only assigns shell variables; a child script sees only exported ones.
    const smoke = deploySteps.find((step) => step.run?.includes('scripts/smoke.sh'));
    expect(smoke?.run).toMatch(/set -a\n(?:#.*\n)*eval "\$\(azd env get-values\)"\nset \+a\n/);
  });

  it('fails CI on a known high or critical vulnerability in production dependencies, never in .ci/run', () => {
    expect(read('scripts/audit.ts')).toContain("['audit', '--omit=dev', '--audit-level=high', '--json']");
    expect(stepsOf('.github/workflows/ci.yml').map((step) => step.run)).toContain('node scripts/audit.ts');
    expect(read('.ci/run')).not.toContain('audit.ts');
  });
});

/** What a first deployment, or the first CI deployment, would hit (issue 22, defects 1-7). */
describe('first-deployment defects stay fixed', () => {
  it('1. creates the log alerts without validating queries against tables a new workspace does not have yet', () => {
    const rules = bicepResources(operations).filter(
      (candidate) => candidate.type === 'Microsoft.Insights/scheduledQueryRules',
    );
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.body).toMatch(/^ {6}skipQueryValidation: true$/m);
    }
  });

  it('2. signs the Azure CLI in again right before the smoke test, and the smoke test hides no az error', () => {
    const smoke = deploySteps.findIndex((step) => step.run?.includes('scripts/smoke.sh'));
    const lastLogin = deploySteps.findLastIndex((step) => step.uses?.startsWith('azure/login@'));
    const lastLongStep = deploySteps.findLastIndex((step) => /^azd (deploy|provision) /m.test(step.run ?? ''));
    expect(lastLogin).toBeGreaterThan(lastLongStep);
    expect(lastLogin).toBeLessThan(smoke);
    expect(deploySteps[lastLogin]?.with).toMatchObject({ 'client-id': '${{ vars.AZURE_CLIENT_ID }}' });
    // One line per command: continuation lines joined, so a redirection on the last one counts.
    const script = read('scripts/smoke.sh').replaceAll('\\\n', ' ');
    const azLines = script
      .split('\n')
      .filter((line) => /\baz (?!login)/.test(line) && !line.trimStart().startsWith('#'));
    expect(azLines.length).toBeGreaterThan(0);
    expect(azLines.filter((line) => line.includes('2>/dev/null'))).toEqual([]);
  });

  it('3. names the deploy workflow as azd pipeline config looks for it, and nothing points at the old name', () => {
    expect(existsSync(DEPLOY_WORKFLOW)).toBe(true);
    const workflows = readdirSync('.github/workflows');
    expect(workflows.filter((file) => file !== 'ci.yml' && file !== 'azure-dev.yml')).toEqual([]);
    for (const file of ['README.md', 'CONTRIBUTING.md', ...readdirSync('docs').map((page) => `docs/${page}`)]) {
      if (!file.endsWith('.md')) {
        continue;
      }
      const named = [...read(file).matchAll(/\.github\/workflows\/([\w.-]+)/g)].map((match) => match[1]);
      expect(named.filter((name) => !workflows.includes(name ?? ''))).toEqual([]);
    }
  });

  it('4. builds remotely from the registry’s cache of the Node image, while a plain docker build keeps Docker Hub', () => {
    const cache = resource('nodeImageCache');
    expect(cache.type).toBe('Microsoft.ContainerRegistry/registries/cacheRules');
    expect(cache.body).toContain('  parent: registry\n');
    expect(cache.body).toContain("    sourceRepository: 'docker.io/library/node'\n");
    expect(resources).toMatch(
      /^output nodeImageRepository string = '\$\{registry\.properties\.loginServer\}\/\$\{nodeImageCache\.properties\.targetRepository\}'$/m,
    );
    expect(main).toMatch(/^output AZURE_NODE_IMAGE_REPOSITORY string = resources\.outputs\.nodeImageRepository$/m);
    for (const service of Object.values(azureYaml.services)) {
      const source = read(`${service.project}/${service.docker?.path}`);
      const tag = /^ARG NODE_IMAGE=node:([\w.-]+)$/m.exec(source)?.[1];
      expect(tag).toMatch(/^24-/);
      expect(service.docker?.buildArgs).toContain(`NODE_IMAGE=\${AZURE_NODE_IMAGE_REPOSITORY}:${tag}`);
      // Every image the build pulls is NODE_IMAGE (or one of its own stages), and no BuildKit frontend is fetched.
      const stages = [...source.matchAll(/^FROM (\S+)(?: AS ([\w-]+))?$/gm)];
      const names = stages.map((stage) => stage[2]);
      expect(stages.filter(([, from]) => from !== '${NODE_IMAGE}' && !names.includes(from))).toEqual([]);
      expect(source).not.toMatch(/^# *syntax *=/im);
    }
  });

  it('7. keeps azd’s environment files (.azure/) and every .env out of the image build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.azure', '.env', '.env.*', 'node_modules', '.git']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('operations', () => {
  it('deploys the alerts and dashboard for the app, routed to one action group with an optional e-mail address', () => {
    expect(resources).toMatch(/^module operations 'operations\.bicep' = \{$/m);
    expect(resources).toContain('    appSiteId: app.id\n');
    expect(main).toMatch(/^param alertEmail string = ''$/m);
    expect(resource('actionGroup', bicepResources(operations)).body).toContain(
      'emailReceivers: empty(alertEmail) ? [] : [',
    );
    expect(operations).toContain('actions: { actionGroups: [actionGroup.id] }');
    // Console lines reach the workspace the log alerts read through the app's diagnostic setting.
    expect(resource('appLogs').body).toContain("{ category: 'AppServiceConsoleLogs', enabled: true }");
  });

  it('alerts when one instance sheds load (503 OVERLOADED) in at least 4 of 5 minutes, late telemetry included', () => {
    const shedding = logAlerts().get('instance-shedding');
    expect(shedding?.severity).toBe('2');
    const query = shedding?.query ?? '';
    // The exporter keeps the app's span attribute problem.code on the request as Properties["problem.code"].
    expect(query).toMatch(/^AppRequests \| where tostring\(Properties\["problem\.code"\]\) == "OVERLOADED" \| /);
    expect(query).toContain('| summarize by AppRoleInstance, minute = bin(TimeGenerated, 1m) |');
    expect(query).toMatch(/\| distinct AppRoleInstance$/);
    // The query's condition, run here on minutes (per instance) that had at least one sampled OVERLOADED request.
    const back =
      /\| order by AppRoleInstance asc, minute asc \| extend \w+ = prev\(AppRoleInstance, (\d+)\), \w+ = prev\(minute, \1\) \| where \w+ == AppRoleInstance and minute - \w+ <= (\d+)m \|/.exec(
        query,
      );
    expect(back).not.toBeNull();
    const [rowsBack, spanMinutes] = [Number(back?.[1]), Number(back?.[2]) + 1];
    const firing = (minutes: Record<string, number[]>): string[] => {
      const rows = Object.entries(minutes)
        .flatMap(([instance, list]) => list.map((minute) => ({ instance, minute })))
        .sort((a, b) => a.instance.localeCompare(b.instance) || a.minute - b.minute);
      const fired = rows.filter((row, i) => {
        const earlier = rows[i - rowsBack];
        return earlier?.instance === row.instance && row.minute - earlier.minute <= spanMinutes - 1;
      });
      return [...new Set(fired.map((row) => row.instance))];
    };
    expect(firing({ a: [0, 1, 2, 3] })).toEqual(['a']);
    expect(firing({ a: [10, 11, 13, 14], b: [12] })).toEqual(['a']);
    expect(firing({ a: [0, 1, 2] })).toEqual([]);
    expect(firing({ a: [0, 2, 4, 6, 8] })).toEqual([]);
    // Shedding is per instance: two instances refusing two minutes each is no instance refusing four.
    expect(firing({ a: [0, 1], b: [2, 3] })).toEqual([]);
    // Any 5-minute span is inside a later run's window even when its telemetry arrives up to one period late.
    const rule = bicepResources(operations).find((candidate) => candidate.symbol === 'logAlert')?.body ?? '';
    const frequency = Number(/^ {6}evaluationFrequency: 'PT(\d+)M'$/m.exec(rule)?.[1]);
    expect(frequency).toBeGreaterThan(0);
    expect(minutesOf(shedding?.window)).toBeGreaterThanOrEqual(spanMinutes + 2 * frequency);
  });

  it('charts getcode answers per minute on the dashboard, refusals (OVERLOADED) as their own series', () => {
    const tile =
      /^ {12}\{\n {14}position: \{[^\n]*\}\n {14}metadata: \{\n {16}type: '([^']+)'\n([\s\S]*?)\n {12}\}$/m.exec(
        resource('dashboard', bicepResources(operations)).body.split('map(range(0, length(charts))')[1] ?? '',
      );
    expect(tile?.[1]).toBe('Extension/Microsoft_OperationsManagementSuite_Workspace/PartType/LogsDashboardPart');
    const inputs = tile?.[2] ?? '';
    expect(inputs).toContain("{ name: 'Scope', value: { resourceIds: [workspaceId] }, isOptional: true }");
    expect(inputs).toContain("{ name: 'Query', value: answersQuery, isOptional: true }");
    expect(inputs).toContain("splitBy: [{ name: 'answer', type: 'string' }]");
    expect(inputs).toContain("yAxis: [{ name: 'requests', type: 'long' }]");
    const query = /^var answersQuery = '([^']*)'$/m.exec(operations)?.[1] ?? '';
    expect(query).toMatch(/^AppRequests \| where Url has "\/api\/v1\/getcode" \| /);
    expect(query).toContain('| extend problem = tostring(Properties["problem.code"]) |');
    // Sampled telemetry: each kept request stands for ItemCount requests, so counting rows would undercount.
    expect(query).toContain(
      '| summarize requests = sum(ItemCount) by bin(TimeGenerated, 1m), answer = iff(problem == "", ResultCode, problem) |',
    );
    expect(query).not.toContain('count()');
  });
});

describe('scale-out', () => {
  it('deploys Azure Managed Redis only when AZURE_REDIS_ENABLED is true, Entra ID and TLS only', () => {
    expect(main).toMatch(/^param redisEnabled bool = false$/m);
    expect(main).toMatch(/^ {4}redisEnabled: redisEnabled$/m);
    const cache = bicep.filter((candidate) => candidate.type.startsWith('Microsoft.Cache/'));
    expect(cache.map(({ symbol }) => symbol)).toEqual(['redis', 'redisDatabase', 'redisAccess']);
    expect(cache.every((part) => part.condition === 'redisEnabled')).toBe(true);
    const database = resource('redisDatabase').body;
    expect(database).toContain("    clientProtocol: 'Encrypted'\n");
    expect(database).toContain('    port: 10000\n');
  });

  it('lets only the app’s identity use the database, with no role that manages the cache', () => {
    const access = resource('redisAccess').body;
    expect(access).toContain("    accessPolicyName: 'default'\n");
    expect(access).toContain('    user: { objectId: identity.properties.principalId }\n');
    expect(access).toMatch(/^ {2}name: '[A-Za-z0-9]{1,60}'$/m);
    expect(bicep.filter((candidate) => /^ {2}scope: redis\w*$/m.test(candidate.body))).toEqual([]);
  });

  it('sets REDIS_URL, without a password, only when Redis is on', () => {
    const redisSettings = /^var redisSettings = redisEnabled \? \{ REDIS_URL: '([^']*)' \} : \{\}$/m.exec(
      resources,
    )?.[1];
    expect(redisSettings).toBe('rediss://${redis!.properties.hostName}:${redisDatabase!.properties.port}');
    expect(resource('appConfig').body).toContain('  properties: union(appSettings, redisSettings)\n');
    const url = new URL(
      (redisSettings ?? '')
        .replace('${redis!.properties.hostName}', 'redis-abc.westeurope.redis.azure.net')
        .replace('${redisDatabase!.properties.port}', '10000'),
    );
    expect([url.protocol, url.username, url.password]).toEqual(['rediss:', '', '']);
    expect(environmentShape.shape.REDIS_URL.safeParse(url.href).success).toBe(true);
  });

  it('turns ARR affinity off, and autoscales only on a tier that has autoscale (a Basic plan refuses the setting)', () => {
    expect(siteOf('app').body).toMatch(/^ {4}clientAffinityEnabled: false$/m);
    const autoscales = bicep.filter((candidate) => candidate.type === 'Microsoft.Insights/autoscalesettings');
    expect(autoscales.map((autoscale) => autoscale.condition)).toEqual(['planAutoscales']);
    expect(resources).toMatch(/^var planAutoscales = contains\(\['S', 'P'\], substring\(appServicePlanSku, 0, 1\)\)$/m);
    const allowed = /^@allowed\(\[([^\]]*)\]\)\n@description\([^\n]*\)\nparam appServicePlanSku string = 'B1'$/m
      .exec(main)?.[1]
      ?.split(', ')
      .map((sku) => sku.replaceAll("'", ''));
    expect((allowed ?? []).filter((sku) => !/^(B[1-3]|S[1-3]|P[0-3]v3)$/.test(sku))).toEqual([]);
    expect(allowed).toContain('B1');
  });
});

/** AZURE_NETWORK_ISOLATION: both values of the one switch, evaluated from the Bicep as Azure would. */
describe('network isolation', () => {
  const net = bicepResources(network);
  const siteConfig = bicepObject(resources, 'siteConfig');
  const publicAccess = /^var publicNetworkAccess = (.+)$/m.exec(resources)?.[1] ?? '';
  const appSubnet = /^var appSubnetId = (.+)$/m.exec(resources)?.[1] ?? '';
  const networkModule = resource('network');
  const endpoints = /^var endpoints = concat\(\n([\s\S]*?)\n\)$/m.exec(network)?.[1] ?? '';
  const endpointsFor = (redis: boolean) =>
    [...endpoints.matchAll(/groupId: '(\w+)', zone: '([^']+)'|groupId: '(\w+)'\n\s+zone: '([^']+)'/g)]
      .map((match) => [match[1] ?? match[3], match[2] ?? match[4]])
      .filter(([groupId]) => redis || groupId !== 'redisEnterprise');

  it('is off unless AZURE_NETWORK_ISOLATION=true, and reaches the Bicep from azd and the pipeline', () => {
    expect(main).toMatch(/^param networkIsolation bool = false$/m);
    expect(main).toMatch(/^ {4}networkIsolation: networkIsolation$/m);
    expect(parameters.networkIsolation?.value).toBe('${AZURE_NETWORK_ISOLATION=false}');
  });

  it.each([false, true])(
    'with AZURE_NETWORK_ISOLATION=%s: public access, VNet integration, private endpoints',
    (on) => {
      // The vault, the storage account and Redis take public traffic exactly when isolation is off.
      expect(evaluate(publicAccess, 'networkIsolation', on)).toBe(on ? "'Disabled'" : "'Enabled'");
      for (const symbol of ['vault', 'storage', 'redis']) {
        expect(resource(symbol).body).toMatch(/^ {4}publicNetworkAccess: publicNetworkAccess$/m);
      }
      // The network exists, and both sites send all outbound traffic into it, only when on.
      expect(networkModule.condition).toBe('networkIsolation');
      expect(evaluate(siteConfig.get('vnetRouteAllEnabled') ?? '', 'networkIsolation', on)).toBe(String(on));
      expect(evaluate(appSubnet, 'networkIsolation', on)).toBe(on ? 'network!.outputs.appSubnetId' : 'null');
      for (const service of Object.keys(azureYaml.services)) {
        expect(siteOf(service).body).toMatch(/^ {4}virtualNetworkSubnetId: appSubnetId$/m);
        expect(siteOf(service).body).toContain('siteConfig: union(siteConfig, {');
      }
      // Off, nothing of the network is deployed, and no site points at a subnet.
      if (!on) {
        return;
      }
      for (const redis of [false, true]) {
        const expected = [
          ['vault', 'privatelink.vaultcore.azure.net'],
          ['queue', 'privatelink.queue.${environment().suffixes.storage}'],
          ...(redis ? [['redisEnterprise', 'privatelink.redis.azure.net']] : []),
        ];
        expect(endpointsFor(redis)).toEqual(expected);
      }
      expect(networkModule.body).toContain("    redisId: redisEnabled ? redis!.id : ''\n");
      expect(networkModule.body).toContain('    vaultId: vault.id\n');
      expect(networkModule.body).toContain('    storageAccountId: storage.id\n');
    },
  );

  it('gives every private endpoint its DNS zone, linked to the network, and a zone group that keeps its record', () => {
    const loop = (symbol: string) => /^ {2}for (?:\((\w+), \w+\)|(\w+)) in (.+): \{$/m.exec(resource(symbol, net).body);
    for (const symbol of ['zones', 'zoneLinks', 'privateEndpoints', 'zoneGroups']) {
      expect(loop(symbol)?.[3]).toMatch(/^(endpoints|range\(0, length\(endpoints\)\))$/);
    }
    expect(resource('zones', net).body).toContain('name: endpoint.zone');
    expect(resource('zoneLinks', net).body).toContain('virtualNetwork: { id: vnet.id }');
    expect(resource('zoneLinks', net).body).toContain('parent: zones[i]');
    expect(resource('privateEndpoints', net).body).toContain('subnet: { id: vnet::endpointSubnet.id }');
    expect(resource('privateEndpoints', net).body).toContain('groupIds: [endpoint.groupId]');
    expect(resource('zoneGroups', net).body).toContain('parent: privateEndpoints[i]');
    expect(resource('zoneGroups', net).body).toContain('privateDnsZoneId: zones[i].id');
  });

  it('integrates the sites through a subnet delegated to App Service, with internet egress through a NAT gateway', () => {
    const vnet = resource('vnet', net).body;
    const app = /name: 'app'\n\s+properties: \{\n([\s\S]*?)\n {8}\}/.exec(vnet)?.[1] ?? '';
    expect(app).toContain(
      "delegations: [{ name: 'app-service', properties: { serviceName: 'Microsoft.Web/serverFarms' } }]",
    );
    expect(app).toContain('natGateway: { id: natGateway.id }');
    expect(network).toMatch(/^output appSubnetId string = vnet::appSubnet\.id$/m);
    // The registry stays public: azd's remote build runs from outside any network (and private endpoints need Premium).
    expect(resource('registry').body).not.toContain('publicNetworkAccess');
  });
});
