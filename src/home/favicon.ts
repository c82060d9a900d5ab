/** The site's icon: a check mark on the home page's accent colour, 32 × 32, scalable. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="7" fill="#0a66c2"/>' +
  '<path d="M9 16.5l5 5 9-11" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>';

/**
 * The icon as a data URL for `<link rel="icon">`: pages that link it cost the browser no request for it
 * (helmet's CSP allows `data:` images).
 */
export const FAVICON_DATA_URL = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;
