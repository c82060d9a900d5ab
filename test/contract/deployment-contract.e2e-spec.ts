import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseEnvironment } from '../../src/config/environment.js';
import { environmentShape } from '../../src/config/environment.schema.js';

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
const parameters = (
  JSON.parse(readFileSync('infra/main.parameters.json', 'utf8')) as { parameters: Record<string, { value: unknown }> }
).parameters;
const deployWorkflow = readFileSync('.github/workflows/deploy.yml', 'utf8');
const deployment = existsSync('docs/deployment.md') ? readFileSync('docs/deployment.md', 'utf8') : '';

interface AzdService {
  project: string;
  language: string;
  host: string;
  docker?: { path?: string; image?: string; buildArgs?: string[]; [key: string]: unknown };
}
interface AzdHook {
  run: string;
  shell?: string;
  interactive?: boolean;
}
const azureYaml = parse(readFileSync('azure.yaml', 'utf8')) as {
  metadata?: { template?: string };
  requiredVersions?: { azd?: string };
  services: Record<string, AzdService>;
  hooks?: Record<string, AzdHook>;
};
interface WorkflowStep {
  name?: string;
  uses?: string;
  with?: Record<string, string>;
  run?: string;
  env?: Record<string, string>;
}
const deployOn = (parse(deployWorkflow) as { on: { push?: { branches?: string[] } } }).on;
const deployJobs = (
  parse(deployWorkflow) as {
    jobs: Record<string, { if?: string; environment?: unknown; env?: Record<string, string>; steps: WorkflowStep[] }>;
  }
).jobs;

/** A Bicep resource declaration: its symbol, type, condition (`= if (...)`) and body. */
interface BicepResource {
  symbol: string;
  type: string;
  existing: boolean;
  condition?: string;
  body: string;
}
function bicepResources(source: string): BicepResource[] {
  return [
    ...source.matchAll(/^resource (\w+) '([^'@]+)@[^']+'( existing)? = (?:if \((.+)\) )?\{\n([\s\S]*?)\n\}$/gm),
  ].map(([, symbol = '', type = '', existing, condition, body = '']) => ({
    symbol,
    type,
    existing: existing !== undefined,
    condition,
    body,
  }));
}
const bicep = bicepResources(resources);
const resource = (symbol: string): BicepResource => {
  const found = bicep.find((candidate) => candidate.symbol === symbol);
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

/** The name of a Dockerfile's last stage: what a builder that ignores build targets produces. */
function lastStage(path: string): string | undefined {
  const stages = [...readFileSync(path, 'utf8').matchAll(/^FROM \S+ AS ([\w-]+)$/gm)];
  return stages.at(-1)?.[1];
}

/** `1.29.0` -> comparable number. */
const versionNumber = (version: string) => version.split('.').reduce((total, part) => total * 1000 + Number(part), 0);

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

  it('grants each identity exactly its roles: the app, the reference API, the deployer', () => {
    const assignments = [
      ...resources.matchAll(
        /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roles\.(\w+)\)\n\s+principalId: ([\w.]+)/g,
      ),
    ];
    const roleOf = (key: string) => ROLE_NAMES[/^'(.*)'$/.exec(roles.get(key) ?? '')?.[1] ?? ''];
    const rolesOf = (principal: string) =>
      assignments
        .filter((match) => match[2] === principal)
        .map((match) => roleOf(match[1] ?? ''))
        .sort();
    expect(rolesOf('identity.properties.principalId')).toEqual([
      'AcrPull',
      'Key Vault Secrets User',
      'Storage Queue Data Message Sender',
    ]);
    expect(rolesOf('referenceApiIdentity.properties.principalId')).toEqual(['AcrPull', 'Key Vault Secrets User']);
    expect(rolesOf('principalId')).toEqual(['Key Vault Secrets Officer', 'Storage Queue Data Reader']);
    expect(assignments).toHaveLength(7);
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
    const services = Object.keys(azureYaml.services);
    expect(services).toEqual(['app', 'reference-api']);
    for (const service of services) {
      expect(resources).toContain(`'azd-service-name': '${service}'`);
    }
  });

  it('keeps the image contract: non-root, tini as PID 1, production dependencies only, no env files', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^FROM runtime AS app$/m);
    expect(finalStage).toContain('COPY --from=build /src/dist ./dist');
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

