// Cloud and self-managed docs (issue 14, the reader's side) in Chromium: the "Deployment"
// control in the header, the choice remembered across pages and set by `?deployment=`, the
// other deployment's sections collapsed to their label and a "show" button, its pages tagged
// in the sidebar and previous/next and noticed on top, everything shown without JavaScript,
// and axe clean with the control present.
//
// Two portals: one built by `portico` from a git repository whose pages carry the real markers
// (front matter `deployments:` and `{% deployment %}` blocks) — its assertions are skipped while
// the build does not yet write the contract's markup — and pages this test writes with the
// contract's markup beside the built site's own (published, compacted) CSS and JavaScript, so
// the reader's behaviour is tested whatever the server side does.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, makePortal, openPage, portico, seriousViolations, serveStatic, tempDir, write } from "./support.mjs";

let work, server, base, browser;

const MARKED = {
  "docs/README.md": "# Jira\n\nConnect Jira and Mattermost.\n",
  "docs/install.md": [
    "# Install",
    "",
    "Both deployments read this.",
    "",
    '{% deployment "cloud" %}',
    "On Cloud the plugin is **pre-installed**.",
    "{% enddeployment %}",
    "",
    '{% deployment "self-managed" %}',
    "Upload the plugin in the System Console.",
    "{% enddeployment %}",
    "",
  ].join("\n"),
  "docs/cloud-setup.md": "---\ndeployments: [cloud]\n---\n# Cloud setup\n\nCloud steps.\n",
  "docs/server-setup.md": "---\ndeployments: [self-managed]\n---\n# Server setup\n\nServer steps.\n",
};

/** A page with the HTML contract's markup, using the built site's stylesheet and script. */
function contractPage({ title, deployments, content, previous, next }) {
  const link = (href, text, marked) => `<a href="${href}"${marked ? ` data-deployment="${marked}"` : ""}>${text}</a>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} · Contract</title>
<script>document.documentElement.classList.add("js")</script>
<link rel="stylesheet" href="../_portico/portico.css">
<link rel="stylesheet" href="../_portico/syntax.css">
</head>
<body class="doc-page" data-integration-deployments="cloud self-managed">
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header">
  <a class="brand" href="../index.html">Contract Portal</a>
  <span class="integration-name"><a href="install.html">Jira</a></span>
  <div class="deployment-choice" hidden></div>
  <nav class="top-links" aria-label="Site"><a href="../integrations/index.html">Integrations</a></nav>
</header>
<div class="layout">
<nav class="sidebar" id="sidebar" aria-label="Jira documentation">
  <ul>
    <li>${link("install.html", "Install")}</li>
    <li>${link("cloud-setup.html", "Cloud setup", "cloud")}</li>
    <li>${link("server-setup.html", "Server setup", "self-managed")}</li>
  </ul>
</nav>
<main id="content">
  <article class="markdown"${deployments ? ` data-deployments="${deployments}"` : ""}>
    <h1>${title}</h1>
    ${content}
  </article>
  <nav class="prev-next" aria-label="Previous and next pages">
    ${previous ? link(previous[0], `<span>Previous</span>${previous[1]}`, previous[2]).replace("<a ", '<a class="prev" ') : ""}
    ${next ? link(next[0], `<span>Next</span>${next[1]}`, next[2]).replace("<a ", '<a class="next" ') : ""}
  </nav>
</main>
</div>
<script src="../_portico/portico.js" defer></script>
</body>
</html>
`;
}

const SECTIONS = `<p>Both deployments read this.</p>
    <div class="deployment-section" data-deployment="cloud"><p class="deployment-label">Cloud only</p><p>On Cloud the plugin is <a href="cloud-setup.html">pre-installed</a>.</p></div>
    <div class="deployment-section" data-deployment="self-managed"><p class="deployment-label">Self-managed only</p><p>Upload the plugin in the <a href="server-setup.html">System Console</a>.</p></div>`;

