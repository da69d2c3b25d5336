// Renders the server's OpenAPI document with Swagger UI, whose bundle the page loads first.
// "Try it out" from a logged-in browser sends the CSRF header, as the app does.

import { CSRF_COOKIE, readCookie } from "./api.js";

window.SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger",
  requestInterceptor(request) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) request.headers["X-CSRF-Token"] = csrf;
    return request;
  },
});