/**
 * What the first `azd up` (and every one after it) needs, checked without Azure: each line names the azd or Azure
 * behaviour that makes it necessary.
 */
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

  it('builds each service from its own Dockerfile, whose last stage is that service (no build target)', () => {
    const dockerfiles = new Set<string>();
    const images = new Set<string>();
    for (const [name, service] of Object.entries(azureYaml.services)) {
      // `js` would run npm install on the host before the Docker build; `docker` builds the image only.
      expect(service.language).toBe('docker');
      expect(service.host).toBe('appservice');
      const docker = service.docker ?? {};
      // azd's remote (ACR) build sends no target: it builds the Dockerfile's last stage, whatever `target` says.
      expect(Object.keys(docker).filter((key) => !DOCKER_SCHEMA_KEYS.includes(key))).toEqual([]);
      const path = `${service.project}/${docker.path ?? './Dockerfile'}`;
      expect(lastStage(path)).toBe(name);
      dockerfiles.add(path);
      // azd names the image `<project>/<service>-<env>` unless docker.image overrides it.
      images.add(docker.image ?? `azure-integrated-auth/${name}`);
    }
    const count = Object.keys(azureYaml.services).length;
    expect([dockerfiles.size, images.size]).toEqual([count, count]);
    expect(readFileSync('reference-api/Dockerfile', 'utf8')).toMatch(/^CMD \["node", "reference-api\/main\.ts"\]$/m);
  });

  it('requires an azd that deploys containers to App Service without touching other site settings', () => {
    // 1.27 added container deploys to App Service; 1.29 made a deploy change only the image.
    const minimum = /^>=\s*(\d+\.\d+\.\d+)$/.exec(azureYaml.requiredVersions?.azd ?? '')?.[1] ?? '0.0.0';
    expect(versionNumber(minimum)).toBeGreaterThanOrEqual(versionNumber('1.29.0'));
    expect(deployment).toContain(`azd ${minimum}`);
  });

  it('signs in from the pipeline with a subject that azd pipeline config has a federated credential for', () => {
    // azd pipeline config creates credentials for `ref:refs/heads/<branch>` (and main) and `pull_request`; a job
    // `environment:` changes the token's subject to `environment:<name>`, which matches none of them.
    expect(Object.keys(deployJobs).length).toBeGreaterThan(0);
    for (const job of Object.values(deployJobs)) {
      expect(job.environment).toBeUndefined();
      expect(job.if).toBe("github.ref == 'refs/heads/main'");
    }
    expect(deployOn.push?.branches).toEqual(['main']);
    expect(deployment).toContain('azd pipeline config');
  });

  it('hands the provisioning secret only to the steps that provision, and leaves the principal to azd', () => {
    const steps = Object.values(deployJobs).flatMap((job) => {
      expect(Object.keys(job.env ?? {})).not.toContain('THIRD_PARTY_API_KEY');
      return job.steps;
    });
    const withKey = steps.filter((step) => step.env?.THIRD_PARTY_API_KEY !== undefined);
    expect(withKey.length).toBeGreaterThan(0);
    for (const step of withKey) {
      expect(step.run).toMatch(/^azd provision /m);
    }
    for (const step of steps.filter((candidate) => /^azd provision /m.test(candidate.run ?? ''))) {
      expect(withKey).toContain(step);
    }
    // azd fills AZURE_PRINCIPAL_ID and AZURE_PRINCIPAL_TYPE with the signed-in principal itself.
    expect(deployWorkflow).not.toContain('AZURE_PRINCIPAL_ID');
    expect(deployWorkflow).not.toContain('AZURE_PRINCIPAL_TYPE');
  });

  it('exports the azd values the smoke test reads, after the deploy', () => {
    // `eval` of `azd env get-values` only assigns shell variables; a child script sees only exported ones.
    const smoke = Object.values(deployJobs)
      .flatMap((job) => job.steps)
      .find((step) => step.run?.includes('scripts/smoke.sh'));
    expect(smoke?.run).toMatch(/set -a\n(?:#.*\n)*eval "\$\(azd env get-values\)"\nset \+a\n/);
    expect(readFileSync('scripts/smoke.sh', 'utf8')).toContain('SMOKE_READY_TIMEOUT_SECONDS:-300');
  });

  it('provisions each site with the image azd published for it, the placeholder only before the first deploy', () => {
    for (const [service, parameter] of [
      ['app', 'appImageName'],
      ['reference-api', 'referenceApiImageName'],
    ] as const) {
      // azd records a published image as SERVICE_<NAME>_IMAGE_NAME (upper case, - becomes _).
      const variable = `SERVICE_${service.toUpperCase().replaceAll('-', '_')}_IMAGE_NAME`;
      expect(parameters[parameter]?.value).toBe(`\${${variable}}`);
      expect(main).toMatch(new RegExp(`^    ${parameter}: ${parameter}$`, 'm'));
      const fxVersions = [...siteOf(service).body.matchAll(/linuxFxVersion: (.+)$/gm)].map((match) => match[1]);
      expect(fxVersions).toEqual([`'DOCKER|\${empty(${parameter}) ? placeholderImage : ${parameter}}'`]);
    }
    expect(resources.match(/linuxFxVersion:/g)).toHaveLength(2);
  });

  it('writes the third-party key only when the vault has none, so a provision never undoes a rotation', () => {
    const secret = resource('thirdPartyApiSecret');
    expect(secret.type).toBe('Microsoft.KeyVault/vaults/secrets');
    expect(secret.condition).toBe('!thirdPartyApiSecretExists');
    expect(parameters.thirdPartyApiSecretExists?.value).toBe('${THIRD_PARTY_API_SECRET_EXISTS=false}');
    expect(readFileSync('infra/hooks/preprovision.sh', 'utf8')).toContain(
      'azd env set THIRD_PARTY_API_SECRET_EXISTS "$secret_exists"',
    );
    // Nothing else reads the conditional resource (it may not be deployed): the site's reference names the vault.
    expect(resources.match(/\bthirdPartyApiSecret\b/g)).toHaveLength(2); // its declaration and one dependsOn
    expect(resources).toContain(
      "REFERENCE_API_KEYS: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${thirdPartyApiSecretName})'",
    );
    expect(deployment).toContain('az keyvault secret set');
  });

  it('names resources per deployment, so a re-created environment does not collide with its soft-deleted vault', () => {
    // A purge-protected vault keeps its name for the retention period after `azd down`; azd does not purge it.
    expect(resources).toMatch(
      /^var resourceToken = toLower\(uniqueString\([^\n]*\benvironmentName\b[^\n]*\bresourceSuffix\)\)$/m,
    );
    expect(resource('vault').body).toMatch(/^ {2}name: 'kv-\$\{resourceToken\}'$/m); // 3 + 13 characters, under 24
    expect(parameters.resourceSuffix?.value).toBe('${AZURE_RESOURCE_SUFFIX}');
    expect(main).toMatch(/@minLength\(1\)\n@description\([^\n]*\)\nparam resourceSuffix string\n/);
    expect(azureYaml.hooks?.preprovision?.run).toBe('infra/hooks/preprovision.sh');
    expect(azureYaml.hooks?.postdown?.run).toBe('infra/hooks/postdown.sh');
    // The hook looks in the resource group main.bicep creates.
    expect(main).toContain("name: 'rg-${environmentName}'");
    expect(readFileSync('infra/hooks/preprovision.sh', 'utf8')).toContain('resource_group="rg-${AZURE_ENV_NAME');
    expect(deployWorkflow).toContain('AZURE_RESOURCE_SUFFIX: ${{ vars.AZURE_RESOURCE_SUFFIX }}');
  });

  it('gives Key Vault Secrets Officer to a person who rotates from the CLI, never to a pipeline principal', () => {
    expect(resource('vaultSecretsOfficer').condition).toBe("!empty(principalId) && principalType == 'User'");
    expect(resources).toMatch(/roles\.keyVaultSecretsOfficer\)\n\s+principalId: principalId\n/);
  });

  it('runs the reference API with its own identity, which may read only the one secret', () => {
    const site = siteOf('reference-api');
    expect(site.body).toContain("userAssignedIdentities: { '${referenceApiIdentity.id}': {} }");
    expect(site.body).toContain('keyVaultReferenceIdentity: referenceApiIdentity.id');
    expect(site.body).toContain('acrUserManagedIdentityID: referenceApiIdentity.properties.clientId');
    expect(site.body).not.toMatch(/\bidentity\.(id|properties)/);
    expect(siteOf('app').body).not.toContain('referenceApiIdentity');
    const secretUser = bicep.filter(
      (candidate) =>
        candidate.body.includes('principalId: referenceApiIdentity.properties.principalId') &&
        candidate.body.includes('roles.keyVaultSecretsUser'),
    );
    expect(secretUser).toHaveLength(1);
    const scope = /^ {2}scope: (\w+)$/m.exec(secretUser[0]?.body ?? '')?.[1] ?? '';
    expect(resource(scope)).toMatchObject({ type: 'Microsoft.KeyVault/vaults/secrets', existing: true });
    expect(resource(scope).body).toContain('name: thirdPartyApiSecretName');
  });

  it('turns FTP and basic-auth publishing off on every site', () => {
    for (const service of Object.keys(azureYaml.services)) {
      const site = siteOf(service).symbol;
      const policies = bicep.filter(
        (candidate) =>
          candidate.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies' &&
          candidate.body.includes(`parent: ${site}\n`),
      );
      expect(policies.map((policy) => /name: '(\w+)'/.exec(policy.body)?.[1]).sort()).toEqual(['ftp', 'scm']);
      for (const policy of policies) {
        expect(policy.body).toContain('properties: { allow: false }');
      }
    }
  });
});

