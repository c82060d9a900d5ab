import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = join('test-output', 'sbom', 'sbom.cdx.json');

/**
 * scripts/sbom.sh (the deploy workflow's SBOM step) describes exactly the image's production dependencies: every
 * package the lock file installs without --omit=dev's exclusions, and no development-only package.
 */
describe('the SBOM (scripts/sbom.sh)', () => {
  it('lists every production package of the lock file, and no development one', () => {
    mkdirSync(join('test-output', 'sbom'), { recursive: true });
    execFileSync('bash', ['scripts/sbom.sh', OUT], { stdio: 'pipe' });
    const sbom = JSON.parse(readFileSync(OUT, 'utf8')) as {
      bomFormat: string;
      metadata: { component: { name: string } };
      components: { name: string; version: string }[];
    };
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.metadata.component.name).toBe('azure-integrated-auth');
    const listed = new Set(sbom.components.map((component) => `${component.name}@${component.version}`));

    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { version?: string; dev?: boolean; link?: boolean }>;
    };
    const installed = Object.entries(lock.packages).filter(
      ([path, meta]) => path.includes('node_modules/') && !meta.link,
    );
    const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const production = installed
      .filter(([, meta]) => !meta.dev)
      .map(([path, meta]) => `${nameOf(path)}@${meta.version}`);
    const developmentOnly = installed
      .filter(([, meta]) => meta.dev)
      .map(([path, meta]) => `${nameOf(path)}@${meta.version}`);

    expect(production.length).toBeGreaterThan(100);
    expect(production.filter((entry) => !listed.has(entry))).toEqual([]);
    expect(developmentOnly.filter((entry) => listed.has(entry) && !production.includes(entry))).toEqual([]);
    for (const direct of ['@nestjs/core@', '@azure/identity@', '@azure/storage-queue@']) {
      expect([...listed].some((entry) => entry.startsWith(direct))).toBe(true);
    }
  }, 300_000);
});