function writeContract(site) {
  // A built page given the contract's markup where the build did not write it: its
  // Content-Security-Policy and header as built.
  let built = readFileSync(join(site, "integrations/jira/latest/install.html"), "utf8");
  if (!built.includes("data-integration-deployments")) {
    built = built.replace('<body class="doc-page"', '<body class="doc-page" data-integration-deployments="cloud self-managed"');
  }
  if (!built.includes("deployment-section")) built = built.replace('<article class="markdown">', `<article class="markdown">${SECTIONS}`);
  write(site, "integrations/jira/latest/contract-install.html", built);
  write(site, "contract/install.html", contractPage({
    title: "Install", content: SECTIONS,
    previous: ["cloud-setup.html", "Cloud setup", "cloud"], next: ["server-setup.html", "Server setup", "self-managed"],
  }));
  write(site, "contract/cloud-setup.html", contractPage({
    title: "Cloud setup", deployments: "cloud",
    content: '<p class="deployment-label deployment-page-label">This page is for Cloud only</p><p>Cloud steps.</p>',
    next: ["install.html", "Install"],
  }));
  write(site, "contract/server-setup.html", contractPage({
    title: "Server setup", deployments: "self-managed",
    content: '<p class="deployment-label deployment-page-label">This page is for Self-managed only</p><p>Server steps.</p>',
    previous: ["install.html", "Install"],
  }));
}

before(async () => {
  work = tempDir("portico-deployments-");
  makePortal(work.dir, MARKED, { "docs/README.md": "# Jira 2.0\n" });
  const site = join(work.dir, "site");
  execFileSync(portico, ["build", "--quiet", "--root", work.dir, "--out", site], { stdio: "ignore" });
  writeContract(site);
  ({ server, base } = await serveStatic(site));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  work?.cleanup();
});

const open = (path, options) => openPage(browser, base + path, options);

/** Waits until deployments.js has applied `choice` to the page. */
const applied = (page, choice) => page.waitForSelector(`html[data-deployment-applied="${choice}"]`, { state: "attached" });

/** Picks `choice` in the header's control and waits for the page to follow. */
async function choose(page, choice) {
  await page.getByLabel("Deployment").selectOption(choice);
  await applied(page, choice);
}

/** What the reader sees of a page: sections' state, tagged links and the notice. */
const readerView = (page) => page.evaluate(() => ({
  choice: document.querySelector("#deployment-choice")?.value ?? null,
  sections: Array.from(document.querySelectorAll(".deployment-section")).map((section) => ({
    deployment: section.getAttribute("data-deployment"),
    label: section.querySelector(".deployment-label").innerText.trim(),
    contentVisible: Array.from(section.children).slice(1).some((el) => el.offsetParent !== null),
    expanded: section.querySelector(".deployment-toggle button")?.getAttribute("aria-expanded") ?? null,
  })),
  tagged: Array.from(document.querySelectorAll("a.deployment-elsewhere"))
    .filter((a) => a.querySelector(".deployment-tag"))
    .map((a) => `${a.closest(".sidebar") ? "sidebar" : "prev-next"}:${a.getAttribute("href")}`),
  notice: document.querySelector(".deployment-notice")?.innerText ?? null,
}));

test("choosing Cloud collapses self-managed sections to a note with a show button, and tags self-managed pages", async () => {
  const { page, context } = await open("contract/install.html");
  assert.equal(await page.locator("#deployment-choice").isVisible(), true);
  assert.equal(await page.getByLabel("Deployment").inputValue(), "both", "no choice yet: both");
  let view = await readerView(page);
  assert.ok(view.sections.every((s) => s.contentVisible), "before a choice everything shows");
  assert.deepEqual(view.tagged, []);

  await choose(page, "cloud");
  view = await readerView(page);
  const [cloud, selfManaged] = view.sections;
  assert.equal(cloud.contentVisible, true);
  assert.equal(selfManaged.contentVisible, false);
  assert.equal(selfManaged.label, "Self-managed only — show");
  assert.equal(selfManaged.expanded, "false");
  assert.deepEqual(view.tagged.sort(), ["prev-next:server-setup.html", "sidebar:server-setup.html"]);
  assert.equal(await page.locator(".sidebar a[href='server-setup.html'] .deployment-tag").innerText(), "Self-managed");
  // The collapsed content is out of the tab order: Tab from the "show" button leaves the section.
  const show = page.locator(".deployment-section[data-deployment='self-managed'] button");
  await show.focus();
  await page.keyboard.press("Tab");
  assert.notEqual(await page.evaluate(() => document.activeElement.textContent), "System Console");

  await show.focus();
  await page.keyboard.press("Enter");
  view = await readerView(page);
  assert.equal(view.sections[1].contentVisible, true, "show expands the section");
  assert.equal(view.sections[1].expanded, "true");

  await choose(page, "both");
  view = await readerView(page);
  assert.ok(view.sections.every((s) => s.contentVisible), "Both shows everything");
  assert.deepEqual(view.tagged, []);
  await context.close();
});