/** What azd users expect of a template (issue 13). */
describe('the azd template', () => {
  it('names itself and its version, as azd templates do (name@version)', () => {
    const { name, version } = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
    expect(azureYaml.metadata?.template).toBe(`${name}@${version}`);
  });

  it('says after each deploy where the app, its API docs and its monitoring are', () => {
    expect(azureYaml.hooks?.postdeploy?.run).toBe('infra/hooks/postdeploy.sh');
    // azd clears the output of a non-interactive hook when it ends.
    for (const hook of Object.values(azureYaml.hooks ?? {})) {
      expect(hook).toMatchObject({ shell: 'sh', interactive: true });
    }
  });
});

/** What the images and the pipeline say about where an image comes from and what it holds (issue 13). */
describe('the image supply chain', () => {
  const OCI_LABELS = { source: 'IMAGE_SOURCE', revision: 'IMAGE_REVISION', version: 'IMAGE_VERSION' };
  const steps = (workflow: string) =>
    Object.values(
      (parse(readFileSync(workflow, 'utf8')) as { jobs: Record<string, { steps: WorkflowStep[] }> }).jobs,
    ).flatMap((job) => job.steps);

  it('labels both images with the standard OCI labels, from build arguments the deploy workflow sets', () => {
    const { license } = JSON.parse(readFileSync('package.json', 'utf8')) as { license: string };
    for (const service of Object.values(azureYaml.services)) {
      const path = `${service.project}/${service.docker?.path}`;
      const source = readFileSync(path, 'utf8');
      const last = source.slice(source.lastIndexOf('\nFROM '));
      for (const [label, arg] of Object.entries(OCI_LABELS)) {
        expect(last).toMatch(new RegExp(`^ARG ${arg}=""$`, 'm'));
        expect(last).toContain(`org.opencontainers.image.${label}="\${${arg}}"`);
        expect(service.docker?.buildArgs).toContain(`${arg}=\${${arg}}`);
      }
      expect(last).toContain(`org.opencontainers.image.licenses="${license}"`);
    }
    const deploy = steps('.github/workflows/deploy.yml').find((step) => /^azd deploy /m.test(step.run ?? ''));
    expect(deploy?.env?.IMAGE_SOURCE).toBe('${{ github.server_url }}/${{ github.repository }}');
    expect(deploy?.env?.IMAGE_REVISION).toBe('${{ github.sha }}');
    expect(deploy?.run).toContain(`export IMAGE_VERSION="$(node -p "require('./package.json').version")"`);
  });

  it('publishes an SBOM of the production dependencies with each deployment', () => {
    expect(readFileSync('scripts/sbom.sh', 'utf8')).toContain('npm sbom --omit=dev --sbom-format cyclonedx');
    const deploySteps = steps('.github/workflows/deploy.yml');
    const sbom = deploySteps.findIndex((step) => step.run === 'bash scripts/sbom.sh sbom.cdx.json');
    expect(sbom).toBeGreaterThan(-1);
    expect(deploySteps[sbom + 1]).toMatchObject({
      uses: 'actions/upload-artifact@v4',
      with: { path: 'sbom.cdx.json', 'if-no-files-found': 'error' },
    });
  });

  it('fails CI on a known high or critical vulnerability in production dependencies, never in .ci/run', () => {
    expect(readFileSync('scripts/audit.ts', 'utf8')).toContain(
      "['audit', '--omit=dev', '--audit-level=high', '--json']",
    );
    expect(steps('.github/workflows/ci.yml').map((step) => step.run)).toContain('node scripts/audit.ts');
    expect(readFileSync('.ci/run', 'utf8')).not.toContain('audit.ts');
    expect(JSON.parse(readFileSync('audit-exceptions.json', 'utf8'))).toEqual(expect.any(Array));
    expect(deployment).toContain('audit-exceptions.json');
  });
});

