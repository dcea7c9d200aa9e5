// Portico default theme: small enhancements. Every page works without this script.
(function () {
  "use strict";

  // Version switcher: close on Escape or on a click elsewhere.
  var switchers = document.querySelectorAll("details.version-switcher");
  document.addEventListener("click", function (event) {
    switchers.forEach(function (details) {
      if (details.open && !details.contains(event.target)) details.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    switchers.forEach(function (details) {
      if (details.open) {
        details.open = false;
        details.querySelector("summary").focus();
      }
    });
  });

  // Integrations index: instant filters by text and deployment.
  var form = document.querySelector("form.filters");
  if (form) {
    form.hidden = false;
    var cards = document.querySelectorAll(".cards .card");
    var apply = function () {
      var query = form.q.value.trim().toLowerCase();
      var wanted = Array.prototype.filter
        .call(form.querySelectorAll("input[name=deployment]"), function (box) { return box.checked; })
        .map(function (box) { return box.value; });
      cards.forEach(function (card) {
        var deployments = card.getAttribute("data-deployments").split(" ");
        var matchesText = !query || card.getAttribute("data-name").indexOf(query) !== -1;
        var matchesDeployment = wanted.every(function (d) { return deployments.indexOf(d) !== -1; });
        card.hidden = !(matchesText && matchesDeployment);
      });
    };
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }
})();
