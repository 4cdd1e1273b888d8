/* CoachAI pages: the API client shared by the chat page and the console.
   Tokens live in memory and in this tab's sessionStorage only (never localStorage or cookies),
   and the access token is refreshed with the refresh token a minute before it expires.
   Every text from the server is shown with textContent by the pages, never parsed as HTML. */
(function () {
  "use strict";

  var REFRESH_EARLY_MS = 60 * 1000;

  /* Plain words for HTTP statuses and problem types; the server's detail is added when useful. */
  function describe(status, problem) {
    var detail = problem && typeof problem.detail === "string" ? problem.detail : "";
    switch (status) {
      case 0: return "Cannot reach the server. Check your connection and try again.";
      case 401: return "Your email or password is not right, or your session has ended. Please sign in again.";
      case 403: return "You are not allowed to do this here." + (detail ? " (" + detail + ")" : "");
      case 404: return detail || "This was not found.";
      case 409: return detail || "This conflicts with something that already exists.";
      case 413: return detail || "This is too large.";
      case 415: return "This file type is not supported.";
      case 422: return "Please check what you entered: " + (detail || "a field is not valid.");
      case 429: return "Too many attempts. Please wait a moment and try again.";
      case 502: case 503: case 504: return "The service is busy or restarting. Please try again in a moment.";
      default: return status >= 500 ? "Something went wrong on our side. Please try again." : (detail || "The request failed (" + status + ").");
    }
  }

  function ApiError(status, problem) {
    this.status = status;
    this.problem = problem;
    this.message = describe(status, problem);
  }

  /* The signed-in person of one page (`scope`: "chat" or "console") of the creator `slug`. */
  function Session(slug, scope) {
    this.key = "coachai.session." + scope + "." + slug;
    this.slug = slug;
    this.data = null;
    this.timer = null;
    this.onExpired = function () {};
    try {
      var saved = window.sessionStorage.getItem(this.key);
      if (saved) { this.data = JSON.parse(saved); }
    } catch (e) { this.data = null; }
    if (this.data) { this.schedule(); }
  }

  Session.prototype.signedIn = function () { return Boolean(this.data && this.data.refresh_token); };
  Session.prototype.creatorId = function () { return this.data ? this.data.creator_id : null; };
  Session.prototype.accessToken = function () { return this.data ? this.data.access_token : null; };

  Session.prototype.store = function (tokens) {
    this.data = {
      creator_id: tokens.creator_id,
      user_id: tokens.user_id,
      slug: tokens.slug,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      expires_at: Date.now() + tokens.expires_in * 1000
    };
    try { window.sessionStorage.setItem(this.key, JSON.stringify(this.data)); } catch (e) { /* memory only */ }
    this.schedule();
  };

  Session.prototype.clear = function () {
    this.data = null;
    if (this.timer) { window.clearTimeout(this.timer); this.timer = null; }
    try { window.sessionStorage.removeItem(this.key); } catch (e) { /* nothing stored */ }
  };

  Session.prototype.schedule = function () {
    var self = this;
    if (this.timer) { window.clearTimeout(this.timer); }
    var wait = Math.max(0, this.data.expires_at - Date.now() - REFRESH_EARLY_MS);
    this.timer = window.setTimeout(function () {
      self.refresh().catch(function () { /* reported through onExpired */ });
    }, wait);
  };

  /* One refresh at a time: refresh tokens rotate, a second use would revoke the family. */
  Session.prototype.refresh = function () {
    var self = this;
    if (this.refreshing) { return this.refreshing; }
    if (!this.signedIn()) { return Promise.reject(new ApiError(401, null)); }
    this.refreshing = request("POST", "/api/v1/auth/refresh", null, { refresh_token: this.data.refresh_token })
      .then(function (tokens) { self.store(tokens); return tokens; })
      .catch(function (error) {
        if (error.status === 401) { self.clear(); self.onExpired(); }
        throw error;
      })
      .finally(function () { self.refreshing = null; });
    return this.refreshing;
  };

  Session.prototype.login = function (email, password) {
    var self = this;
    return request("POST", "/api/v1/auth/login", null, { creator: this.slug, email: email, password: password })
      .then(function (tokens) { self.store(tokens); return tokens; });
  };

  Session.prototype.acceptInvitation = function (token, password, displayName) {
    var self = this;
    var body = { token: token, password: password };
    if (displayName) { body.display_name = displayName; }
    return request("POST", "/api/v1/auth/invitations/accept", null, body)
      .then(function (tokens) { self.store(tokens); return tokens; });
  };

  Session.prototype.logout = function () {
    var refresh = this.data && this.data.refresh_token;
    this.clear();
    if (refresh) {
      return request("POST", "/api/v1/auth/logout", null, { refresh_token: refresh }).catch(function () { return null; });
    }
    return Promise.resolve(null);
  };

  /* An authenticated call; a 401 refreshes the tokens once and tries again. */
  Session.prototype.call = function (method, path, body) {
    var self = this;
    return request(method, path, this.accessToken(), body).catch(function (error) {
      if (error.status !== 401 || !self.signedIn()) { throw error; }
      return self.refresh().then(function () { return request(method, path, self.accessToken(), body); });
    });
  };

  function request(method, path, token, body) {
    var headers = { Accept: "application/json" };
    var payload;
    if (token) { headers.Authorization = "Bearer " + token; }
    if (body instanceof window.FormData) {
      payload = body;
    } else if (body !== null && body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return window.fetch(path, { method: method, headers: headers, body: payload, credentials: "omit" })
      .catch(function () { throw new ApiError(0, null); })
      .then(function (response) {
        if (response.status === 204) { return null; }
        return response.json().catch(function () { return null; }).then(function (json) {
          if (!response.ok) { throw new ApiError(response.status, json); }
          return json;
        });
      });
  }

  /* Reads the creator's public branding; null when no creator has this slug. */
  function publicCreator(slug) {
    return request("GET", "/api/v1/channels/public/creators/" + encodeURIComponent(slug), null, null)
      .catch(function (error) { if (error.status === 404) { return null; } throw error; });
  }

  /* Applies the creator's branding: names, colour (a CSS custom property), avatar. */
  function applyBranding(creator) {
    var coach = creator.coach_name || creator.display_name;
    setText("coach-name", coach);
    setText("creator-name", creator.coach_name ? creator.display_name : "");
    document.title = coach;
    setBrandColor(creator.primary_color);
    var avatar = document.getElementById("avatar");
    if (avatar && creator.avatar_url && /^https:\/\//.test(creator.avatar_url)) {
      avatar.src = creator.avatar_url;
      avatar.alt = coach;
      avatar.hidden = false;
    }
  }

  /* The creator's colour as --brand, and --on-brand (black or white, whichever reads better on
     it) for text on buttons of that colour. */
  function setBrandColor(color) {
    if (!color || !/^#[0-9a-fA-F]{6}$/.test(color)) { return; }
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(color.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    var root = document.documentElement.style;
    root.setProperty("--brand", color);
    root.setProperty("--on-brand", luminance > 0.179 ? "#000000" : "#ffffff");
  }

  function setText(id, text) {
    var element = document.getElementById(id);
    if (element) { element.textContent = text || ""; }
  }

  function showError(text) {
    var element = document.getElementById("error");
    element.textContent = text || "";
    element.hidden = !text;
  }

  /* The creator slug: the path segment after /chat/ or /console/. */
  function slugFromPath() {
    var parts = window.location.pathname.split("/");
    return decodeURIComponent(parts[2] || "");
  }

  window.CoachAI = {
    Session: Session,
    ApiError: ApiError,
    describe: describe,
    publicCreator: publicCreator,
    applyBranding: applyBranding,
    setBrandColor: setBrandColor,
    setText: setText,
    showError: showError,
    slugFromPath: slugFromPath
  };
}());
