/**
 * Mutation testing of src/ against the unit specs only (docs/testing.md): no build, no process started.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // NestJS 12 is ESM-only: Jest's ESM runtime, as in `npm run test:unit`.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { projectType: 'custom', configFile: 'jest.unit.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  // The files with unit specs, and the pure logic that deserves them. Wiring, declarations, bootstrap and I/O adapters
  // that only the e2e suites reach stay out (docs/testing.md).
  mutate: [
    'src/admission/admission-limit.ts',
    'src/azure/app-credential.ts',
    'src/azure/token-identity.ts',
    'src/codes/code-format.ts',
    'src/codes/codes.service.ts',
    'src/common/deadline.ts',
    'src/common/logging.module.ts',
    'src/common/problem-details.filter.ts',
    'src/common/secret-redaction.ts',
    'src/common/service-error.ts',
    'src/config/app-config.ts',
    'src/config/environment.ts',
    'src/queue/code-queue.service.ts',
    'src/queue/queue.module.ts',
    'src/rate-limit/local-rate-limits.ts',
    'src/rate-limit/rate-limits.ts',
    'src/rate-limit/shared-rate-limits.ts',
    'src/secrets/key-vault-secret-source.ts',
    'src/secrets/secrets.service.ts',
    'src/third-party/third-party.client.ts',
    'src/third-party/third-party.policy.ts',
    'src/third-party/third-party.response.ts',
  ],
  ignorePatterns: ['.tools', 'dist', 'coverage', 'test-output', 'reports', 'clients', 'infra', 'docs', 'bench'],
  // Each Jest worker grows past 3.5 GB over hundreds of runs without a restart.
  maxTestRunnerReuse: 25,
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['progress', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
