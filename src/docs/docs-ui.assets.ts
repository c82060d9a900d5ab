/**
 * The project's own stylesheet for Swagger UI, loaded after Swagger UI's. Each rule fixes what an
 * accessibility audit (Lighthouse 12, axe) found on the default theme.
 */
export const DOCS_CSS = `
body { margin: 0; background: #fafafa; }
.docs-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

/* White on Swagger UI's method and version badges measures 2.2 to 3.8:1; these colours give 5.2:1 or more. */
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #0b62b8; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #17794d; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #9a5a00; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #c42020; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #127a66; }
.swagger-ui .opblock.opblock-head .opblock-summary-method { background: #7a0bd9; }
.swagger-ui .info .title small { background: #5b6270; }
.swagger-ui .info .title small.version-stamp { background: #4a6b00; }
/* Swagger UI's link blue (#4990e2) is 3.2:1 on the page and under white text; #0b62b8 is 5.8:1. */
.swagger-ui .info a, .swagger-ui .scopes h2 a { color: #0b62b8; }
.swagger-ui .btn.execute { background-color: #0b62b8; border-color: #0b62b8; }

/* The deep link on each operation's path is 19 px high: tap targets need 24 px. */
.swagger-ui .opblock .opblock-summary-path a.nostyle { display: inline-block; min-height: 24px; line-height: 24px; }
`;

/**
 * Starts Swagger UI on the served OpenAPI document, without the standalone preset (its top bar, a URL
 * box for other documents, is 268 kB of script this page does not need). The plugin adds an h2 before
 * the operations, so that the tags' h3 headings follow the title's h1 in order.
 */
export const DOCS_INIT_JS = `'use strict';
(function () {
  function operationsHeading(system) {
    var h = system.React.createElement;
    return {
      wrapComponents: {
        operations: function (Original) {
          return function (props) {
            return h('div', null, h('h2', { className: 'docs-visually-hidden' }, 'Operations'), h(Original, props));
          };
        },
      },
    };
  }
  window.ui = SwaggerUIBundle({
    url: '/docs-json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [operationsHeading],
    layout: 'BaseLayout',
  });
})();
`;
