import { type PackageLock, type Sbom, sbomProblems } from './sbom-check.js';

const DIRECT = ['@nestjs/core', '@azure/identity', '@azure/storage-queue'];
/** A lock file of 103 production packages (one nested) and two development-only ones, one of them a link. */
const LOCK: PackageLock = {
  packages: {
    '': { version: '0.1.0' },
    ...Object.fromEntries(DIRECT.map((name) => [`node_modules/${name}`, { version: '1.0.0' }])),
    ...Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`node_modules/dep-${i}`, { version: '2.0.0' }])),
    'node_modules/dep-1/node_modules/nested': { version: '3.0.0' },
    'node_modules/jest': { version: '30.0.0', dev: true },
    'node_modules/local': { link: true, dev: true },
  },
};
const production = [
  ...DIRECT.map((name) => ({ name, version: '1.0.0' })),
  ...Array.from({ length: 99 }, (_, i) => ({ name: `dep-${i}`, version: '2.0.0' })),
  { name: 'nested', version: '3.0.0' },
];
const sbom = (components = production, name = 'azure-integrated-auth'): Sbom => ({
  bomFormat: 'CycloneDX',
  metadata: { component: { name } },
  components,
});

describe('sbomProblems (npm run sbom:check)', () => {
  it('accepts the production tree exactly', () => {
    expect(sbomProblems(sbom(), LOCK, 'azure-integrated-auth')).toEqual([]);
  });

  it('names a production package the SBOM leaves out, and a development-only one it lists', () => {
    const components = [...production.filter((c) => c.name !== 'nested'), { name: 'jest', version: '30.0.0' }];
    expect(sbomProblems(sbom(components), LOCK, 'azure-integrated-auth')).toEqual([
      'production packages missing: nested@3.0.0',
      'development-only packages listed: jest@30.0.0',
    ]);
  });

  it('refuses another format or subject, and a direct dependency missing', () => {
    const withoutIdentity = production.filter((c) => c.name !== '@azure/identity');
    const problems = sbomProblems(
      { ...sbom(withoutIdentity, 'repo'), bomFormat: 'SPDX' },
      LOCK,
      'azure-integrated-auth',
    );
    expect(problems).toEqual([
      'not a CycloneDX document (bomFormat: SPDX)',
      'its subject is repo, not azure-integrated-auth',
      'production packages missing: @azure/identity@1.0.0',
      '@azure/identity is not listed',
    ]);
  });
});
