/**
 * How openapi.json and the generated client types are written: shared by
 * `npm run openapi` and the drift test, so both produce the same bytes.
 */
import { COMMENT_HEADER, astToString, default as openapiTS } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

/** The one command that brings both files up to date after an API change. */
export const REGENERATE_COMMAND = 'npm run openapi';
export const OPENAPI_FILE = 'openapi.json';
export const CLIENT_TYPES_FILE = 'clients/typescript/schema.ts';

/** The usual reading order of an OpenAPI document's top level; the rest follows alphabetically. */
const TOP_LEVEL = ['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components'];

function byTopLevelOrder(a: string, b: string): number {
  const rank = (key: string): number => (TOP_LEVEL.includes(key) ? TOP_LEVEL.indexOf(key) : TOP_LEVEL.length);
  return rank(a) - rank(b) || a.localeCompare(b, 'en');
}

/** Example payloads are data, shown to readers as written: their keys keep their order. */
function isPayload(path: string[]): boolean {
  const last = path.at(-1);
  return last === 'example' || (last === 'value' && path.at(-3) === 'examples');
}

/**
 * Keys sorted, so that moving a controller or a decorator does not reorder
 * the file; schema `properties` keep their declaration order (the order a
 * reader expects, RFC 9457's for problem details), and so do example payloads.
 */
function canonical(value: unknown, path: string[] = []): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => canonical(item, [...path, String(index)]));
  }
  if (value === null || typeof value !== 'object' || isPayload(path)) {
    return value;
  }
  const entries = Object.entries(value);
  if (path.at(-1) !== 'properties') {
    entries.sort(([a], [b]) => (path.length === 0 ? byTopLevelOrder(a, b) : a.localeCompare(b, 'en')));
  }
  return Object.fromEntries(entries.map(([name, child]) => [name, canonical(child, [...path, name])]));
}

async function prettier(text: string, file: string): Promise<string> {
  return format(text, { ...(await resolveConfig(file)), filepath: file });
}

/** The text of openapi.json for a document as the app builds or serves it. */
export async function renderDocument(document: object): Promise<string> {
  return prettier(JSON.stringify(canonical(document)), OPENAPI_FILE);
}

/** The text of the client's types (openapi-typescript) for the text of openapi.json. */
export async function renderClientTypes(openapiText: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(openapiText) as Parameters<typeof openapiTS>[0], { silent: true });
  const header = `${COMMENT_HEADER}// From ${OPENAPI_FILE}; regenerate with \`${REGENERATE_COMMAND}\`.\n\n`;
  return prettier(header + astToString(ast), CLIENT_TYPES_FILE);
}
