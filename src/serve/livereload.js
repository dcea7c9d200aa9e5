// Live reload for `portico serve`: reload when a rebuild finishes, keeping the scroll
// position; show a rebuild error over the page until it is fixed. Loaded as a file of the
// server's own (`/__portico/livereload.js`), so that it runs under a `script-src 'self'`
// policy; the error at load time comes in the tag's `data-portico-error` attribute.
(function () {
  "use strict";
  var script = document.currentScript;
  var errorAtLoad = script ? script.getAttribute("data-portico-error") : null;
  var key = "portico-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { window.scrollTo(0, Number(saved)); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }
  var overlay = null;
  function showError(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "portico-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,23,29,.92);color:#ffe3e3;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "Portico could not rebuild the site; the last good build is shown below this message.\n\n" + message +
      "\n\nFix the problem and save: this page reloads by itself.";
  }
  if (errorAtLoad) showError(errorAtLoad);
  var events = new EventSource("/__portico/events");
  events.addEventListener("reload", function () {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  events.addEventListener("build-error", function (event) {
    if (event.data) showError(event.data);
  });
})();
