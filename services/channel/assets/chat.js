/* CoachAI chat page: sign in or accept an invitation, list and open conversations, and chat
   over the Channel's WebSocket (docs/03-api-specifications/channel.md). The answer streams
   token by token; a dropped connection is reopened with a new ticket and resumed from the last
   seq seen. Everything the server sends is inserted with textContent only. */
(function () {
  "use strict";

  var C = window.CoachAI;
  var T = C.Transcript;
  var slug = C.slugFromPath();
  var parts = window.location.pathname.split("/");
  var inviteToken = parts[3] === "invite" ? decodeURIComponent(parts[4] || "") : "";
  var embedded = new URLSearchParams(window.location.search).get("embed") === "1";
  var session = new C.Session(slug, "chat");

  var ERRORS = {
    rate_limited: "You are sending messages too quickly. Wait a moment and send it again.",
    not_found: "This conversation is not available any more. Start a new one.",
    unauthorized: "Your session ended. Reconnecting…",
    gone: "Part of this conversation is no longer kept live; reopen it from the list to read it all.",
    unavailable: "The coach cannot answer right now. Please try again in a little while.",
    too_large: "That message is too long.",
    invalid_field: "That message could not be sent; check it and try again.",
    internal: "Something went wrong on our side. Please try again."
  };

  var state = {
    socket: null,
    attempt: 0,
    reconnectTimer: null,
    wanted: false,
    conversation: null,   // the conversation shown
    lastSeq: {},          // conversation id -> last seq received
    pending: null,        // {id, text, conversation, element} until its answer is done
    answers: {}           // conversation id -> the answer element being written
  };

  function $(id) { return document.getElementById(id); }

  function show(view) {
    ["sign-in-view", "invite-view", "chat-view"].forEach(function (name) { $(name).hidden = name !== view; });
    $("sign-out").hidden = view !== "chat-view";
  }

  function setStatus(text) {
    var status = $("connection-status");
    status.textContent = text;
    status.setAttribute("data-state", text);
  }

  /* ---------- conversations ---------- */

  function loadConversations() {
    return session.call("GET", "/api/v1/ai/conversations?limit=50", null).then(function (page) {
      var list = $("conversations");
      list.replaceChildren();
      (page.items || []).forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = item.title || "Conversation";
        button.setAttribute("data-conversation", item.id);
        if (item.id === state.conversation) { button.setAttribute("aria-current", "true"); }
        button.addEventListener("click", function () { openConversation(item.id); });
        li.appendChild(button);
        list.appendChild(li);
      });
    }).catch(reportError);
  }

  function openConversation(id) {
    return session.call("GET", "/api/v1/ai/conversations/" + encodeURIComponent(id), null).then(function (conversation) {
      state.conversation = id;
      T.clear();
      (conversation.messages || []).forEach(function (message) {
        if (message.role === "user") {
          T.addQuestion(message.body);
        } else {
          var answer = T.addAnswer();
          answer.text.textContent = message.body;
          T.finishAnswer(answer, message.sources, message.degraded);
        }
      });
      delete state.answers[id];
      markCurrent();
      $("message").focus();
    }).catch(reportError);
  }

  function newConversation() {
    state.conversation = null;
    T.clear();
    markCurrent();
    $("message").focus();
  }

  function markCurrent() {
    Array.prototype.forEach.call($("conversations").querySelectorAll("button"), function (button) {
      if (button.getAttribute("data-conversation") === state.conversation) {
        button.setAttribute("aria-current", "true");
      } else {
        button.removeAttribute("aria-current");
      }
    });
  }

  /* ---------- the WebSocket ---------- */

  function connect() {
    state.wanted = true;
    if (state.socket || state.reconnectTimer) { return; }
    if (navigator.onLine === false) { setStatus("offline"); return; }
    session.call("POST", "/api/v1/channels/ws-ticket", null).then(function (reply) {
      if (!state.wanted) { return; }
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var url = scheme + window.location.host + "/api/v1/channels/ws?ticket=" + encodeURIComponent(reply.ticket);
      var socket = new WebSocket(url);
      state.socket = socket;
      socket.addEventListener("open", function () { opened(socket); });
      socket.addEventListener("message", function (event) { received(event.data); });
      socket.addEventListener("close", function () { closed(socket); });
    }).catch(function (error) {
      if (!session.signedIn()) { return; }
      if (error.status === 403) { reportError(error); }
      scheduleReconnect();
    });
  }

  function opened(socket) {
    if (state.socket !== socket) { return; }
    state.attempt = 0;
    setStatus("connected");
    C.showError("");
    Object.keys(state.lastSeq).forEach(follow);
    var pending = state.pending;
    if (pending && !pending.conversation) { sendFrame({ type: "message", id: pending.id, conversation_id: pending.target, text: pending.text }); }
  }

  function follow(conversation) {
    sendFrame({ type: "resume", conversation_id: conversation, last_seq: state.lastSeq[conversation] || 0 });
  }

  function closed(socket) {
    if (state.socket !== socket) { return; }
    state.socket = null;
    if (state.wanted && session.signedIn()) { scheduleReconnect(); } else { setStatus("offline"); }
  }

  function scheduleReconnect() {
    if (state.reconnectTimer) { return; }
    setStatus(navigator.onLine === false ? "offline" : "reconnecting");
    var delay = Math.min(15000, 500 * Math.pow(2, state.attempt));
    state.attempt += 1;
    state.reconnectTimer = window.setTimeout(function () {
      state.reconnectTimer = null;
      connect();
    }, delay);
  }

  function disconnect() {
    state.wanted = false;
    if (state.reconnectTimer) { window.clearTimeout(state.reconnectTimer); state.reconnectTimer = null; }
    if (state.socket) { var socket = state.socket; state.socket = null; socket.close(1000); }
    setStatus("offline");
  }

  function sendFrame(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function received(data) {
    var event;
    try { event = JSON.parse(data); } catch (e) { return; }
    if (!event || typeof event.type !== "string") { return; }
    var conversation = event.conversation_id;
    if (conversation && typeof event.seq === "number") {
      var last = state.lastSeq[conversation] || 0;
      if (event.seq <= last) { return; }  // already seen (a resume replays after last_seq only)
      state.lastSeq[conversation] = event.seq;
    }
    var handler = HANDLERS[event.type];
    if (handler) { handler(event, conversation); }
  }

  function shown(conversation) {
    return conversation && conversation === state.conversation;
  }

  function currentAnswer(conversation) {
    var answer = state.answers[conversation];
    if (!answer) {
      answer = T.addAnswer();
      answer.element.setAttribute("aria-busy", "true");
      state.answers[conversation] = answer;
    }
    return answer;
  }

  var HANDLERS = {
    ack: function (event, conversation) {
      var pending = state.pending;
      if (pending && pending.id === event.id) {
        pending.conversation = conversation;
        if (!state.conversation) { state.conversation = conversation; }
      }
    },
    typing: function (event, conversation) {
      if (shown(conversation)) { currentAnswer(conversation); }
    },
    token: function (event, conversation) {
      if (!shown(conversation)) { return; }
      var answer = currentAnswer(conversation);
      answer.text.textContent += event.text;
      T.scrollDown();
    },
    done: function (event, conversation) {
      if (shown(conversation)) {
        T.finishAnswer(currentAnswer(conversation), event.sources, event.degraded);
      }
      delete state.answers[conversation];
      if (state.pending && state.pending.conversation === conversation) { state.pending = null; }
      setBusy(false);
      loadConversations();
    },
    error: function (event, conversation) {
      // The server closes the connection (1008) next; reconnecting refreshes the tokens.
      if (event.code === "unauthorized") { return; }
      var text = ERRORS[event.code] || "The message could not be handled.";
      C.showError(text);
      if (conversation) {
        var answer = state.answers[conversation];
        if (answer) { answer.element.setAttribute("aria-busy", "false"); delete state.answers[conversation]; }
      }
      var pending = state.pending;
      var aboutPending = pending && (conversation ? pending.conversation === conversation : !pending.conversation);
      if (aboutPending && event.code !== "gone") {
        state.pending = null;
        setBusy(false);
        var failed = document.createElement("p");
        failed.className = "failed";
        failed.textContent = "Not answered.";
        pending.element.appendChild(failed);
      }
    }
  };

  /* ---------- sending ---------- */

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function setBusy(busy) {
    $("send").disabled = busy;
  }

  function send() {
    var box = $("message");
    var text = box.value.trim();
    if (!text) { C.showError("Type a question first."); box.focus(); return; }
    if (state.pending) { C.showError("Wait for the answer before asking the next question."); return; }
    C.showError("");
    var pending = { id: uuid(), text: text, target: state.conversation, conversation: null };
    state.pending = pending;
    pending.element = T.addQuestion(text);
    box.value = "";
    setBusy(true);
    if (!sendFrame({ type: "message", id: pending.id, conversation_id: pending.target, text: text })) {
      C.showError("Not connected right now; your question will be sent when the connection is back.");
      connect();
    }
  }

  /* ---------- sign-in, invitation, start ---------- */

  function reportError(error) {
    C.showError(error && error.message ? error.message : "Something went wrong. Please try again.");
  }

  function startChat() {
    show("chat-view");
    if (inviteToken) { window.history.replaceState(null, "", "/chat/" + encodeURIComponent(slug) + window.location.search); }
    loadConversations();
    connect();
    $("message").focus();
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
      startChat();
    }).catch(reportError).finally(function () { $("sign-in").disabled = false; });
  }

  function acceptInvite(event) {
    event.preventDefault();
    var password = $("invite-password").value;
    if (password.length < 12) { C.showError("Choose a password of at least 12 characters."); return; }
    $("accept-invite").disabled = true;
    session.acceptInvitation(inviteToken, password, $("invite-name").value.trim()).then(function (tokens) {
      C.showError("");
      if (tokens.slug && tokens.slug !== slug) {
        C.showError("This invitation is for another coach's page.");
        session.clear();
        return;
      }
      startChat();
    }).catch(function (error) {
      if (error.status === 401 || error.status === 404 || error.status === 410) {
        C.showError("This invitation link is not valid any more. Ask your coach for a new one.");
      } else {
        reportError(error);
      }
    }).finally(function () { $("accept-invite").disabled = false; });
  }

  function signOut() {
    disconnect();
    session.logout();
    state.lastSeq = {};
    state.pending = null;
    state.conversation = null;
    T.clear();
    $("conversations").replaceChildren();
    show("sign-in-view");
    $("email").focus();
  }

  function bind() {
    $("sign-in-form").addEventListener("submit", signIn);
    $("invite-form").addEventListener("submit", acceptInvite);
    $("composer").addEventListener("submit", function (event) { event.preventDefault(); send(); });
    $("message").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(); }
    });
    $("new-conversation").addEventListener("click", newConversation);
    $("sign-out").addEventListener("click", signOut);
    window.addEventListener("offline", function () { setStatus("offline"); });
    window.addEventListener("online", function () {
      if (state.wanted && !state.socket) {
        if (state.reconnectTimer) { window.clearTimeout(state.reconnectTimer); state.reconnectTimer = null; }
        state.attempt = 0;
        connect();
      }
    });
    session.onExpired = function () {
      disconnect();
      show("sign-in-view");
      C.showError("Your session has ended. Please sign in again.");
    };
  }

  function start() {
    if (embedded) { document.body.classList.add("embedded"); }
    bind();
    setStatus("offline");
    C.publicCreator(slug).then(function (creator) {
      if (!creator) {
        C.showError("There is no coach at this address. Check the link you were given.");
        return;
      }
      C.applyBranding(creator);
      if (creator.disclaimer) { $("disclaimer").textContent = creator.disclaimer; $("disclaimer").hidden = false; }
      if (inviteToken) { show("invite-view"); $("invite-password").focus(); return; }
      if (session.signedIn()) { startChat(); return; }
      show("sign-in-view");
      $("email").focus();
    }).catch(reportError);
  }

  start();
}());
