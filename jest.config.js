/**
 * NestJS 12 ships ES modules only, so tests run as ESM: `npm test` sets
 * NODE_OPTIONS=--experimental-vm-modules and ts-jest emits ESM.
 * @type {import('jest').Config}
 */
const common = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testEnvironment: 'node',
  setupFilesAfterEnv: ['<rootDir>/test/support/preload-esm.ts'],
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // A project's global setup runs only when one of its specs is selected: unit runs skip the build.
      globalSetup: '<rootDir>/test/support/build-app.ts',
      setupFilesAfterEnv: [...common.setupFilesAfterEnv, '<rootDir>/test/support/e2e-hooks.ts'],
    },
  ],
};
