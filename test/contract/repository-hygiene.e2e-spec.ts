import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

  it('LICENSE is the license package.json names (MIT)', () => {
    expect((JSON.parse(read('package.json')) as { license: string }).license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n/);
  });

  it('SECURITY.md says where to report a vulnerability', () => {
    const reporting = /^## .*report.*\n([\s\S]*?)(?=^## |(?![\s\S]))/im.exec(read('SECURITY.md'))?.[1] ?? '';
    expect(reporting).toMatch(/vulnerability reporting|security advisory|https?:\/\/\S+|\S+@\S+\.\w+/i);
  });

  it('the README, CONTRIBUTING.md and docs/ name only npm scripts that exist', () => {
    const docs = [
      'README.md',
      'CONTRIBUTING.md',
      ...readdirSync('docs').flatMap((f) => (f.endsWith('.md') ? [`docs/${f}`] : [])),
    ];
    const named = docs.flatMap((path) => [...read(path).matchAll(/npm run ([\w:.-]+)/g)].map((match) => match[1]!));
    expect(named.length).toBeGreaterThan(0);
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
