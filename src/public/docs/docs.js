'use strict';
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
