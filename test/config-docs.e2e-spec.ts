import { readFileSync } from 'node:fs';
import { environmentShape } from '../src/config/environment.schema.js';

/** The configuration contract is documented where users look: .env.example (with a comment) and the README table. */
describe('configuration documentation', () => {
  const variables = Object.keys(environmentShape.shape);
  const example = readFileSync('.env.example', 'utf8').split('\n');
  const readme = readFileSync('README.md', 'utf8');

  it.each(variables)('%s is in .env.example, under a comment', (name) => {
    const line = example.findIndex((text) => new RegExp(`^#? ?${name}=`).test(text));
    expect(line).toBeGreaterThan(0);
    expect(example[line - 1]).toMatch(/^# /);
  });

  it.each(variables)('%s is in the README configuration table', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });
});
