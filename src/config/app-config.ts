import { checkEnvironment, ConfigValidationError, type Environment } from './environment.js';
import { type Policies, policiesSchema, policiesWith } from './policies.js';

/** Where the app runs, from variables App Service sets: read only to say what to fix. */
export interface Platform {
  onAppService: boolean;
  hasIdentityEndpoint: boolean;
}

/** The app's configuration: the validated environment, the policies and the platform. Injected as itself. */
export class AppConfig {
  constructor(
    readonly env: Environment,
    readonly policies: Policies = policiesWith(),
    readonly platform: Platform = { onAppService: false, hasIdentityEndpoint: false },
    readonly testPolicies = false,
  ) {}
}

const OVERRIDES = 'TEST_POLICY_OVERRIDES';

function checkPolicies(env: NodeJS.ProcessEnv): { data?: Policies; problems: string[] } {
  const text = env[OVERRIDES]?.trim() ?? '';
  if (text && env.WEBSITE_SITE_NAME) {
    return { problems: [`${OVERRIDES} is for tests only and is refused on App Service: remove it`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text || '{}');
  } catch {
    return { problems: [`${OVERRIDES} must be JSON`] };
  }
  const result = policiesSchema.safeParse(json);
  return result.success
    ? { data: result.data, problems: [] }
    : { problems: result.error.issues.map((issue) => `${OVERRIDES}.${issue.path.join('.')}: ${issue.message}`) };
}

/** Everything the app reads from the environment, validated at once; throws `ConfigValidationError`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const environment = checkEnvironment(env);
  const policies = checkPolicies(env);
  if (!environment.data || !policies.data) {
    throw new ConfigValidationError([...environment.problems, ...policies.problems]);
  }
  const platform = {
    onAppService: Boolean(env.WEBSITE_SITE_NAME),
    hasIdentityEndpoint: Boolean(env.IDENTITY_ENDPOINT),
  };
  return new AppConfig(environment.data, policies.data, platform, Boolean(env[OVERRIDES]?.trim()));
}
