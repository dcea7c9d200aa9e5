// Search in a real browser, on a portal generated here (3 integrations × 4 versions × about
// 40 pages of varied prose, most pages shared between versions, some changed, added or
// dropped) built by the real binary and served under a base path (`/docs/`) by a plain
// static server: the box and its keyboard shortcuts, version scopes, the "found in other
// versions" offer, keyboard navigation, hostile text, accessibility, self-containment and
// the bytes one query downloads. Saves screenshots under target/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchBrowser, portico, serveStatic, tempDir, write } from "./support.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const screenshots = join(repoRoot, "target", "screenshots");
const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const BASE_PATH = "/docs/";

// ---------------------------------------------------------------------------------------
// The generated portal.

const VERSIONS = ["2.0", "2.1", "2.2", "3.0"]; // oldest first; 3.0 is the default branch
const INTEGRATIONS = [
  { id: "jira", name: "Jira", managedBy: "mattermost" },
  { id: "github", name: "GitHub", managedBy: "mattermost" },
  { id: "zoom", name: "Zoom", managedBy: "community" },
];

/** A small deterministic generator (mulberry32), so every run builds the same portal. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = (
  "the a to of and in is for that you with on as it be this are by or from your can when at an not " +
  "which if will all each one more after before new only also then its their into must may other use " +
  "channel team user users message messages post posts server plugin settings setting configure " +
  "configuration install installation update upgrade version versions command commands slash bot " +
  "notification notifications subscription subscriptions project projects issue issues event events " +
  "permission permissions admin administrator system console token tokens secret key keys account " +
  "accounts connect connected disconnect link links webhook webhooks url address page pages field " +
  "fields filter filters default value values option options enable enabled disable disabled error " +
  "errors log logs check status create created delete edit open close closed list search find show " +
  "hide help support request requests response access role roles group groups meeting meetings call " +
  "calls repository repositories branch branches review reviews comment comments label labels sync " +
  "schedule time times daily weekly report reports cloud instance instances network proxy firewall " +
  "certificate database cache file files upload download export import api client application oauth " +
  "authorize authorization login sign mobile desktop browser screen button menu dialog form forms"
).split(" ");
const SYLLABLES = "ka lo mi nu pe ra si to vu ze bri cla dro fle gri pla stro tri qua xen yor zum".split(" ");

/** Prose: common words with a long tail of rarer made-up words (a realistic dictionary size). */
function proseWriter(seed) {
  const next = random(seed);
  const rare = Array.from({ length: 2500 }, (_, i) => {
    const r = random(i + 7);
    let word = "";
    for (let n = 2 + Math.floor(r() * 3); n > 0; n--) word += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    return word;
  });
  const word = () => (next() < 0.8
    ? COMMON[Math.floor(COMMON.length * next() ** 1.6)]
    : rare[Math.floor(rare.length * next() ** 2)]);
  const sentence = () => {
    const words = Array.from({ length: 8 + Math.floor(next() * 10) }, word);
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    return words.join(" ") + ".";
  };
  const paragraph = () => Array.from({ length: 2 + Math.floor(next() * 4) }, sentence).join(" ");
  const title = () => {
    const words = Array.from({ length: 2 + Math.floor(next() * 3) }, word);
    return words.map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");
  };
  const code = () => "```\n" + `PluginSettings.${title().replace(/ /g, "")} = ${Math.floor(next() * 9000)}\n` + "```";
  const page = (heading) => {
    const parts = [`# ${heading}`, paragraph()];
    for (let s = 2 + Math.floor(next() * 4); s > 0; s--) {
      parts.push(`## ${title()}`, paragraph(), paragraph());
      if (next() < 0.3) parts.push(code());
    }
    return parts.join("\n\n") + "\n";
  };
  return { page, title, next };
}

