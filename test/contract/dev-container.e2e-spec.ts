import { readFileSync } from 'node:fs';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';

interface DevContainer {
  image?: string;
  build?: { dockerfile?: string };
  features?: Record<string, unknown>;
  forwardPorts?: (number | string)[];
  [key: string]: unknown;
}

type LifecycleCommand = string | string[] | Record<string, string | string[]>;

/** Every property of devcontainer.json that runs a command, in the order the tools run them. */
const LIFECYCLE = [
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;

const DIR = '.devcontainer';

/** devcontainer.json is JSON with comments (and trailing commas): read it as the dev container tools do. */
function readDevContainer(): { config: DevContainer; errors: string[] } {
  const errors: ParseError[] = [];
  const config = parse(readFileSync(`${DIR}/devcontainer.json`, 'utf8'), errors, {
    allowTrailingComma: true,
  }) as DevContainer;
  return { config, errors: errors.map((error) => `${printParseErrorCode(error.error)} at offset ${error.offset}`) };
}

/** The base image: `image`, or the first FROM of the Dockerfile that `build` names. */
function baseImage(config: DevContainer): string {
  if (config.image) return config.image;
  const dockerfile = readFileSync(`${DIR}/${config.build?.dockerfile ?? 'Dockerfile'}`, 'utf8');
  return /^FROM\s+(\S+)/m.exec(dockerfile)?.[1] ?? '';
}

function commandsOf(value: LifecycleCommand | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return [value.join(' ')];
  return Object.values(value).flatMap((command) => commandsOf(command));
}

describe('the dev container (.devcontainer/)', () => {
  const { config, errors } = readDevContainer();
  const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: object }).scripts);

  it('parses as JSON with comments, to an object', () => {
    expect(errors).toEqual([]);
    expect(typeof config).toBe('object');
  });

  it('starts from the official Node 24 image', () => {
    expect(baseImage(config)).toMatch(/^mcr\.microsoft\.com\/devcontainers\/(typescript|javascript)-node:24(-|$)/);
  });

  it('has the Azure CLI and the Azure Developer CLI', () => {
    const features = Object.keys(config.features ?? {}).map((id) => id.replace(/:[^/]*$/, ''));
    expect(features).toEqual(
      expect.arrayContaining(['ghcr.io/devcontainers/features/azure-cli', 'ghcr.io/azure/azure-dev/azd']),
    );
  });

  it("forwards the app's port", () => {
    expect(config.forwardPorts).toContain(8080);
  });

  it('installs the locked dependencies once created', () => {
    expect(commandsOf(config.postCreateCommand as LifecycleCommand)).toContain('npm ci');
  });

  it('runs only npm ci and npm scripts that exist', () => {
    const commands = LIFECYCLE.flatMap((name) => commandsOf(config[name] as LifecycleCommand | undefined));
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const script = /^npm (?:run(?:-script)? )?([\w:.-]+)$/.exec(command.trim())?.[1];
      const known = command.trim() === 'npm ci' || (script !== undefined && scripts.includes(script));
      expect(`${command}: ${known ? 'npm ci or an npm script' : 'not an npm script of package.json'}`).toBe(
        `${command}: npm ci or an npm script`,
      );
    }
  });
});
