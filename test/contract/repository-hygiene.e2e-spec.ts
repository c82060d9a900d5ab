import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface DependabotUpdate {
  'package-ecosystem': string;
  directory?: string;
  directories?: string[];
  schedule?: { interval?: string };
}

const read = (path: string): string => readFileSync(path, 'utf8');
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: object }).scripts);

/**
 * The files a public repository is expected to have, and the promises they
 * make that the repository can check about itself.
 */
describe('repository hygiene', () => {
  it.each(['LICENSE', 'SECURITY.md', 'CONTRIBUTING.md', '.github/dependabot.yml', 'openapi.json', 'api.http'])(
    'has %s',
    (path) => {
      expect(existsSync(path)).toBe(true);
    },
  );

  it("LICENSE is the MIT license package.json names, held by the project's contributors", () => {
    expect((JSON.parse(read('package.json')) as { license: string }).license).toBe('MIT');
    const license = read('LICENSE');
    expect(license).toMatch(/^MIT License\n/);
    expect(license).toContain('Copyright (c) 2026 azure-integrated-auth contributors');
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it('SECURITY.md asks for private reports through GitHub security advisories, not public issues', () => {
    const policy = read('SECURITY.md');
    expect(policy).toMatch(/privately/i);
    expect(policy).toMatch(/Report a vulnerability/);
    expect(policy).toMatch(/security advisory/i);
    expect(policy).toMatch(/Do not open a public issue/);
  });

  it('CONTRIBUTING.md and docs/api.md name only npm scripts that exist, regeneration included', () => {
    const text = read('CONTRIBUTING.md') + read('docs/api.md');
    const named = [...text.matchAll(/npm run ([\w:.-]+)/g)].map((match) => match[1]!);
    expect(named).toEqual(expect.arrayContaining(['dev', 'lint', 'openapi']));
    expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
  });

  describe('.github/dependabot.yml', () => {
    const config = parse(read('.github/dependabot.yml')) as { version: number; updates: DependabotUpdate[] };
    const directoriesOf = (update: DependabotUpdate) => update.directories ?? [update.directory ?? ''];

    it('is version 2', () => {
      expect(config.version).toBe(2);
    });

    it.each(['npm', 'docker', 'github-actions'])('updates %s at the repository root, weekly', (ecosystem) => {
      const updates = config.updates.filter(
        (update) => update['package-ecosystem'] === ecosystem && directoriesOf(update).includes('/'),
      );
      expect(updates).toHaveLength(1);
      expect(updates[0]!.schedule?.interval).toBe('weekly');
    });

    it('watches only directories that exist, each on a schedule', () => {
      expect(config.updates.length).toBeGreaterThan(0);
      for (const update of config.updates) {
        expect(update.schedule?.interval).toMatch(/^(daily|weekly|monthly)$/);
        for (const directory of directoriesOf(update)) {
          expect(existsSync(`.${directory}`)).toBe(true);
        }
      }
    });
  });
});
