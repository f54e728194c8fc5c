// How long a message is as it is typed or pasted ("12,345 characters"), and a warning (with its
// size in KB beside the count) before it is too large to send: the request size limit is the only
// cap on a message. Characters are counted as the server counts them (code points, the spaces
// around trimmed), so the thank-you page says the same number. A static file: the CSP stays strict.
(function () {
  "use strict";
  var encoder = window.TextEncoder ? new TextEncoder() : null;
  var numbers = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || undefined) : null;

  function characters(text) {
    return Array.from ? Array.from(text).length : text.length;
  }
  function bytesSent(text) {
    // UTF-8, with each line break sent as CR LF (what a browser does with a textarea).
    var lineBreaks = (text.match(/\n/g) || []).length;
    return (encoder ? encoder.encode(text).length : text.length) + lineBreaks;
  }
  function size(bytes) {
    return (bytes / 1024).toFixed(1) + " KB";
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-char-count-for]"), function (counter) {
    var field = document.getElementById(counter.getAttribute("data-char-count-for"));
    if (!field) return;
    var warning = document.getElementById(field.id + "-too-long");
    var maxBytes = parseInt(counter.getAttribute("data-max-bytes"), 10) || 0;

    function update() {
      var count = characters(field.value.trim());
      var shown = numbers ? numbers.format(count) : String(count);
      var text = counter.getAttribute(count === 1 ? "data-one" : "data-other").replace("{count}", shown);
      var bytes = bytesSent(field.value);
      var tooLong = maxBytes > 0 && bytes > maxBytes;
      counter.textContent = tooLong ? text + " (" + size(bytes) + ")" : text;
      counter.classList.toggle("over", tooLong);
      if (!warning || warning.hidden !== tooLong) return;
      // Changed only when it appears or goes (an alert is read out at each change), and emptied
      // when hidden: the field's description names it, and hidden text is still read out.
      warning.textContent = tooLong ? warning.getAttribute("data-text") : "";
      warning.hidden = !tooLong;
    }

    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(counter.id);
    if (warning) described.push(warning.id);
    field.setAttribute("aria-describedby", described.join(" "));
    field.addEventListener("input", update);
    counter.hidden = false;
    update();
  });
})();
