// Portico default theme: enhancements. Every page works without this script (navigation
// expanded, switcher as a plain list, all tab panels shown, filters hidden).
(function () {
  "use strict";
  var root = document.documentElement;
  var each = function (selector, callback, scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll(selector), callback);
  };

  // This script's address, to load the modules beside it (only known while it first runs).
  var scriptSource = document.currentScript ? document.currentScript.src : location.href;
  var header = document.querySelector(".site-header");
  var headerHeight = function () { return header ? header.offsetHeight : 0; };

  // Dark mode: follows the system until the reader picks one, which is remembered.
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    var effective = function () {
      var chosen = root.getAttribute("data-theme");
      if (chosen) return chosen;
      return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
    };
    var show = function () {
      toggle.setAttribute("aria-pressed", effective() === "dark" ? "true" : "false");
    };
    toggle.hidden = false;
    show();
    toggle.addEventListener("click", function () {
      var next = effective() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("portico-theme", next); } catch (e) { /* private mode */ }
      show();
    });
  }

  // Cloud and self-managed (issue 14): on an integration available on both, the reader picks
  // the deployment they run, remembered (`?deployment=` from a support link wins and is kept).
  // What a choice changes is deployments.js's (beside this file), loaded once one is made;
  // where modules cannot load (file://), everything stays shown. Private mode remembers nothing.
  var deploymentMarks = null;
  var choiceSlot = document.querySelector(".deployment-choice");
  if (choiceSlot && /cloud.*self|self.*cloud/.test(document.body.getAttribute("data-integration-deployments"))) {
    choiceSlot.innerHTML = '<label for="deployment-choice">Deployment</label><select id="deployment-choice">' +
      "<option value=both>Both<option value=cloud>Cloud<option value=self-managed>Self-managed</select>";
    var picker = choiceSlot.lastChild;
    var rememberChoice = function () { try { localStorage.setItem("portico.deployment", picker.value); } catch (e) {} };
    var applyChoice = function () {
      root.setAttribute("data-deployment-choice", picker.value);
      if (picker.value !== "both" || deploymentMarks) {
        import(new URL("deployments.js", scriptSource).href)
          .then(function (module) { deploymentMarks = module.apply(picker.value); }, function () {});
      }
    };
    // An unknown value selects nothing (an empty value).
    picker.value = new URLSearchParams(location.search).get("deployment");
    if (picker.value) rememberChoice();
    else try { picker.value = localStorage.getItem("portico.deployment"); } catch (e) {}
    if (!picker.value) picker.value = "both";
    choiceSlot.hidden = false;
    picker.addEventListener("change", function () { rememberChoice(); applyChoice(); });
    applyChoice();
  }

  // Search: the box shows with JavaScript only; `/` (outside text fields) and Ctrl+K / Cmd+K
  // focus it. The search code (search.js, beside this file) loads on first use.
  var searchBox = document.querySelector(".search[data-search-root]");
  var searchInput = searchBox && searchBox.querySelector("input");
  if (searchInput) {
    var searchScript = new URL("search.js", scriptSource).href;
    var searchLoading = null;
    var loadSearch = function () {
      searchLoading = searchLoading || import(searchScript).then(function (module) {
        module.start(searchBox);
      }).catch(function () {
        // A site opened from file:// cannot load modules: the box says so, and stays so.
        searchInput.value = "";
        searchInput.readOnly = true;
        searchInput.placeholder = "Search is unavailable here";
        searchBox.classList.add("search-unavailable");
      });
    };
    searchBox.hidden = false;
    searchInput.addEventListener("focus", loadSearch);
    searchInput.addEventListener("input", loadSearch);
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
      var modifier = event.ctrlKey || event.metaKey;
      if (modifier && !event.altKey && !event.shiftKey && (event.key === "k" || event.key === "K")
          || event.key === "/" && !modifier && !event.altKey && !typing) {
        event.preventDefault();
        searchInput.focus();
        searchInput.select();
      }
    });
  }

  // Phones: the navigation is a drawer behind the menu button.
  var navToggle = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("sidebar");
  if (navToggle && sidebar) {
    navToggle.hidden = false;
    var setOpen = function (open) {
      // The drawer opens under the header, whatever height it wrapped to.
      if (open && header) sidebar.style.top = header.getBoundingClientRect().bottom + "px";
      document.body.classList.toggle("nav-open", open);
      navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    navToggle.addEventListener("click", function () {
      setOpen(!document.body.classList.contains("nav-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
        setOpen(false);
        navToggle.focus();
      }
    });
  }

  // Collapsible sections: open along the current page, closed elsewhere. Run again on a
  // sidebar loaded later (full-nav.js).
  var enhanceSidebar = function (scope) {
    each("li.has-children", function (item, index) {
      var list = item.querySelector(":scope > ul");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "nav-expand";
      button.id = "nav-expand-" + index;
      list.id = list.id || "nav-list-" + index;
      button.setAttribute("aria-controls", list.id);
      var label = item.querySelector(":scope > a, :scope > .nav-label");
      button.setAttribute("aria-label", "Show or hide the pages under " + (label ? label.textContent : "this section"));
      var set = function (open) {
        item.classList.toggle("collapsed", !open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
      };
      set(item.classList.contains("open"));
      button.addEventListener("click", function () { set(item.classList.contains("collapsed")); });
      item.insertBefore(button, list);
    }, scope);
    if (deploymentMarks) deploymentMarks(scope);
    var current = scope.querySelector('[aria-current="page"]');
    if (current && scope.scrollHeight > scope.clientHeight) {
      scope.scrollTop += current.getBoundingClientRect().top - scope.getBoundingClientRect().top - scope.clientHeight / 3;
    }
  };
  if (sidebar) enhanceSidebar(sidebar);
  // A version too large for every page to carry its whole navigation: this page holds the
  // part around it; full-nav.js (beside this file) swaps in the whole.
  var fullNav = sidebar && sidebar.getAttribute("data-full-nav");
  if (fullNav) {
    import(new URL("full-nav.js", scriptSource).href)
      .then(function (module) { module.start(sidebar, fullNav, enhanceSidebar); })
      .catch(function () { /* file:// loads no modules: the part and its link stay */ });
  }

  // On-page table of contents (beside the page, and above it on narrower screens): mark the
  // section being read, the last heading above the top of the window (below the header).
  var tocLinks = {};
  var headings = [];
  each(".toc a[href^='#'], .toc-inline a[href^='#']", function (link) {
    var id = decodeURIComponent(link.hash.slice(1));
    var heading = document.getElementById(id);
    if (!heading) return;
    if (!tocLinks[id]) { tocLinks[id] = []; headings.push(heading); }
    tocLinks[id].push(link);
  });
  if (headings.length) {
    var marked = null;
    var markSection = function () {
      var line = headerHeight() + 24;
      var active = null;
      headings.forEach(function (heading) { if (heading.getBoundingClientRect().top <= line) active = heading.id; });
      if (active === marked) return;
      (tocLinks[marked] || []).forEach(function (link) { link.removeAttribute("aria-current"); });
      (tocLinks[active] || []).forEach(function (link) { link.setAttribute("aria-current", "location"); });
      marked = active;
    };
    var pending = false;
    var scheduleMark = function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; markSection(); });
    };
    addEventListener("scroll", scheduleMark, { passive: true });
    addEventListener("resize", scheduleMark);
    markSection();
  }

  // Code blocks: a copy button each, copying the code (not the line numbers beside it; in a
  // shell block whose every command line starts with `$ `, without those prompts), and
  // saying "Copied" where a screen reader hears it too.
  var withoutPrompts = function (text) {
    var continued = false;
    var lines = text.split("\n").map(function (line) {
      var command = !continued && line !== "";
      continued = /\\$/.test(line);
      return command ? (/^\$ /.test(line) ? line.slice(2) : null) : line;
    });
    return lines.indexOf(null) < 0 ? lines.join("\n") : text;
  };
  var copyText = function (text, code) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Without the clipboard API (a page opened over plain http): select it and copy.
    getSelection().selectAllChildren(code);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("not copied"));
  };
  each(".code-block", function (block) {
    var pre = block.querySelector("pre.code");
    var code = pre && (pre.querySelector("code") || pre);
    if (!code) return;
    var bar = block.querySelector(".code-bar");
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "code-bar";
      block.insertBefore(bar, block.firstChild);
    }
    var status = document.createElement("span");
    status.className = "code-copied";
    status.setAttribute("role", "status");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "code-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + (pre.getAttribute("aria-label") || "code"));
    bar.appendChild(status);
    bar.appendChild(button);
    var timer = null;
    button.addEventListener("click", function () {
      var text = code.textContent.replace(/\n$/, "");
      var lang = /(?:^| )language-(\S+)/.exec(code.className);
      if (!lang || /^(sh|bash|shell|console|shell-session|zsh|terminal)$/i.test(lang[1])) text = withoutPrompts(text);
      var say = function (message) {
        status.textContent = message;
        clearTimeout(timer);
        timer = setTimeout(function () { status.textContent = ""; }, 3000);
      };
      copyText(text, code).then(function () { say("Copied"); }, function () {
        getSelection().selectAllChildren(code);
        say("Selected: press Ctrl+C to copy");
      });
    });
  });

  // Version switcher: arrow keys move through the versions, Escape or a click elsewhere closes.
  each("details.version-switcher", function (details) {
    var summary = details.querySelector("summary");
    var links = function () { return Array.prototype.slice.call(details.querySelectorAll("a")); };
    details.addEventListener("toggle", function () {
      if (!details.open) return;
      var selected = details.querySelector('a[aria-current="true"]') || links()[0];
      if (selected && document.activeElement === summary) selected.focus();
    });
    details.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        summary.focus();
        return;
      }
      if (!details.open || ["ArrowDown", "ArrowUp", "Home", "End"].indexOf(event.key) < 0) return;
      var all = links();
      var at = all.indexOf(document.activeElement);
      var next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[event.key];
      next = Math.max(0, Math.min(all.length - 1, next));
      event.preventDefault();
      all[next].focus();
    });
    document.addEventListener("click", function (event) {
      if (details.open && !details.contains(event.target)) details.open = false;
    });
    // Switching keeps the place: links to this page in other versions carry the #anchor
    // being read (the page there shows that heading if it has it, its top otherwise).
    var keepAnchor = function () {
      var samePage = {};
      links().forEach(function (link) {
        if (link.classList.contains("missing") || link.closest(".all-versions")) return;
        link.href = samePage[link.href.split("#")[0]] = link.href.split("#")[0] + location.hash;
      });
      // The archived banner's link, when it is this page in the current version.
      each(".archived-banner a", function (link) {
        var kept = samePage[link.href.split("#")[0]];
        if (kept) link.href = kept;
      });
    };
    keepAnchor();
    window.addEventListener("hashchange", keepAnchor);
  });

  // GitBook tabs: a tab list over the panels.
  each(".tabs", function (tabs, tabsIndex) {
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
    var status = form.querySelector(".filter-status");
    var apply = function () {
      var query = form.q.value.trim().toLowerCase();
      var wanted = Array.prototype.filter
        .call(form.querySelectorAll("input[name=deployment]"), function (box) { return box.checked; })
        .map(function (box) { return box.value; });
      var shown = 0;
      Array.prototype.forEach.call(cards, function (card) {
        var deployments = card.getAttribute("data-deployments").split(" ");
        var matchesText = !query || card.getAttribute("data-name").indexOf(query) !== -1;
        var matchesDeployment = wanted.every(function (d) { return deployments.indexOf(d) !== -1; });
        card.hidden = !(matchesText && matchesDeployment);
        if (!card.hidden) shown += 1;
      });
      each(".group", function (group) {
        group.hidden = !group.querySelector(".card:not([hidden])") && !!group.querySelector(".card");
      });
      if (status) status.textContent = shown + " of " + cards.length + " integrations shown";
    };
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  // 404: offer the page asked for in the versions that have it.
  var map = document.getElementById("page-map");
  var elsewhere = document.getElementById("page-elsewhere");
  if (map && elsewhere) {
    try {
      var data = JSON.parse(map.textContent);
      var path = decodeURIComponent(location.pathname);
      if (path.indexOf(data.base) === 0) path = path.slice(data.base.length);
      var match = /^integrations\/([^/]+)\/([^/]+)\/(.*)$/.exec(path);
      var integration = match && data.integrations[match[1]];
      if (integration) {
        var page = match[3] === "" || /\/$/.test(match[3]) ? match[3] + "index.html" : match[3];
        var found = integration.pages[page] || [];
        var heading = document.createElement("p");
        var list = document.createElement("ul");
        var link = function (text, href) {
          var item = document.createElement("li");
          var a = document.createElement("a");
          a.textContent = text;
          a.href = href;
          item.appendChild(a);
          list.appendChild(item);
        };
        var folder = function (index) {
          return data.base + "integrations/" + match[1] + "/" + (index === 0 ? "latest" : integration.versions[index]) + "/";
        };
        if (found.length) {
          heading.textContent = "This page exists in these versions of the " + integration.name + " docs:";
          // A page renamed in some versions is there under its name in that version.
          var moved = {};
          ((integration.moved || {})[page] || []).forEach(function (entry) { moved[entry[0]] = entry[1]; });
          found.forEach(function (index) {
            link(integration.name + " " + integration.versions[index] + (index === 0 ? " (latest)" : ""), folder(index) + (moved[index] || page));
          });
        } else {
          heading.textContent = "The " + integration.name + " docs have no such page in any version.";
          link(integration.name + " documentation (latest)", folder(0) + "index.html");
        }
        elsewhere.appendChild(heading);
        elsewhere.appendChild(list);
      }
    } catch (e) { /* a damaged map only loses the suggestions */ }
  }

  // The sticky header's real height (it wraps on phones, and the controls above have just
  // appeared in it): headings jumped to (`scroll-margin-top`) stop below it.
  var measureHeader = function () { root.style.setProperty("--header-height", headerHeight() + "px"); };
  var clearHeader = function () {
    measureHeader();
    var target = null;
    try { target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (e) { /* not an id */ }
    if (target && target.getBoundingClientRect().top < headerHeight()) target.scrollIntoView();
  };
  if (header) {
    clearHeader();
    addEventListener("load", clearHeader);
    if ("ResizeObserver" in window) new ResizeObserver(measureHeader).observe(header);
  }
})();
