import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

interface PackageInfo {
  name: string;
  description: string;
  version: string;
  license: string;
}

function packageInfo(): PackageInfo {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageInfo;
}

/** The OpenAPI document, from package.json's name and version; served and written to openapi.json. */
export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const info = packageInfo();
  const config = new DocumentBuilder()
    .setTitle(info.name)
    .setDescription(
      `${info.description}.\n\nErrors are \`application/problem+json\` (RFC 9457) with a stable \`code\` and the ` +
        '`requestId`, which is also returned in the `x-request-id` header.',
    )
    .setVersion(info.version)
    .setLicense(info.license, `https://spdx.org/licenses/${info.license}.html`)
    // The deployed URL is known only at run time: relative to wherever the document is served.
    .addServer('/')
    .addTag('codes', 'Issue codes')
    .addTag('health', 'Liveness and readiness probes')
    .build();
  // A public API: no operation needs credentials.
  return { ...SwaggerModule.createDocument(app, config), security: [] };
}

/** The OpenAPI document at /docs-json and /docs-yaml; Swagger UI's page (`public/docs/`) loads it. */
export function setUpApiDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildApiDocument(app), { ui: false, jsonDocumentUrl: 'docs-json' });
}
