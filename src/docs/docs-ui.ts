import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import { FAVICON_DATA_URL } from '../home/favicon.js';
import { DOCS_CSS, DOCS_INIT_JS } from './docs-ui.assets.js';
import { StaticText } from './static-text.js';

/** Versioned URLs: a new release with other bytes has other URLs, so browsers may keep these for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page's own URL never changes: browsers revalidate it each time, which costs a 304 when nothing changed. */
const REVALIDATE = 'no-cache';
const ASSETS = '/docs/assets';

/** The swagger-ui-dist that @nestjs/swagger depends on (and pins), wherever the package manager put it. */
function swaggerUiDist(): string {
  const swagger = createRequire(import.meta.url).resolve('@nestjs/swagger');
  return dirname(createRequire(swagger).resolve('swagger-ui-dist/package.json'));
}

interface DocsAsset {
  name: string;
  text: StaticText;
}

function loadAssets(): DocsAsset[] {
  const dist = swaggerUiDist();
  const files: [string, Buffer, string][] = [
    ['swagger-ui.css', readFileSync(join(dist, 'swagger-ui.css')), 'text/css; charset=utf-8'],
    ['docs.css', Buffer.from(DOCS_CSS), 'text/css; charset=utf-8'],
    ['swagger-ui-bundle.js', readFileSync(join(dist, 'swagger-ui-bundle.js')), 'text/javascript; charset=utf-8'],
    ['docs.js', Buffer.from(DOCS_INIT_JS), 'text/javascript; charset=utf-8'],
  ];
  return files.map(([name, body, type]) => ({ name, text: new StaticText(body, type, IMMUTABLE) }));
}

const urlOf = (asset: DocsAsset): string => `${ASSETS}/${asset.text.hash}/${asset.name}`;

function docsPage(title: string, description: string, assets: DocsAsset[]): string {
  const [css, theme, bundle, init] = assets.map(urlOf);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<meta name="description" content="${description}">
<link rel="icon" href="${FAVICON_DATA_URL}">
<link rel="stylesheet" href="${css}">
<link rel="stylesheet" href="${theme}">
<link rel="preload" href="/docs-json" as="fetch" crossorigin>
<script defer src="${bundle}"></script>
<script defer src="${init}"></script>
</head>
<body>
<main id="swagger-ui"></main>
</body>
</html>
`;
}

export interface DocsUiOptions {
  title: string;
  description: string;
}

/**
 * Swagger UI at /docs, served from memory: the page (revalidated), Swagger UI's script and stylesheet
 * and the project's own (at versioned URLs, cached for a year), each compressed once per process.
 * Loaded on the first request, so a process nobody asks for docs never reads them.
 */
export function serveDocsUi(app: INestApplication, { title, description }: DocsUiOptions): void {
  let loaded: { page: StaticText; assets: Map<string, StaticText> } | undefined;
  const load = () => {
    if (!loaded) {
      const assets = loadAssets();
      const page = new StaticText(
        Buffer.from(docsPage(title, description, assets)),
        'text/html; charset=utf-8',
        REVALIDATE,
      );
      loaded = { page, assets: new Map(assets.map((asset) => [urlOf(asset), asset.text])) };
    }
    return loaded;
  };
  const http = app.getHttpAdapter().getInstance() as Express;
  http.get('/docs', (req, res, next) => {
    load().page.send(req, res).catch(next);
  });
  http.get(`${ASSETS}/:hash/:name`, (req, res, next) => {
    const asset = load().assets.get(req.path);
    if (!asset) {
      next();
      return;
    }
    asset.send(req, res).catch(next);
  });
}