test("a link to a heading inside a collapsed section opens it; each show button names its section", async () => {
  const { page, context } = await open("contract/install.html");
  await page.evaluate(() => {
    const section = document.querySelector(".deployment-section[data-deployment='self-managed']");
    section.insertAdjacentHTML("beforeend", '<h3 id="upload-steps">Upload steps</h3><p>Step one.</p>');
  });
  await choose(page, "cloud");
  const heading = page.locator("#upload-steps");
  assert.equal(await heading.isVisible(), false, "collapsed with its section");
  const button = page.locator(".deployment-section[data-deployment='self-managed'] button");
  assert.equal(await button.getAttribute("aria-label"), "show Self-managed section");
  await page.evaluate(() => { location.hash = "#upload-steps"; });
  await heading.waitFor({ state: "visible" });
  assert.equal(await button.getAttribute("aria-expanded"), "true");
  assert.equal(await button.getAttribute("aria-label"), "hide Self-managed section");
  await context.close();
});

test("the choice survives navigation and visits; a page for the other deployment says so on top", async () => {
  const { page, context } = await open("contract/install.html");
  await choose(page, "cloud");
  await page.click(".sidebar a[href='server-setup.html']");
  await page.waitForURL(/server-setup\.html$/);
  await applied(page, "cloud");
  let view = await readerView(page);
  assert.equal(view.choice, "cloud");
  assert.match(view.notice, /This page is for Self-managed only; you chose Cloud/);
  await page.click(".prev-next a.prev");
  await page.waitForURL(/install\.html$/);
  await applied(page, "cloud");
  view = await readerView(page);
  assert.equal(view.sections[1].contentVisible, false, "still Cloud after navigating");
  await page.goto(base + "contract/cloud-setup.html");
  await applied(page, "cloud");
  view = await readerView(page);
  assert.equal(view.notice, null, "a Cloud page read with Cloud chosen has no notice");
  assert.equal(await page.evaluate(() => localStorage.getItem("portico.deployment")), "cloud");
  await context.close();
});

test("?deployment= sets the choice, wins over the stored one and is kept", async () => {
  const { page, context } = await open("contract/install.html");
  await choose(page, "cloud");
  await page.goto(base + "contract/install.html?deployment=self-managed");
  await applied(page, "self-managed");
  let view = await readerView(page);
  assert.equal(view.choice, "self-managed");
  assert.deepEqual(view.sections.map((s) => s.contentVisible), [false, true]);
  assert.deepEqual(view.tagged.sort(), ["prev-next:cloud-setup.html", "sidebar:cloud-setup.html"]);
  await page.goto(base + "contract/server-setup.html");
  await applied(page, "self-managed");
  view = await readerView(page);
  assert.equal(view.choice, "self-managed", "the link's choice is remembered");
  await page.goto(base + "contract/install.html?deployment=nonsense");
  assert.equal((await readerView(page)).choice, "self-managed", "an unknown value changes nothing");
  await context.close();
});

test("without JavaScript every section and page shows, labelled, and no control appears", async () => {
  const { page, context } = await open("contract/install.html?deployment=cloud", { javaScriptEnabled: false });
  assert.equal(await page.locator(".deployment-choice").isVisible(), false);
  const view = await readerView(page);
  assert.deepEqual(view.sections.map((s) => [s.label, s.contentVisible]), [["Cloud only", true], ["Self-managed only", true]]);
  assert.deepEqual(view.tagged, []);
  await page.goto(base + "contract/server-setup.html");
  assert.equal(await page.locator(".deployment-page-label").innerText(), "This page is for Self-managed only");
  await context.close();
});

test("no serious or critical accessibility violations with the control present and sections collapsed", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const { page, context } = await open("contract/install.html?deployment=cloud", { bypassCSP: true, colorScheme });
    await applied(page, "cloud");
    assert.deepEqual(await seriousViolations(page), [], `install (${colorScheme})`);
    await page.goto(base + "contract/server-setup.html");
    await applied(page, "cloud");
    assert.deepEqual(await seriousViolations(page), [], `server setup (${colorScheme})`);
    await context.close();
  }
});

test("on a built page (its Content-Security-Policy) the control loads and applies the choice", async () => {
  const { page, context } = await open("integrations/jira/latest/contract-install.html?deployment=cloud");
  const refused = [];
  page.on("console", (message) => { if (/Content.Security.Policy|Refused/i.test(message.text())) refused.push(message.text()); });
  await page.reload();
  await applied(page, "cloud");
  const view = await readerView(page);
  assert.deepEqual([...new Set(view.sections.map((s) => `${s.deployment} ${s.contentVisible}`))].sort(), ["cloud true", "self-managed false"]);
  assert.equal(await page.locator(".deployment-toggle button").first().evaluate((b) => getComputedStyle(b).borderRadius), "4px", "deployments.css applies");
  assert.deepEqual(refused, []);
  await context.close();
});

