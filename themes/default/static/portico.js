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

  // GitBook tabs: a tab list over the panels (without this script every panel shows, titled).
  document.querySelectorAll(".tabs").forEach(function (tabs, tabsIndex) {
    var panels = Array.prototype.filter.call(tabs.children, function (el) {
      return el.classList.contains("tab-panel");
    });
    if (panels.length < 2) return;
    var list = document.createElement("div");
    list.className = "tab-list";
    list.setAttribute("role", "tablist");
    var buttons = panels.map(function (panel, i) {
      var title = panel.querySelector(".tab-title");
      var button = document.createElement("button");
      button.type = "button";
      button.id = "tab-" + tabsIndex + "-" + i;
      button.setAttribute("role", "tab");
      button.textContent = title ? title.textContent : "Tab " + (i + 1);
      panel.id = panel.id || "tabpanel-" + tabsIndex + "-" + i;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      button.setAttribute("aria-controls", panel.id);
      list.appendChild(button);
      return button;
    });
    var select = function (index, focus) {
      buttons.forEach(function (button, i) {
        var selected = i === index;
        button.setAttribute("aria-selected", selected ? "true" : "false");
        button.tabIndex = selected ? 0 : -1;
        panels[i].hidden = !selected;
      });
      if (focus) buttons[index].focus();
    };
    list.addEventListener("click", function (event) {
      var index = buttons.indexOf(event.target);
      if (index >= 0) select(index, false);
    });
    list.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) return;
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select((next + buttons.length) % buttons.length, true);
    });
    tabs.insertBefore(list, tabs.firstChild);
    tabs.classList.add("enhanced");
    select(0, false);
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
