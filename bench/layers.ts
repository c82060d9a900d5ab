/**
 * Which package, and which layer of the request's path, a CPU profile's frame belongs to. The app's own code is
 * classified by its folder in dist/ and everything else by its npm package, never by file names, so the tables
 * survive the app's files being renamed or merged.
 */

/** How `packageOf` names the app's own built code. */
export const APP_PACKAGE = 'the app (dist/)';
/** How `packageOf` names the minimal implementation. */
export const MINIMAL_PACKAGE = 'bench/minimal.ts';

export const LAYER_NAMES = {
  logging: 'request logging (pino, pino-http, nestjs-pino)',
  rateLimit: 'rate limiting (dist/rate-limit/, Redis client)',
  securityHeaders: 'security headers (helmet)',
  resilience: 'resilience (cockatiel)',
  thirdParty: 'third-party client (dist/third-party/, axios, @nestjs/axios)',
  undici: 'undici (connections to the third party)',
  framework: 'NestJS and Express (routing, middleware, guards, filters, rxjs)',
  azure: 'Azure SDK (queue, Key Vault, identity; XML)',
  app: "the app's other code (controller, services, config; minimal.ts)",
  sockets: 'Node.js sockets (reads and writes)',
  gc: 'garbage collector',
  node: 'Node.js and V8 (HTTP parsing, timers, event loop)',
  other: 'other packages',
} as const;

export type Layer = keyof typeof LAYER_NAMES;

const packages = (names: string): Set<string> => new Set(names.split(/\s+/));

/** npm packages by layer; `@azure/*` and `@typespec/*` are the Azure SDK's too. */
const PACKAGE_LAYERS: [Layer, Set<string>][] = [
  [
    'logging',
    packages(
      `pino pino-http nestjs-pino pino-std-serializers sonic-boom fast-redact quick-format-unescaped
      safe-stable-stringify on-exit-leak-free atomic-sleep thread-stream`,
    ),
  ],
  ['rateLimit', packages('@redis/client @redis/entraid')],
  ['securityHeaders', packages('helmet')],
  ['resilience', packages('cockatiel')],
  ['thirdParty', packages('axios @nestjs/axios follow-redirects proxy-from-env form-data')],
  ['undici', packages('undici')],
  [
    'framework',
    packages(
      `@nestjs/core @nestjs/common @nestjs/platform-express @nestjs/terminus @nestjs/swagger express router
      path-to-regexp body-parser type-is finalhandler on-finished on-headers debug rxjs reflect-metadata http-errors
      statuses content-type accepts negotiator parseurl encodeurl escape-html vary qs raw-body media-typer mime-types
      mime-db depd iterare ee-first unpipe fresh send serve-static proxy-addr forwarded ipaddr.js setprototypeof
      inherits toidentifier compression compressible bytes`,
    ),
  ],
  ['azure', packages('fast-xml-parser fast-xml-builder path-expression-matcher strnum tslib')],
];

/** The app's folders (under dist/) that are a layer of their own; the rest of dist/ is the app's other code. */
const APP_FOLDER_LAYERS: Record<string, Layer> = { 'rate-limit': 'rateLimit', 'third-party': 'thirdParty' };

/** Where a frame's code comes from: an npm package, a Node core module, the app itself, or V8's own categories. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') {
    return functionName.startsWith('(') ? functionName : '(V8 builtins, native)';
  }
  if (url.startsWith('wasm://')) {
    return 'WebAssembly (llhttp in undici, es-module-lexer)';
  }
  if (url.startsWith('node:')) {
    // Node's own code is a big share: split it by module (node:internal by its first folder).
    const [first = '', second = ''] = url.slice('node:'.length).split('/');
    return first === 'internal' && second !== '' ? `node:internal/${second}` : `node:${first}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const at = path.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const [first = '', second = ''] = path.slice(at + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (path.includes('/dist/')) {
    return APP_PACKAGE;
  }
  return path.includes('/bench/') ? MINIMAL_PACKAGE : path;
}

/** The folder of a file of the app's build (`dist/<folder>/...`); '' for the files at its top. */
function appFolderOf(url: string): string {
  const inDist = url.slice(url.lastIndexOf('/dist/') + '/dist/'.length);
  const slash = inDist.indexOf('/');
  return slash < 0 ? '' : inDist.slice(0, slash);
}

/**
 * The layer a frame's code belongs to, or undefined for Node's and V8's own code (which counts for whichever layer
 * called it). Socket reads and writes are their own layer: both implementations do the same ones.
 */
export function layerOf(url: string, functionName: string): Layer | undefined {
  if (url === '') {
    return functionName === '(garbage collector)' ? 'gc' : undefined;
  }
  if (url === 'node:net') {
    return 'sockets';
  }
  if (url.startsWith('node:')) {
    return undefined;
  }
  const pkg = packageOf(url, functionName);
  if (pkg === APP_PACKAGE) {
    return APP_FOLDER_LAYERS[appFolderOf(url)] ?? 'app';
  }
  if (pkg === MINIMAL_PACKAGE) {
    return 'app';
  }
  if (pkg.startsWith('@azure/') || pkg.startsWith('@typespec/')) {
    return 'azure';
  }
  return PACKAGE_LAYERS.find(([, names]) => names.has(pkg))?.[0] ?? 'other';
}