/** Fixed pages the tests look for; `versions` lists where each exists (same text in all). */
const FIXED = {
  jira: [
    {
      path: "setup/webhooks.md",
      title: "Webhooks",
      versions: VERSIONS,
      text: "# Webhooks\n\nJira sends issue events to Mattermost through a webhook.\n\n" +
        "## Configure the webhook\n\nIn Jira, open System, then WebHooks, and create a webhook with the address the plugin shows. " +
        "The hookshot relay signs every delivery with the webhook secret.\n\n" +
        "## Troubleshooting deliveries\n\nA delivery that fails is retried three times.\n",
    },
    {
      path: "features/test-management.md",
      title: "Test management",
      versions: ["2.2", "3.0"],
      text: "# Test management\n\nLink test cycles to channels.\n\n## Zephyr cycles\n\nThe zephyrsync command mirrors test cycles into a channel.\n",
    },
  ],
  github: [
    {
      path: "webhooks.md",
      title: "Repository webhooks",
      versions: VERSIONS,
      text: "# Repository webhooks\n\nGitHub calls the plugin through a webhook for every subscribed event.\n",
    },
  ],
  zoom: [
    {
      path: "security.md",
      title: "Security notes",
      versions: ["3.0"],
      text: "# Security notes\n\nNever paste markup such as `<img src=x onerror=alert(1)>` or " +
        "<script>alert(2)</script> into a meeting topic: the plugin shows it as text.\n",
    },
  ],
};

function git(cwd, ...args) {
  return execFileSync("git", args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" },
  }).toString();
}

/**
 * One integration's repository: `master` holds 3.0, `<v>-docs` the archives. 38 generated
 * pages in 2.0; each later version changes about a quarter of them, adds two and drops one.
 */
function makeIntegration(root, integration, seed) {
  const repo = join(root, "repos", integration.id);
  mkdirSync(repo, { recursive: true });
  git(repo, "init", "-q", "-b", "master");
  const writer = proseWriter(seed);
  let pages = Array.from({ length: 38 }, (_, i) => ({ path: `topic-${Math.floor(i / 8)}/page-${i}.md`, title: writer.title() }));
  pages.forEach((page) => { page.text = writer.page(page.title); });
  VERSIONS.forEach((version, index) => {
    if (index > 0) {
      for (const page of pages) if (writer.next() < 0.25) page.text = writer.page(page.title);
      pages.splice(Math.floor(writer.next() * pages.length), 1);
      for (let n = 0; n < 2; n++) {
        const path = `topic-new/page-${version}-${n}.md`;
        const title = writer.title();
        pages.push({ path, title, text: writer.page(title) });
      }
    }
    const fixed = (FIXED[integration.id] || []).filter((page) => page.versions.includes(version));
    const all = [...pages, ...fixed];
    git(repo, "rm", "-q", "-r", "--ignore-unmatch", ".");
    rmSync(join(repo, "docs"), { recursive: true, force: true });
    write(repo, "plugin.json", JSON.stringify({ id: integration.id, name: integration.name, version: `${version}.0` }));
    write(repo, "docs/README.md", `# ${integration.name}\n\nThe ${integration.name} integration for Mattermost, version ${version}.\n`);
    write(repo, "docs/SUMMARY.md", ["# Table of contents", "", `* [${integration.name}](README.md)`,
      ...all.map((page) => `* [${page.title}](${page.path})`)].join("\n") + "\n");
    for (const page of all) write(repo, `docs/${page.path}`, page.text);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", `docs ${version}`);
    if (version !== VERSIONS[VERSIONS.length - 1]) git(repo, "branch", `${version}-docs`);
  });
}

function makeSearchPortal(root) {
  INTEGRATIONS.forEach((integration, index) => makeIntegration(root, integration, 1000 + index));
  write(root, "site.toml", [
    "[site]",
    'title = "Search Test Portal"',
    `base_url = "https://docs.example.com${BASE_PATH}"`,
    "",
    ...INTEGRATIONS.flatMap((integration) => [
      "[[integrations]]",
      `id = "${integration.id}"`,
      `name = "${integration.name}"`,
      `repo = "repos/${integration.id}"`,
      `managed_by = "${integration.managedBy}"`,
      'deployments = ["cloud", "self-managed"]',
      "",
    ]),
  ].join("\n"));
}

// ---------------------------------------------------------------------------------------
// The browser side.

let portal, site, server, origin, base, browser;
before(async () => {
  portal = tempDir("portico-search-");
  makeSearchPortal(portal.dir);
  execFileSync(portico, ["build", "--root", portal.dir], { stdio: "ignore" });
  site = join(portal.dir, "public");
  // A plain static server publishing the site under /docs/, as a deploy under a path would.
  ({ server, origin, base } = await serveStatic(site, BASE_PATH));
  browser = await launchBrowser();
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
  portal?.cleanup();
});

const archived = "integrations/jira/2.1/setup/webhooks.html";

/** Opens a page; collects its requests, page errors and dialogs (none is ever expected). */
async function open(path, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", async (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  await page.goto(base + path);
  return { page, context, requests, problems };
}

