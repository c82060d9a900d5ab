import { createHash } from 'node:crypto';
import { FAVICON_DATA_URL } from './favicon.js';

/** The home page: what the service is and where to go next. Static, no script, no external assets. */
export const HOME_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>azure-integrated-auth</title>
<meta name="description" content="A NestJS API on Azure that reads Key Vault and writes to a Storage queue with one Microsoft Entra identity: no connection strings, no keys in code.">
<link rel="icon" href="${FAVICON_DATA_URL}">
<style>
  :root { color-scheme: light dark; --accent: #0a66c2; }
  body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1.25rem; }
  h1 { font-size: 1.7rem; margin-bottom: .25rem; }
  .lead { font-size: 1.1rem; opacity: .85; margin-top: 0; }
  ol { padding-left: 1.25rem; }
  code { font-family: ui-monospace, "Cascadia Code", Menlo, monospace; font-size: .92em; }
  a.button { display: inline-block; padding: .55rem 1.1rem; border-radius: .4rem; background: var(--accent); color: #fff; text-decoration: none; font-weight: 600; }
  a.button.secondary { background: transparent; color: var(--accent); border: 2px solid var(--accent); margin-left: .5rem; }
  a.button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  footer { margin-top: 2.5rem; font-size: .9rem; opacity: .7; }
</style>
</head>
<body>
<main>
  <h1>azure-integrated-auth</h1>
  <p class="lead">One Microsoft Entra identity, every Azure service: no connection strings, no keys in code.</p>
  <p>Each call to <code>GET /api/v1/getcode</code>:</p>
  <ol>
    <li>reads the third-party API key from <strong>Azure Key Vault</strong> (cached, rotation-aware),</li>
    <li>calls the third-party API with it and gets a number,</li>
    <li>builds a code like <code>qWe-417-RtY</code>,</li>
    <li>records it on an <strong>Azure Storage queue</strong>,</li>
    <li>and answers <code>{"code": …, "timestamp": …}</code>.</li>
  </ol>
  <p>Key Vault and the queue are reached with the same credential: the App Service managed identity in Azure, your developer sign-in locally.</p>
  <p><a class="button" href="/api/v1/getcode">Get a code</a> <a class="button secondary" href="/docs">API docs</a></p>
  <p>Health: <a href="/health/live">/health/live</a> · <a href="/health/ready">/health/ready</a> · OpenAPI document: <a href="/docs-json">/docs-json</a></p>
</main>
<footer>JSON API · errors are <code>application/problem+json</code> (RFC 9457).</footer>
</body>
</html>
`;

/** A weak validator for the page: its content's hash. */
export const HOME_PAGE_ETAG = `W/"${createHash('sha256').update(HOME_PAGE).digest('base64url').slice(0, 16)}"`;
