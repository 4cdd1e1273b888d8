/* CoachAI chat page: the transcript. Questions and answers are blocks of the #transcript log
   (`.question`, `.answer` with `.answer-text`, `.citation`s and a `.degraded` marker); every
   text from the server goes in with textContent. Loaded before chat.js. */
(function () {
  "use strict";

  function transcript() { return document.getElementById("transcript"); }

  function addQuestion(text) {
    var block = document.createElement("div");
    block.className = "question";
    block.setAttribute("data-testid", "question");
    block.textContent = text;
    transcript().appendChild(block);
    scrollDown();
    return block;
  }

  function addAnswer() {
    var block = document.createElement("div");
    block.className = "answer";
    block.setAttribute("data-testid", "answer");
    var text = document.createElement("p");
    text.className = "answer-text";
    block.appendChild(text);
    transcript().appendChild(block);
    scrollDown();
    return { element: block, text: text };
  }

  function finishAnswer(answer, sources, degraded) {
    answer.element.setAttribute("aria-busy", "false");
    if (degraded) {
      var marker = document.createElement("p");
      marker.className = "degraded";
      marker.setAttribute("data-testid", "degraded");
      marker.textContent = "Degraded: the AI model was unavailable, so this answer quotes the material directly.";
      answer.element.appendChild(marker);
    }
    if (sources && sources.length) {
      var list = document.createElement("ul");
      list.className = "citations";
      list.setAttribute("aria-label", "Sources");
      sources.forEach(function (source) {
        var item = document.createElement("li");
        item.className = "citation";
        item.setAttribute("data-testid", "citation");
        var where = locationLabel(source.location);
        item.textContent = (source.title || "Source") + (where ? " — " + where : "");
        list.appendChild(item);
      });
      answer.element.appendChild(list);
    }
    scrollDown();
  }

  /* "page 3", "Warm-up › Hips", "14:05" (a cue's start), or "" when the location says nothing. */
  function locationLabel(location) {
    if (!location) { return ""; }
    if (typeof location === "string") { return location; }
    if (typeof location.page === "number") { return "page " + location.page; }
    if (Array.isArray(location.heading_path) && location.heading_path.length) {
      return location.heading_path.filter(function (p) { return typeof p === "string"; }).join(" › ");
    }
    if (typeof location.start === "string") { return timestamp(location.start); }
    return "";
  }

  function timestamp(value) {
    var clock = value.split(/[.,]/)[0];
    var pieces = clock.split(":");
    if (pieces.length === 3 && /^0+$/.test(pieces[0])) { return pieces[1] + ":" + pieces[2]; }
    if (pieces.length === 3) { return String(Number(pieces[0])) + ":" + pieces[1] + ":" + pieces[2]; }
    return clock;
  }

  function scrollDown() {
    var log = transcript();
    log.scrollTop = log.scrollHeight;
  }

  function clear() { transcript().replaceChildren(); }

  window.CoachAI.Transcript = {
    addQuestion: addQuestion,
    addAnswer: addAnswer,
    finishAnswer: finishAnswer,
    locationLabel: locationLabel,
    scrollDown: scrollDown,
    clear: clear
  };
}());
