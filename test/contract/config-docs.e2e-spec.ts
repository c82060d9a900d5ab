import { readFileSync } from 'node:fs';
import { environmentShape } from '../../src/config/environment.schema.js';

/** Each setting is described once, in docs/configuration.md; .env.example is the copyable template. */
describe('configuration documentation', () => {
  const variables = Object.keys(environmentShape.shape);
  const example = readFileSync('.env.example', 'utf8').split('\n');
  const reference = readFileSync('docs/configuration.md', 'utf8');
  const templated = example.flatMap((line) => /^#? ?([A-Z][A-Z0-9_]+)=/.exec(line)?.[1] ?? []);

  it.each(variables)('%s is in .env.example, under a comment', (name) => {
    const line = example.findIndex((text) => new RegExp(`^#? ?${name}=`).test(text));
    expect(line).toBeGreaterThan(0);
    expect(example[line - 1]).toMatch(/^# /);
  });

  it.each(variables)('%s is in the table of docs/configuration.md', (name) => {
    expect(reference).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });

  it('documents no setting the app does not read, and at most 20', () => {
    expect(templated.filter((name) => !variables.includes(name))).toEqual([]);
    const documented = [...reference.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|/gm)].map((match) => match[1]);
    expect(documented.filter((name) => !variables.includes(name ?? ''))).toEqual([]);
    expect(variables.length).toBeLessThanOrEqual(20);
  });
});
