/* CoachAI chat widget. A creator adds to their site:
     <script src="https://<gateway>/chat/widget.js" data-creator="<slug>" async></script>
   and a chat bubble appears; it opens the creator's chat page (/chat/<slug>?embed=1) in a panel.
   The chat page answers with `Content-Security-Policy: frame-ancestors <allowed_origins>`, so
   the browser refuses to show it inside any site the creator did not list in the console.
   Optional: data-color="#rrggbb" (bubble colour), data-label (the bubble's accessible name).
   Styles are set through the DOM (element.style), never inline markup, so a strict
   Content-Security-Policy on the host site does not block them. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__coachaiWidget) { return; }
  var slug = script.getAttribute("data-creator") || "";
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(slug)) {
    window.console.error("CoachAI widget: data-creator must be a creator's slug, got " + JSON.stringify(slug));
    return;
  }
  window.__coachaiWidget = true;
  var origin = new URL(script.src, window.location.href).origin;
  var color = /^#[0-9a-fA-F]{6}$/.test(script.getAttribute("data-color") || "") ? script.getAttribute("data-color") : "#2f6fed";
  var label = script.getAttribute("data-label") || "Chat with your coach";

  function css(element, styles) {
    Object.keys(styles).forEach(function (name) { element.style[name] = styles[name]; });
  }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "coachai-widget-button";
  button.setAttribute("data-testid", "coachai-widget-button");
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "coachai-widget-panel");
  button.textContent = "\uD83D\uDCAC";
  css(button, {
    position: "fixed", right: "20px", bottom: "20px", width: "56px", height: "56px",
    borderRadius: "50%", border: "0", background: color, color: "#fff", fontSize: "24px",
    cursor: "pointer", boxShadow: "0 4px 12px rgba(0,0,0,.25)", zIndex: "2147483646"
  });

  var panel = document.createElement("div");
  panel.id = "coachai-widget-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);
  panel.hidden = true;
  css(panel, {
    position: "fixed", right: "20px", bottom: "88px", width: "min(380px, calc(100vw - 40px))",
    height: "min(600px, calc(100vh - 120px))", borderRadius: "12px", overflow: "hidden",
    boxShadow: "0 8px 30px rgba(0,0,0,.3)", background: "#fff", zIndex: "2147483647"
  });

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "coachai-widget-frame";
      frame.setAttribute("data-testid", "coachai-widget-frame");
      frame.title = label;
      frame.src = origin + "/chat/" + encodeURIComponent(slug) + "?embed=1";
      css(frame, { width: "100%", height: "100%", border: "0" });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }
  function close() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  button.addEventListener("click", function () { if (panel.hidden) { open(); } else { close(); } });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { close(); }
  });

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
}());
