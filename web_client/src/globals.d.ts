// What pages put on, or find on, `window` besides the DOM's own.
interface Window {
  // Swagger UI's bundle, loaded by api-docs.html before api-docs.js.
  SwaggerUIBundle(options: {
    url: string;
    dom_id: string;
    requestInterceptor(request: { headers: Record<string, string> }): unknown;
  }): unknown;
  // The room's media session, for debugging and the browser tests (pages/room/media-panel.js).
  qouRoomMedia?: import("./room/media.js").MediaSession;
}