test("a built portal: markers never show as text, and choosing Cloud collapses the self-managed section", async (t) => {
  const { page, context } = await open("integrations/jira/latest/install.html", { bypassCSP: true });
  const text = await page.locator("main").innerText();
  assert.doesNotMatch(text, /\{%/, "no marker shows as literal text");
  if (await page.locator(".deployment-section").count() === 0) {
    t.skip("this build does not write the deployment markup yet (issue 14 part 1, the depmark branch)");
    await context.close();
    return;
  }
  await choose(page, "cloud");
  const view = await readerView(page);
  assert.deepEqual(view.sections.map((s) => [s.deployment, s.contentVisible]), [["cloud", true], ["self-managed", false]]);
  assert.ok(view.tagged.some((link) => link === "sidebar:server-setup.html"), `tagged: ${view.tagged}`);
  await page.goto(base + "integrations/jira/latest/server-setup.html");
  await applied(page, "cloud");
  assert.match((await readerView(page)).notice, /Self-managed only/);
  assert.deepEqual(await seriousViolations(page), []);
  await context.close();
});

test("pages with the control stay under 60 KB of CSS and JavaScript; a choice loads under 6 KB more", async () => {
  const weigh = (page, pattern) => page.evaluate((source) =>
    performance.getEntriesByType("resource")
      .filter((entry) => new RegExp(source).test(entry.name))
      .reduce((sum, entry) => sum + entry.decodedBodySize, 0), pattern);
  const fresh = await open("contract/install.html");
  await fresh.page.waitForLoadState("networkidle");
  const before = await weigh(fresh.page, "\\.(css|js)$");
  assert.ok(before < 60 * 1024, `${before} bytes of CSS and JS before a choice`);
  assert.equal(await weigh(fresh.page, "deployments\\."), 0, "nothing more loads without a choice");
  await fresh.context.close();
  // Like search, what a choice changes loads on use.
  const chosen = await open("contract/install.html?deployment=cloud");
  await applied(chosen.page, "cloud");
  await chosen.page.waitForLoadState("networkidle");
  const more = await weigh(chosen.page, "deployments\\.(css|js)$");
  assert.ok(more > 0 && more < 6 * 1024, `${more} bytes of deployments.js and deployments.css`);
  await chosen.context.close();
});

test("search ranks the chosen deployment's pages before the other's (meta.json's deployments)", async () => {
  // The build does not read `deployments:` on this branch yet (meta.json has no
  // `deployments`): the index is given them here, as the build writes them, and the choice is
  // set on <html> as portico.js sets it on a page of an integration available on both.
  const { page, context } = await open("integrations/jira/latest/index.html");
  const titles = {};
  await page.route("**/_portico/search/meta.json", async (route) => {
    const meta = await (await route.fetch()).json();
    for (let id = 0; id < meta.docs; id++) {
      const fragment = await (await page.request.get(new URL(`f/${id}-0.json`, route.request().url()).href)).json();
      titles[fragment.title] = id;
    }
    meta.deployments = { cloud: [titles["Cloud setup"]], "self-managed": [titles["Server setup"]] };
    await route.fulfill({ json: meta });
  });
  // Two queries, so that the second answer cannot be taken for the first.
  const order = async (choice, query) => {
    await page.evaluate((value) => document.documentElement.setAttribute("data-deployment-choice", value), choice);
    await page.keyboard.press("/");
    await page.fill("#search-input", query);
    await page.waitForFunction((wanted) => {
      const list = document.querySelector("#search-results");
      return document.querySelector("#search-input").value === wanted && list.getAttribute("aria-busy") !== "true"
        && Array.from(list.querySelectorAll(".search-result-title"), (el) => el.textContent).filter((t) => / setup$/.test(t)).length === 2
        && document.querySelector(".search-status").textContent !== "";
    }, query);
    const titles = await page.$$eval("#search-results .search-result-title", (els) => els.map((el) => el.textContent));
    return titles.filter((title) => / setup$/.test(title));
  };
  assert.deepEqual(await order("cloud", "steps"), ["Cloud setup", "Server setup"]);
  assert.deepEqual(await order("self-managed", "setup steps"), ["Server setup", "Cloud setup"]);
  await context.close();
});
