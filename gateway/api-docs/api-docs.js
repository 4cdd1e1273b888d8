// Starts Swagger UI on the four services' OpenAPI documents (same origin, through the gateway).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    urls: [
      { url: "/api/v1/auth/openapi.json", name: "Auth" },
      { url: "/api/v1/creators/openapi.json", name: "Creator Hub" },
      { url: "/api/v1/ai/openapi.json", name: "AI Engine" },
      { url: "/api/v1/channels/openapi.json", name: "Channel" },
    ],
    "urls.primaryName": "Auth",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
});
