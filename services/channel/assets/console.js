/* CoachAI creator console: an owner or admin signs in, uploads material and watches it become
   ready, edits the coach's name, disclaimer and the sites allowed to embed the chat, and reads
   the statistics. Uses the Auth and Creator Hub APIs; server text goes in with textContent. */
(function () {
  "use strict";

  var C = window.CoachAI;
  var slug = C.slugFromPath();
  var session = new C.Session(slug, "console");
  var POLL_MS = 2000;
  var pollTimer = null;
  var persona = {};

  function $(id) { return document.getElementById(id); }
  function hub(path) { return "/api/v1/creators/" + encodeURIComponent(session.creatorId()) + path; }

  function notice(text) {
    $("notice").textContent = text || "";
    $("notice").hidden = !text;
  }

  function reportError(error) {
    C.showError(error && error.message ? error.message : "Something went wrong. Please try again.");
  }

  function show(view) {
    $("sign-in-view").hidden = view !== "sign-in-view";
    $("console-view").hidden = view !== "console-view";
    $("sign-out").hidden = view !== "console-view";
  }

  /* ---------- content ---------- */

  function loadContent() {
    return session.call("GET", hub("/content?limit=100"), null).then(function (page) {
      var list = $("content-list");
      list.replaceChildren();
      var busy = false;
      (page.items || []).forEach(function (item) {
        var row = document.createElement("li");
        row.setAttribute("data-content", item.id);
        var title = document.createElement("span");
        title.className = "content-title";
        title.textContent = item.title;
        var status = document.createElement("span");
        status.className = "content-status";
        status.setAttribute("data-status", item.status);
        status.textContent = item.status + (item.status === "failed" && item.status_reason ? ": " + item.status_reason : "");
        row.appendChild(title);
        row.appendChild(status);
        list.appendChild(row);
        busy = busy || item.status === "pending" || item.status === "processing" || (item.pending_version !== null && item.pending_version !== undefined);
      });
      if (!(page.items || []).length) {
        var empty = document.createElement("li");
        empty.className = "muted";
        empty.textContent = "No content yet. Upload a file to teach your AI coach.";
        list.appendChild(empty);
      }
      schedulePoll(busy);
    }).catch(reportError);
  }

  /* While something is pending or processing, the list is read again every two seconds. */
  function schedulePoll(busy) {
    if (pollTimer) { window.clearTimeout(pollTimer); pollTimer = null; }
    if (busy) {
      pollTimer = window.setTimeout(function () { loadContent(); loadStats(); }, POLL_MS);
    }
  }

  function upload(event) {
    event.preventDefault();
    var input = $("upload-file");
    if (!input.files || !input.files.length) { C.showError("Choose a file to upload first."); return; }
    var form = new FormData();
    form.append("file", input.files[0]);
    $("upload").disabled = true;
    C.showError("");
    session.call("POST", hub("/content"), form).then(function (item) {
      notice("Uploaded “" + item.title + "”. It is being processed; its status updates below.");
      input.value = "";
      return loadContent();
    }).catch(reportError).finally(function () { $("upload").disabled = false; });
  }

  /* ---------- profile ---------- */

  function loadProfile() {
    return session.call("GET", hub(""), null).then(function (profile) {
      persona = profile.persona || {};
      C.setText("creator-name", profile.display_name);
      $("persona-coach-name").value = persona.coach_name || "";
      $("persona-disclaimer").value = persona.disclaimer || "";
      $("allowed-origins").value = (profile.allowed_origins || []).join("\n");
      C.setBrandColor(profile.branding && profile.branding.primary_color);
    }).catch(reportError);
  }

  function saveProfile(event) {
    event.preventDefault();
    var next = Object.assign({}, persona);
    var coach = $("persona-coach-name").value.trim();
    var disclaimer = $("persona-disclaimer").value.trim();
    if (coach) { next.coach_name = coach; } else { delete next.coach_name; }
    if (disclaimer) { next.disclaimer = disclaimer; } else { delete next.disclaimer; }
    var origins = $("allowed-origins").value.split(/\s+/).filter(Boolean);
    $("save-profile").disabled = true;
    C.showError("");
    session.call("PATCH", hub(""), { persona: next, allowed_origins: origins }).then(function (profile) {
      persona = profile.persona || {};
      $("allowed-origins").value = (profile.allowed_origins || []).join("\n");
      notice("Saved. The chat page shows the change within 30 seconds.");
    }).catch(reportError).finally(function () { $("save-profile").disabled = false; });
  }

  /* ---------- statistics ---------- */

  function loadStats() {
    return session.call("GET", hub("/stats"), null).then(function (stats) {
      var byStatus = stats.documents_by_status || {};
      var rows = [
        ["Documents", stats.documents],
        ["Ready", byStatus.ready],
        ["Processing", (byStatus.pending || 0) + (byStatus.processing || 0)],
        ["Failed", byStatus.failed],
        ["Passages", stats.chunks],
        ["Storage", formatBytes(stats.storage_bytes)],
        ["Conversations", stats.conversations],
        ["Messages", stats.messages]
      ];
      var list = $("stats");
      list.replaceChildren();
      rows.forEach(function (row) {
        var term = document.createElement("dt");
        term.textContent = row[0];
        var value = document.createElement("dd");
        value.setAttribute("data-stat", row[0].toLowerCase());
        value.textContent = String(row[1] === undefined || row[1] === null ? 0 : row[1]);
        list.appendChild(term);
        list.appendChild(value);
      });
    }).catch(reportError);
  }

  function formatBytes(bytes) {
    var value = Number(bytes) || 0;
    if (value < 1024) { return value + " B"; }
    if (value < 1024 * 1024) { return (value / 1024).toFixed(1) + " KiB"; }
    return (value / 1024 / 1024).toFixed(1) + " MiB";
  }

  /* ---------- sign-in ---------- */

  function openConsole() {
    return session.call("GET", "/api/v1/auth/me", null).then(function (me) {
      if (me.role !== "owner" && me.role !== "admin") {
        session.logout();
        show("sign-in-view");
        C.showError("This console is for the creator's owner and admins. Clients chat on the chat page.");
        return;
      }
      show("console-view");
      var chat = "/chat/" + encodeURIComponent(slug);
      $("chat-link").href = chat;
      $("chat-link").hidden = false;
      $("widget-snippet").textContent = "<script src=\"" + window.location.origin + "/chat/widget.js\" data-creator=\"" + slug + "\" async></script>";
      return Promise.all([loadProfile(), loadContent(), loadStats()]);
    }).catch(reportError);
  }

  function signIn(event) {
    event.preventDefault();
    var email = $("email").value.trim();
    var password = $("password").value;
    if (!email || !password) { C.showError("Enter your email and your password."); return; }
    $("sign-in").disabled = true;
    session.login(email, password).then(function () {
      C.showError("");
      $("password").value = "";
      return openConsole();
    }).catch(reportError).finally(function () { $("sign-in").disabled = false; });
  }

  function signOut() {
    schedulePoll(false);
    session.logout();
    show("sign-in-view");
    $("email").focus();
  }

  function start() {
    $("sign-in-form").addEventListener("submit", signIn);
    $("upload-form").addEventListener("submit", upload);
    $("profile-form").addEventListener("submit", saveProfile);
    $("sign-out").addEventListener("click", signOut);
    session.onExpired = function () {
      schedulePoll(false);
      show("sign-in-view");
      C.showError("Your session has ended. Please sign in again.");
    };
    C.setText("creator-name", slug);
    if (session.signedIn()) { openConsole(); } else { show("sign-in-view"); $("email").focus(); }
  }

  start();
}());
