'use strict';
// Swagger UI (1.6 MB of script) only when the reader asks to try the API, or follows a link into it (#/...).
(function () {
  var button = document.getElementById('try-it');

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) {
        element.setAttribute(name, attributes[name]);
      });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  // Swagger UI's tags are h3: an h2 before them keeps the headings in order.
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

  function start() {
    button.disabled = true;
    button.textContent = 'Loading Swagger UI…';
    Promise.all([
      load('link', { rel: 'stylesheet', href: '/docs/swagger-ui.css' }),
      load('script', { src: '/docs/swagger-ui-bundle.js' }),
    ]).then(function () {
      document.getElementById('reference').hidden = true;
      button.hidden = true;
      window.ui = SwaggerUIBundle({
        url: '/docs-json',
        dom_id: '#swagger-ui',
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis],
        plugins: [operationsHeading],
        layout: 'BaseLayout',
      });
    });
  }

  button.addEventListener('click', start);
  if (location.hash.indexOf('#/') === 0) {
    start();
  }
})();
