// JobTemplateService console: the live log page, and focus on a notice or error that a page or an
// htmx swap brings, so that a screen reader reads it at once. No inline script exists
// anywhere in the console (the Content-Security-Policy forbids it); this file is all of its own code.
(function () {
  "use strict";

  function followLog(pre) {
    var status = document.getElementById("log-status");
    var pause = document.getElementById("log-pause");
    var paused = false;
    var count = pre.querySelectorAll(".line").length;
    pause.addEventListener("click", function () {
      paused = !paused;
      pause.setAttribute("aria-pressed", paused ? "true" : "false");
      pause.textContent = paused ? "Resume auto-scroll" : "Pause auto-scroll";
      if (!paused) pre.scrollTop = pre.scrollHeight;
    });
    var source = new EventSource(pre.getAttribute("data-stream"));
    source.addEventListener("line", function (e) {
      var line = JSON.parse(e.data);
      var row = document.createElement("span");
      row.className = "line " + line.stream;
      var number = document.createElement("span");
      number.className = "ln";
      number.textContent = line["line-no"];
      row.appendChild(number);
      row.appendChild(document.createTextNode(line.text + "\n"));
      pre.appendChild(row);
      count++;
      status.textContent = "Following the log live: " + count + " lines.";
      if (!paused) pre.scrollTop = pre.scrollHeight;
    });
    source.addEventListener("end", function (e) {
      var end = JSON.parse(e.data);
      source.close();
      status.textContent = "The instance ended " + end.state + ". " + count + " lines.";
      status.setAttribute("data-state", end.state);
      pre.setAttribute("data-complete", "true");
    });
    source.onerror = function () {
      if (pre.getAttribute("data-complete") !== "true") status.textContent = "Connection lost; reconnecting…";
    };
  }

  function focusMarked(root) {
    var target = (root || document).querySelector("[data-focus]");
    if (target) target.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A notice present when the page opens (the run page a cancel redirected to, a form sent back
    // with its errors) is not announced by its live region, which announces changes only.
    focusMarked(document);
    var pre = document.getElementById("log");
    if (pre && pre.getAttribute("data-stream")) followLog(pre);
  });
  document.addEventListener("htmx:afterSwap", function (e) { focusMarked(e.target); });
})();
