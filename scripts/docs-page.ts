/**
 * The docs page (`src/public/docs/index.html`), rendered from openapi.json by `npm run openapi`: every operation,
 * its answers and the schemas as plain HTML, readable at once on any device; Swagger UI (1.6 MB of script) is
 * loaded only when the reader asks to try the API (`src/public/docs/docs.js`).
 */
import { format, resolveConfig } from 'prettier';

export const DOCS_PAGE_FILE = 'src/public/docs/index.html';

interface Schema {
  type?: string;
  format?: string;
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: string[];
  description?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
}

interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  responses: Record<string, { description: string; content?: Record<string, { examples?: object }> }>;
}

interface OpenApi {
  info: { title: string; version: string; description: string; license?: { name: string; url: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' " +
  "rx='7' fill='%230a66c2'/%3E%3Cpath d='M9 16.5l5 5 9-11' fill='none' stroke='%23fff' stroke-width='3.5' " +
  "stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E";

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The descriptions' Markdown as far as they use it: paragraphs and `code`. */
const prose = (text = ''): string =>
  text
    .split(/\n\n+/)
    .map((paragraph) => `<p>${escape(paragraph).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('\n');

function rules(schema: Schema): string {
  const parts = [
    schema.format && `format ${schema.format}`,
    schema.enum && `one of ${schema.enum.join(', ')}`,
    schema.pattern && `pattern <code>${escape(schema.pattern)}</code>`,
    schema.maxLength !== undefined && `at most ${schema.maxLength} characters`,
    schema.minimum !== undefined && `${schema.minimum} to ${schema.maximum}`,
  ];
  return parts.filter(Boolean).join('; ');
}

function operation(method: string, path: string, op: Operation): string {
  const answers = Object.entries(op.responses).map(([status, answer]) => {
    const codes = Object.values(answer.content ?? {}).flatMap((media) => Object.keys(media.examples ?? {}));
    const listed = codes.map((code) => `<code>${code}</code>`).join(' ');
    return `<tr><td>${status}</td><td>${prose(answer.description)}</td><td>${listed}</td></tr>`;
  });
  return `<article id="${op.operationId}">
<h3><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
${prose(op.summary)}
${op.description ? prose(op.description) : ''}
<table><caption>Answers</caption><thead><tr><th scope="col">Status</th><th scope="col">Meaning</th><th scope="col">Codes</th></tr></thead>
<tbody>${answers.join('\n')}</tbody></table>
</article>`;
}

function schemaSection(name: string, schema: Schema): string {
  const rows = Object.entries(schema.properties ?? {}).map(
    ([property, field]) =>
      `<tr><td><code>${property}</code></td><td>${field.type ?? ''}</td><td>${rules(field)}</td>` +
      `<td>${escape(field.description ?? '')}</td></tr>`,
  );
  return `<h3 id="schema-${name}">${name}</h3>
<table><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Rules</th><th scope="col">Meaning</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

/** The text of the docs page for the text of openapi.json. */
export async function renderDocsPage(openapiText: string): Promise<string> {
  const api = JSON.parse(openapiText) as OpenApi;
  const operations = Object.entries(api.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path, op })),
  );
  const tags = api.tags.map((tag) => {
    const tagged = operations.filter(({ op }) => op.tags?.includes(tag.name));
    return `<section><h2>${escape(tag.description)}</h2>\n${tagged.map(({ method, path, op }) => operation(method, path, op)).join('\n')}</section>`;
  });
  const schemas = Object.entries(api.components.schemas).map(([name, schema]) => schemaSection(name, schema));
  const license = api.info.license ? ` · <a href="${api.info.license.url}">${api.info.license.name} licence</a>` : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${api.info.title} API</title>
<meta name="description" content="Reference of the ${api.info.title} HTTP API, with every answer and error code; try each operation from the browser.">
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="/docs/docs.css">
<script defer src="/docs/docs.js"></script>
</head>
<body>
<header>
<h1>${api.info.title} API <small>${api.info.version}</small></h1>
${prose(api.info.description)}
<p><a href="/docs-json">OpenAPI document</a>${license} · <a href="/">Home</a></p>
<button id="try-it" type="button">Try it out (loads Swagger UI)</button>
</header>
<main id="reference">
${tags.join('\n')}
<section><h2>Schemas</h2>
${schemas.join('\n')}
</section>
</main>
<div id="swagger-ui"></div>
</body>
</html>
`;
  return format(html, { ...(await resolveConfig(DOCS_PAGE_FILE)), filepath: DOCS_PAGE_FILE });
}