/** The operator's view: the dashboard azd monitor opens, the alerts, where they go (issue 13). */
describe('operations', () => {
  const operations = existsSync('infra/operations.bicep') ? readFileSync('infra/operations.bicep', 'utf8') : '';
  const ops = bicepResources(operations);
  const opsResource = (symbol: string) => ops.find((candidate) => candidate.symbol === symbol);
  const operationsDoc = existsSync('docs/operations.md') ? readFileSync('docs/operations.md', 'utf8') : '';
  const logAlerts = [
    ...(/^var logAlerts = \[\n([\s\S]*?)\n\]$/m.exec(operations)?.[1] ?? '').matchAll(
      /name: '([\w-]+)'\n\s+severity: (\d)\n\s+window: '(\w+)'\n\s+description: '[^\n]*'\n\s+query: '([^\n]*)'/g,
    ),
  ].map(([, name = '', severity, window, query = '']) => ({ name, severity: Number(severity), window, query }));
  const logAlert = (name: string) => logAlerts.find((alert) => alert.name === name);
  /** The phrases a log query looks for (`has "..."`): each must be what the app really logs. */
  const phrases = (query: string) => [...query.matchAll(/ResultDescription has "([^"]+)"/g)].map((match) => match[1]);

  it('is deployed with the rest, for the app, with an optional e-mail address', () => {
    expect(resources).toMatch(/^module operations 'operations\.bicep' = \{$/m);
    expect(resources).toContain('    appSiteId: app.id\n');
    expect(resources).toContain('    workspaceId: logs.id\n');
    expect(parameters.alertEmail?.value).toBe('${AZURE_ALERT_EMAIL}');
    expect(main).toMatch(/^param alertEmail string = ''$/m);
    // A pipeline provision without the address would drop the e-mail receiver.
    expect(deployWorkflow).toMatch(/^ {6}AZURE_ALERT_EMAIL: \$\{\{ vars\.AZURE_ALERT_EMAIL \}\}/m);
  });

  it('routes every alert to one action group, which e-mails only when an address is given', () => {
    expect(opsResource('actionGroup')?.body).toContain(
      "emailReceivers: empty(alertEmail) ? [] : [\n      { name: 'operator', emailAddress: alertEmail, useCommonAlertSchema: true }\n    ]",
    );
    expect(opsResource('healthAlert')?.body).toContain('actions: [{ actionGroupId: actionGroup.id }]');
    expect(operations).toContain('actions: { actionGroups: [actionGroup.id] }');
  });

  it('alerts when an instance fails its health check', () => {
    const health = opsResource('healthAlert')?.body ?? '';
    expect(health).toContain('scopes: [appSiteId]');
    expect(health).toContain("metricName: 'HealthCheckStatus'");
    expect(health).toContain("operator: 'LessThan'");
    expect(health).toContain('threshold: 100');
    expect(health).toContain("windowSize: 'PT5M'");
  });

  it('alerts on the 5xx rate of GET /api/v1/getcode', () => {
    expect(operations).toMatch(/^var getcodeServerErrorPercent = 5$/m);
    expect(operations).toMatch(/^var getcodeMinimumRequests = 10$/m);
    expect(logAlert('getcode-5xx')).toEqual({
      name: 'getcode-5xx',
      severity: 1,
      window: 'PT5M',
      query:
        'AppRequests | where Url has "/api/v1/getcode" | summarize requests = count(), serverErrors = countif(toint(ResultCode) >= 500) | where requests >= ${getcodeMinimumRequests} and serverErrors * 100.0 / requests > ${getcodeServerErrorPercent}',
    });
  });

  it('alerts on the app’s own log lines: circuit breaker opened, Key Vault refresh failing', () => {
    const breaker = logAlert('third-party-circuit-open');
    expect(breaker).toMatchObject({ severity: 2, window: 'PT5M' });
    expect(phrases(breaker?.query ?? '')).toEqual(['Circuit breaker opened']);
    const vault = logAlert('key-vault-refresh-failing');
    expect(vault).toMatchObject({ severity: 2, window: 'PT15M' });
    expect(phrases(vault?.query ?? '')).toEqual(['Refreshing secret', 'failed; serving the cached value']);
    // The wording the queries depend on is the app's: change one, and this fails.
    const policy = readFileSync('src/third-party/third-party.policy-log.ts', 'utf8');
    const secrets = readFileSync('src/secrets/secrets.service.ts', 'utf8');
    expect(policy).toContain('`Circuit breaker opened: ');
    expect(secrets).toMatch(/`Refreshing secret "\$\{name\}" failed; serving the cached value, /);
    // Console lines reach the workspace through the app's diagnostic setting.
    expect(resource('appLogs').body).toContain("{ category: 'AppServiceConsoleLogs', enabled: true }");
    for (const alert of logAlerts) {
      expect(operationsDoc).toContain(`\`${alert.name}\``);
    }
    expect(logAlerts).toHaveLength(3);
    expect(operationsDoc).toContain('`unhealthy-instances`');
  });

  it('deploys the Application Insights dashboard that azd monitor --overview opens', () => {
    const dashboard = ops.filter((candidate) => candidate.type === 'Microsoft.Portal/dashboards');
    expect(dashboard).toHaveLength(1);
    expect(dashboard[0]?.body).toContain("type: 'Extension/AppInsightsExtension/PartType/AspNetOverviewPinnedPart'");
    expect(dashboard[0]?.body).toContain("inputs: [{ name: 'id', value: appInsights.id }");
    for (const metric of [
      'requests/count',
      'requests/failed',
      'requests/duration',
      'dependencies/failed',
      'HealthCheckStatus',
    ]) {
      expect(operations).toContain(`metric: '${metric}'`);
    }
  });
});

