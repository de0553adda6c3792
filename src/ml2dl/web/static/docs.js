// The API page (/docs): Swagger UI on this server's /openapi.json. A file, not an inline
// script, so the page runs under the module's CSP (script-src 'self').
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
