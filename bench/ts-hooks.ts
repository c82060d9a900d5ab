/**
 * Lets the bench (run by plain `node`) load the repo's TypeScript test helpers as they are: their relative imports
 * name `.js` files that exist only as `.ts`, and some use constructor parameter properties, which Node's built-in
 * type stripping refuses. Imported for its side effect, before anything that reaches into test/.
 */
import { registerHooks, stripTypeScriptTypes } from 'node:module';

const inRepo = (url: string | undefined): boolean =>
  url !== undefined && url.startsWith('file:') && !url.includes('/node_modules/');

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && inRepo(context.parentURL)) {
      try {
        return nextResolve(specifier, context);
      } catch {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    const loaded = nextLoad(url, context);
    if (!url.endsWith('.ts') || !inRepo(url) || loaded.source === undefined) {
      return loaded;
    }
    const code = typeof loaded.source === 'string' ? loaded.source : new TextDecoder().decode(loaded.source);
    return { format: 'module', source: stripTypeScriptTypes(code, { mode: 'transform', sourceUrl: url }) };
  },
});
