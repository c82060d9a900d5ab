import config from './jest.config.js';

/** The `unit` project as a config of its own, for tools that take one flat Jest config (StrykerJS). */
const { displayName: _displayName, ...unit } = config.projects.find((project) => project.displayName === 'unit');

export default { ...unit, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