/** Types a query into the box (focused with `/`) and waits for its answer. */
async function search(page, query) {
  await page.keyboard.press("/");
  await page.fill("#search-input", query);
  await settled(page, query);
}

/** Waits until the panel shows the answer to `query` (not an earlier one). */
async function settled(page, query) {
  await page.waitForFunction((wanted) => {
    const status = document.querySelector(".search-status");
    const input = document.querySelector("#search-input");
    const list = document.querySelector("#search-results");
    return status && status.textContent !== "" && input.value === wanted && list.getAttribute("aria-busy") !== "true";
  }, query, { timeout: 10000 });
}

const results = (page) => page.$$eval("#search-results [role=option]", (options) => options.map((option) => ({
  title: option.querySelector(".search-result-title")?.textContent,
  heading: option.querySelector(".search-result-heading")?.textContent || "",
  where: option.querySelector(".search-result-where")?.textContent,
  href: option.dataset.href,
  text: option.textContent,
})));

test("without JavaScript the search box is not shown", async () => {
  const { page, context } = await open(archived, { javaScriptEnabled: false });
  assert.equal(await page.locator(".search").count(), 1, "the box is in the page");
  assert.equal(await page.isVisible(".search"), false, "but hidden");
  await context.close();
});

test("/ and Ctrl+K focus the box; / typed in another field stays there", async () => {
  const { page, context, problems } = await open(archived);
  assert.equal(await page.isVisible("#search-input"), true);
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-input");
  assert.equal(await page.inputValue("#search-input"), "", "the / is not typed into the box");
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("Control+k");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-input");
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("Meta+k");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-input");

  await page.goto(base + "integrations/index.html");
  await page.fill("form.filters input[name=q]", "a");
  await page.focus("form.filters input[name=q]");
  await page.keyboard.press("/");
  assert.equal(await page.inputValue("form.filters input[name=q]"), "a/");
  assert.deepEqual(problems, []);
  await context.close();
});