/**
 * Scale-out: several stateless instances behind App Service's load balancer, the rate limits shared through an
 * optional Azure Managed Redis that only the app's identity may use (docs/scale-out.md).
 */
describe('scale-out', () => {
  const scaleOutDoc = existsSync('docs/scale-out.md') ? readFileSync('docs/scale-out.md', 'utf8') : '';
  const appSettings = bicepObject(resources, 'appSettings');
  const redisSettings = /^var redisSettings = redisEnabled \? \{ REDIS_URL: '([^']*)' \} : \{\}$/m.exec(resources)?.[1];
  const autoscales = bicep.filter((candidate) => candidate.type === 'Microsoft.Insights/autoscalesettings');
  /** Each autoscale rule: its metric trigger's `key: value` lines and its scale action's direction. */
  const autoscaleRules = [
    ...(autoscales[0]?.body ?? '').matchAll(
      /metricTrigger: \{\n([\s\S]*?)\n\s+\}\n\s+scaleAction: \{ direction: '(\w+)', type: 'ChangeCount', value: '1'/g,
    ),
  ].map(([, trigger = '', direction]) => ({
    direction,
    trigger: Object.fromEntries(
      trigger.split('\n').map((line) => /^\s+(\w+): (.+)$/.exec(line)?.slice(1, 3) ?? ['', '']),
    ) as Record<string, string>,
  }));

  it('deploys Azure Managed Redis only when AZURE_REDIS_ENABLED is true, and not by default', () => {
    expect(main).toMatch(/^param redisEnabled bool = false$/m);
    expect(main).toMatch(/^ {4}redisEnabled: redisEnabled$/m);
    expect(parameters.redisEnabled?.value).toBe('${AZURE_REDIS_ENABLED=false}');
    // A pipeline provision without the variable would drop REDIS_URL from the app.
    expect(deployWorkflow).toMatch(/^ {6}AZURE_REDIS_ENABLED: \$\{\{ vars\.AZURE_REDIS_ENABLED \}\}/m);
    const cache = bicep.filter((candidate) => candidate.type.startsWith('Microsoft.Cache/'));
    expect(cache.map(({ symbol, type }) => [symbol, type])).toEqual([
      ['redis', 'Microsoft.Cache/redisEnterprise'],
      ['redisDatabase', 'Microsoft.Cache/redisEnterprise/databases'],
      ['redisAccess', 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments'],
    ]);
    for (const part of cache) {
      expect(part.condition).toBe('redisEnabled');
    }
    expect(resource('redis').body).toMatch(/^ {2}sku: \{ name: 'Balanced_B\d+' \}$/m);
  });

  it('lets Redis clients in with Entra ID over TLS only: no access keys, no plaintext port', () => {
    const database = resource('redisDatabase').body;
    expect(database).toContain('  parent: redis\n');
    expect(database).toContain("    accessKeysAuthentication: 'Disabled'\n");
    expect(database).toContain("    clientProtocol: 'Encrypted'\n");
    expect(database).toContain('    port: 10000\n');
    expect(resource('redis').body).toContain("    minimumTlsVersion: '1.2'\n");
    // Nothing reads a key: no listKeys(), no connection string output.
    expect(resources + main).not.toMatch(/listKeys|primaryKey|accessKey\b/);
  });

  it('gives the app’s identity data access to the database, and no role that manages the cache', () => {
    const access = resource('redisAccess').body;
    expect(access).toContain('  parent: redisDatabase\n');
    expect(access).toContain("    accessPolicyName: 'default'\n");
    expect(access).toContain('    user: { objectId: identity.properties.principalId }\n');
    expect(access).toMatch(/^ {2}name: '[A-Za-z0-9]{1,60}'$/m); // the service's name pattern
    const onCache = bicep.filter(
      (candidate) =>
        candidate.type === 'Microsoft.Authorization/roleAssignments' && /^ {2}scope: redis\w*$/m.test(candidate.body),
    );
    expect(bicep.some((candidate) => candidate.type === 'Microsoft.Authorization/roleAssignments')).toBe(true);
    expect(onCache).toEqual([]);
  });

  it('sets REDIS_URL from the cache’s host and the database’s port only when Redis is on, without a password', () => {
    expect(redisSettings).toBe('rediss://${redis!.properties.hostName}:${redisDatabase!.properties.port}');
    expect(appSettings.has('REDIS_URL')).toBe(false); // only through redisSettings, which is empty when off
    const config = resource('appConfig').body;
    expect(config).toContain('  properties: union(appSettings, redisSettings)\n');
    expect(config).toMatch(/^ {2}dependsOn: \[redisAccess\]$/m);
    // What App Service would hand the app, with the host Azure returns: a TLS URL with no user name or password.
    const url = new URL(
      (redisSettings ?? '')
        .replace('${redis!.properties.hostName}', 'redis-abc.westeurope.redis.azure.net')
        .replace('${redisDatabase!.properties.port}', '10000'),
    );
    expect([url.protocol, url.username, url.password, url.port, url.pathname]).toEqual([
      'rediss:',
      '',
      '',
      '10000',
      '',
    ]);
    expect(main).toMatch(/^output AZURE_REDIS_HOST_NAME string = resources\.outputs\.redisHostName$/m);
    expect(resources).toContain("output redisHostName string = redisEnabled ? redis!.properties.hostName : ''");
  });

  it('turns ARR affinity off, so any instance may answer any request', () => {
    expect(siteOf('app').body).toMatch(/^ {4}clientAffinityEnabled: false$/m);
  });

  it('autoscales the plan by CPU between 1 and 3 instances, only on a tier that has autoscale', () => {
    expect(autoscales).toHaveLength(1);
    const [autoscale] = autoscales;
    expect(autoscale?.body).toContain('    targetResourceUri: plan.id\n');
    expect(autoscale?.condition).toBe('planAutoscales');
    // Basic has no autoscale; Standard and Premium have. The first letter of the SKU name is its tier.
    const tiers = /^var planAutoscales = contains\(\[([^\]]*)\], substring\(appServicePlanSku, 0, 1\)\)$/m.exec(
      resources,
    )?.[1];
    expect(tiers).toBe("'S', 'P'");
    const allowed = /^@allowed\(\[([^\]]*)\]\)\n@description\([^\n]*\)\nparam appServicePlanSku string = 'B1'$/m
      .exec(main)?.[1]
      ?.split(', ')
      .map((sku) => sku.replaceAll("'", ''));
    expect((allowed ?? []).filter((sku) => !/^(B[1-3]|S[1-3]|P[0-3]v3)$/.test(sku))).toEqual([]);
    expect(allowed).toEqual(expect.arrayContaining(['B1', 'S1', 'P0v3']));
    expect(parameters.appServicePlanSku?.value).toBe('${AZURE_APP_SERVICE_SKU=B1}');
    expect(deployWorkflow).toMatch(/^ {6}AZURE_APP_SERVICE_SKU: \$\{\{ vars\.AZURE_APP_SERVICE_SKU \}\}/m);
    expect(resource('plan').body).toContain('  sku: { name: appServicePlanSku }\n');

    const count = bicepObject(resources, 'instanceCount');
    expect([count.get('minimum'), count.get('default'), count.get('maximum')]).toEqual(['1', '1', '3']);
    for (const bound of ['minimum', 'default', 'maximum']) {
      expect(autoscale?.body).toContain(`          ${bound}: string(instanceCount.${bound})\n`);
    }

    expect(autoscaleRules.map(({ direction, trigger }) => [direction, trigger.operator, trigger.threshold])).toEqual([
      ['Increase', "'GreaterThan'", '70'],
      ['Decrease', "'LessThan'", '30'],
    ]);
    for (const { trigger } of autoscaleRules) {
      expect(trigger).toMatchObject({
        metricName: "'CpuPercentage'",
        metricNamespace: "'microsoft.web/serverfarms'",
        metricResourceUri: 'plan.id',
        statistic: "'Average'",
        timeAggregation: "'Average'",
        timeWindow: "'PT10M'",
      });
    }
  });

  it('documents the switch, the setting and the arithmetic in docs/scale-out.md, linked from deployment.md', () => {
    expect(deployment).toContain('(scale-out.md)');
    expect(scaleOutDoc).toContain('azd env set AZURE_REDIS_ENABLED true');
    expect(scaleOutDoc).toContain('azd env set AZURE_APP_SERVICE_SKU');
    expect(scaleOutDoc).toContain('`REDIS_URL`');
    expect(scaleOutDoc).toContain('`clientAffinityEnabled: false`');
  });
});
