/**
 * `npm run sbom:check`: runs scripts/sbom.sh (the deploy workflow's SBOM step) and checks that the SBOM describes
 * exactly the image's production dependencies: every package the lock file installs for production, and no package
 * only development needs. Exits 1 with the reasons otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sbom {
  bomFormat?: string;
  metadata?: { component?: { name?: string } };
  components?: { name: string; version: string }[];
}

export interface PackageLock {
  packages: Record<string, { version?: string; dev?: boolean; link?: boolean }>;
}

/** The packages a lock file installs, as `name@version`, split into production and development-only ones. */
function lockedPackages(lock: PackageLock): { production: string[]; developmentOnly: string[] } {
  const installed = Object.entries(lock.packages).filter(
    ([path, meta]) => path.includes('node_modules/') && !meta.link,
  );
  const entry = ([path, meta]: [string, { version?: string }]) =>
    `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${meta.version}`;
  return {
    production: installed.filter(([, meta]) => !meta.dev).map(entry),
    developmentOnly: installed.filter(([, meta]) => meta.dev).map(entry),
  };
}

/** What is wrong with `sbom` as the SBOM of the production tree of `lock` for the application `name`. */
export function sbomProblems(sbom: Sbom, lock: PackageLock, name: string): string[] {
  const problems: string[] = [];
  if (sbom.bomFormat !== 'CycloneDX') {
    problems.push(`not a CycloneDX document (bomFormat: ${sbom.bomFormat})`);
  }
  if (sbom.metadata?.component?.name !== name) {
    problems.push(`its subject is ${sbom.metadata?.component?.name}, not ${name}`);
  }
  const listed = new Set((sbom.components ?? []).map((component) => `${component.name}@${component.version}`));
  const { production, developmentOnly } = lockedPackages(lock);
  if (production.length <= 100) {
    problems.push(`the lock file lists only ${production.length} production packages: is it complete?`);
  }
  const missing = production.filter((entry) => !listed.has(entry));
  if (missing.length > 0) {
    problems.push(`production packages missing: ${missing.join(', ')}`);
  }
  const extra = developmentOnly.filter((entry) => listed.has(entry) && !production.includes(entry));
  if (extra.length > 0) {
    problems.push(`development-only packages listed: ${extra.join(', ')}`);
  }
  for (const direct of ['@nestjs/core@', '@azure/identity@', '@azure/storage-queue@']) {
    if (![...listed].some((entry) => entry.startsWith(direct))) {
      problems.push(`${direct.slice(0, -1)} is not listed`);
    }
  }
  return problems;
}

if (import.meta.main) {
  const out = join('test-output', 'sbom', 'sbom.cdx.json');
  mkdirSync(join('test-output', 'sbom'), { recursive: true });
  try {
    execFileSync('bash', ['scripts/sbom.sh', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    process.stderr.write(`sbom:check FAILED: scripts/sbom.sh exited ${(error as { status?: number }).status}\n`);
    process.exit(1);
  }
  const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
  const { name } = read('package.json') as { name: string };
  const sbom = read(out) as Sbom;
  const problems = sbomProblems(sbom, read('package-lock.json') as PackageLock, name);
  if (problems.length > 0) {
    process.stderr.write(`sbom:check FAILED (${out}):\n${problems.map((problem) => `- ${problem}\n`).join('')}`);
    process.exit(1);
  }
  process.stdout.write(`sbom:check: ok, ${sbom.components?.length} components, the production tree exactly (${out})\n`);
}