test("on an archived page a query finds that version's pages only, and the scope widens", async () => {
  const { page, context, problems } = await open(archived);
  await search(page, "webhook");
  const inVersion = await results(page);
  assert.ok(inVersion.length >= 1, "results");
  for (const result of inVersion) {
    assert.equal(result.where, "Jira 2.1", result.title);
    assert.ok(result.href.startsWith("../../../../integrations/jira/2.1/"), result.href);
  }
  assert.equal(inVersion[0].title, "Webhooks", "the page titled with the word comes first");
  assert.match(await page.textContent(".search-status"), /^\d+ results? in Jira 2\.1$/);
  assert.match(await page.textContent(".search [role=status]"), /in Jira 2\.1$/, "announced");

  await page.selectOption(".search-scope select", { label: "All Jira versions" });
  await settled(page, "webhook");
  const allVersions = await results(page);
  const webhooks = allVersions.filter((result) => result.title === "Webhooks");
  assert.equal(webhooks.length, 1, "a page the same in every version is one result");
  assert.equal(webhooks[0].where, "Jira 3.0, 2.2, 2.1, 2.0");
  assert.match(webhooks[0].href, /jira\/2\.1\/setup\/webhooks\.html/, "it opens in the version being read");
  assert.ok(allVersions.every((result) => result.where.startsWith("Jira ")));
  assert.match(await page.textContent(".search-status"), /in all Jira versions$/);

  await page.selectOption(".search-scope select", { label: "All integrations" });
  await settled(page, "webhook");
  const firstPage = await page.locator("#search-results [role=option]").count();
  assert.equal(firstPage, 8, "a page of results");
  await page.click(".search-more");
  await page.waitForFunction((n) => document.querySelectorAll("#search-results [role=option]").length > n, firstPage);
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-input", "back in the box");
  const everywhere = await results(page);
  const integrations = new Set(everywhere.map((result) => result.where));
  assert.ok(integrations.has("Jira 3.0"), [...integrations].join(" / "));
  assert.ok(integrations.has("GitHub 3.0"), [...integrations].join(" / "));
  for (const result of everywhere) assert.ok(!/\/2\.\d\//.test(result.href), `current versions only: ${result.href}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a word only newer versions document is offered there", async () => {
  const { page, context, problems } = await open(archived);
  await search(page, "zephyrsync");
  assert.equal(await page.locator("#search-results [role=option]").count(), 0);
  assert.equal(await page.textContent(".search-status"), "Not in Jira 2.1 — found in 3.0 and 2.2");
  assert.match(await page.textContent(".search [role=status]"), /found in 3\.0 and 2\.2/);
  await page.click(".search-offer");
  await settled(page, "zephyrsync");
  const offered = await results(page);
  assert.equal(offered.length, 1);
  assert.equal(offered[0].where, "Jira 3.0, 2.2");
  assert.equal(offered[0].heading, "Zephyr cycles");
  assert.match(offered[0].href, /jira\/latest\/features\/test-management\.html#zephyr-cycles$/, "the newest version holding it");
  assert.equal(await page.$eval(".search-scope select", (select) => select.selectedOptions[0].textContent), "All Jira versions");
  assert.deepEqual(problems, []);
  await context.close();
});

test("ArrowDown and Enter open a result at its heading; Escape closes, then clears", async () => {
  const { page, context, problems } = await open("integrations/jira/2.1/index.html");
  await search(page, "hookshot");
  const input = page.locator("#search-input");
  assert.equal(await input.getAttribute("aria-expanded"), "true");
  await page.keyboard.press("ArrowDown");
  const active = await input.getAttribute("aria-activedescendant");
  assert.ok(active, "an option is active");
  assert.equal(await page.getAttribute(`#${active}`, "aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-input", "focus stays in the box");

  await page.keyboard.press("Escape");
  assert.equal(await input.getAttribute("aria-expanded"), "false");
  assert.equal(await page.isVisible(".search-panel"), false);
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.isVisible(".search-panel"), true, "ArrowDown opens the panel again");
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL(/#configure-the-webhook$/), page.keyboard.press("Enter")]);
  assert.equal(new URL(page.url()).pathname, `${BASE_PATH}integrations/jira/2.1/setup/webhooks.html`);
  assert.equal(await page.locator("#configure-the-webhook").count(), 1, "the anchor exists");

  await search(page, "webhook");
  await page.keyboard.press("Escape");
  assert.equal(await page.isVisible(".search-panel"), false);
  await page.keyboard.press("Escape");
  assert.equal(await page.inputValue("#search-input"), "", "a second Escape clears the box");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a hostile query and hostile page text show as text", async () => {
  const hostile = "<img src=x onerror=alert(1)>";
  const { page, context, problems } = await open("index.html");
  await page.evaluate(() => { window.alerted = false; window.alert = () => { window.alerted = true; }; });
  await search(page, hostile);
  assert.equal(await page.inputValue("#search-input"), hostile);
  const found = await results(page);
  const security = found.find((result) => result.title === "Security notes");
  assert.ok(security, `the community page with that text is found: ${JSON.stringify(found.map((r) => r.title))}`);
  assert.ok(security.text.includes(hostile), security.text);
  assert.equal(await page.locator(".search img, .search script").count(), 0, "no element made from text");
  assert.equal(await page.evaluate(() => window.alerted), false);
  await search(page, "alert script");
  assert.equal(await page.locator(".search img, .search script").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("words are stemmed and marked in every form", async () => {
  const { page, context, problems } = await open(archived);
  await search(page, "deliveries");
  const [first] = await results(page);
  assert.equal(first.title, "Webhooks");
  assert.equal(first.heading, "Troubleshooting deliveries");
  const marked = await page.$$eval("#search-option-0 mark", (marks) => marks.map((mark) => mark.textContent));
  assert.deepEqual(marked, ["deliveries", "delivery"], "in the heading and in the snippet");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a result opens in a new tab with Ctrl+Enter or Ctrl+click", async () => {
  const { page, context, problems } = await open(archived);
  await search(page, "zephyrsync");
  await page.click(".search-offer");
  await settled(page, "zephyrsync");
  await page.keyboard.press("ArrowDown");
  const [byKey] = await Promise.all([context.waitForEvent("page"), page.keyboard.press("Control+Enter")]);
  await byKey.waitForLoadState();
  assert.match(byKey.url(), /jira\/latest\/features\/test-management\.html#zephyr-cycles$/);
  const [byClick] = await Promise.all([context.waitForEvent("page"), page.click("#search-results [role=option]", { modifiers: ["Control"] })]);
  await byClick.waitForLoadState();
  assert.match(byClick.url(), /test-management\.html#zephyr-cycles$/);
  assert.match(page.url(), /jira\/2\.1\/setup\/webhooks\.html$/, "the page read stays");
  assert.deepEqual(problems, []);
  await context.close();
});

test("without an index, or from file://, the box says search is unavailable", async () => {
  const { page, context, problems } = await open(archived);
  await page.route("**/_portico/search/meta.json", (route) => route.fulfill({ status: 404, body: "" }));
  await search(page, "webhook");
  assert.match(await page.textContent(".search-status"), /Search is unavailable here/);
  assert.equal(await page.getAttribute("#search-input", "placeholder"), "Search is unavailable here");
  await context.close();

  const local = await browser.newContext();
  const file = await local.newPage();
  const errors = [];
  file.on("pageerror", (error) => errors.push(error.message));
  await file.goto(pathToFileURL(join(site, archived)).href);
  await file.keyboard.press("/");
  await file.keyboard.type("webhook");
  await file.waitForFunction(() => document.querySelector("#search-input").placeholder === "Search is unavailable here", null, { timeout: 10000 });
  assert.equal(await file.inputValue("#search-input"), "", "the placeholder shows");
  await file.keyboard.type("more");
  assert.equal(await file.inputValue("#search-input"), "", "and stays");
  assert.deepEqual([...problems, ...errors], []);
  await local.close();
});

test("the search on the 404 page links under the base path", async () => {
  const { page, context, problems } = await open("integrations/jira/9.9/missing.html");
  await search(page, "webhook");
  const found = await results(page);
  assert.ok(found.length > 0);
  for (const result of found) assert.ok(result.href.startsWith(`${BASE_PATH}integrations/`), result.href);
  assert.deepEqual(problems, []);
  await context.close();
});

test("no serious accessibility violation with results open, light and dark", async () => {
  for (const [path, width, colorScheme] of [
    [archived, 1280, "light"], [archived, 1280, "dark"], [archived, 360, "light"], [archived, 360, "dark"],
    ["index.html", 1280, "light"], ["index.html", 1280, "dark"],
  ]) {
    const { page, context } = await open(path, { colorScheme, bypassCSP: true, viewport: { width, height: 740 } });
    await search(page, "webhook");
    await page.keyboard.press("ArrowDown");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} ${width}px ${colorScheme}: scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(screenshots, `search-${path === archived ? "archived" : "home"}-${width}-${colorScheme}.png`) });
    await page.addScriptTag({ path: axeSource });
    const report = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const serious = report.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `${path} ${width}px ${colorScheme}`);
    await context.close();
  }
});

test("a query downloads under 150 KB, from this site only; pages stay under 60 KB of CSS and JS", async () => {
  const figures = [];
  for (const query of ["webhook", "configure channel", "permissions", "notification settings", "the"]) {
    const { page, context, requests, problems } = await open(archived);
    await page.waitForLoadState("networkidle");
    const before = await page.evaluate(() => performance.getEntriesByType("resource")
      .filter((entry) => /\.(css|js)$/.test(entry.name)).reduce((sum, entry) => sum + entry.decodedBodySize, 0));
    assert.ok(before < 60 * 1024, `${before} bytes of CSS and JS before the first search`);
    await page.keyboard.press("/");
    await page.keyboard.type(query, { delay: 200 }); // a typist: a search per keystroke
    await settled(page, query);
    const bytes = await page.evaluate(() => {
      const entries = performance.getEntriesByType("resource");
      const sum = (filter) => entries.filter(filter).reduce((total, entry) => total + entry.decodedBodySize, 0);
      return {
        index: sum((entry) => entry.name.includes("/_portico/search/")),
        meta: sum((entry) => entry.name.endsWith("/_portico/search/meta.json")),
        dictionaries: sum((entry) => entry.name.includes("/_portico/search/d/")),
        chunks: sum((entry) => entry.name.includes("/_portico/search/t/")),
        fragments: sum((entry) => entry.name.includes("/_portico/search/f/")),
        code: sum((entry) => /\/_portico\/search(-text)?\.(js|css)$/.test(entry.name)),
      };
    });
    figures.push(`${JSON.stringify(query)}: index ${bytes.index} B (meta ${bytes.meta}, dictionary ${bytes.dictionaries}, chunks ${bytes.chunks}, fragments ${bytes.fragments}), search code ${bytes.code} B, page CSS+JS ${before} B`);
    assert.ok(bytes.index < 150 * 1024, `${query}: ${bytes.index} bytes of index`);
    assert.deepEqual(requests.filter((url) => !url.startsWith(origin + "/")), [], "no other host");
    assert.deepEqual(problems, []);
    await context.close();
  }
  console.log(figures.join("\n"));
});
