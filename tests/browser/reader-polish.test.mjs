// The reader polish of issue 13 (parts 4, 5 and 7) in Chromium, on a portal of the real
// plugin docs in tests/corpus (plus one small integration for what the corpus lacks:
// `{% code lineNumbers %}` and shell prompts): code blocks (copy button, language label,
// keyboard scrolling), phones (the "On this page" list, headings clear of the header, the
// site title, wide tables, the version history), the section highlight, the 404 header,
// printing, the favicon, and previous/next titled as the sidebar.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { launchBrowser, openPage, seriousViolations, serveStatic, tempDir, write } from "./support.mjs";
import { buildCorpusPortal } from "./corpus.mjs";

let work, server, base, browser;

const phone = { viewport: { width: 390, height: 844 } };
const pages = {
  jira: "integrations/jira/latest/index.html",
  faq: "integrations/jira/3.0.1/administrator-guide/frequently-asked-questions-faq.html",
  archived: "integrations/jira/2.3/setup/configuration.html",
  tables: ["integrations/com.github.manland.mattermost-plugin-gitlab/1.7/setup/configuration.html", "integrations/com.github.mattermost.plugin-circleci/1.2/index.html"],
  versions: "integrations/jira/versions.html",
  samples: "integrations/samples/latest/index.html",
};

const SAMPLES = [
  "# Samples",
  "",
  "## Numbered",
  "",
  '{% code title="server/plugin.go" lineNumbers="true" %}',
  "```go",
  "package main",
  "",
  "func main() {}",
  "```",
  "{% endcode %}",
  "",
  "## Session",
  "",
  "```console",
  "$ make dist",
  "$ curl -X POST \\",
  "    http://localhost:8065/api",
  "```",
  "",
  "## Output",
  "",
  "```sh",
  "$ mmctl version",
  "mmctl 9.0",
  "```",
  "",
  "## Webhooks",
  "",
  "| Event | Webhook URL | Channel |",
  "|---|---|---|",
  "| created | `https://community.mattermost.com/plugins/jira/webhook?secret=5JlVk56KPxX629ujeU3MOuxaiwsPzLwh&team=contributors` | town-square |",
  "",
].join("\n");

function git(cwd, ...args) {
  execFileSync("git", args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" },
  });
}

before(async () => {
  work = tempDir("portico-polish-");
  const samples = join(work.dir, "repos", "samples");
  write(samples, "docs/README.md", SAMPLES);
  git(samples, "init", "-q", "-b", "master");
  git(samples, "add", "-A");
  git(samples, "commit", "-q", "-m", "samples");
  const entry = '[[integrations]]\nid = "samples"\nrepo = "repos/samples"\nmanaged_by = "community"\ndeployments = ["self-managed"]\n';
  // A real portal's title, long enough to test on a phone.
  const site = buildCorpusPortal(work.dir, [entry], { title: "Mattermost Integrations" });
  ({ server, base } = await serveStatic(site));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  work?.cleanup();
});

const open = (path, options) => openPage(browser, base + path, options);
const withClipboard = { permissions: ["clipboard-read", "clipboard-write"] };

/** Clicks (or presses Enter on) the copy button of code block `index`; resolves to the clipboard's text. */
async function copy(page, index, { keyboard = false } = {}) {
  const button = page.locator(".code-block").nth(index).locator("button.code-copy");
  if (keyboard) {
    await button.focus();
    await page.keyboard.press("Enter");
  } else {
    await button.click();
  }
  await page.locator(".code-block").nth(index).locator(".code-copied").filter({ hasText: "Copied" }).waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

test("the copy button copies exactly the code, from the mouse and the keyboard", async () => {
  const { page, context } = await open(pages.jira, withClipboard);
  const blocks = await page.locator(".code-block").count();
  assert.ok(blocks >= 5, `the Jira README has its bash blocks (${blocks})`);
  for (let index = 0; index < blocks; index += 1) {
    const shown = await page.locator(".code-block").nth(index).locator("pre.code code").evaluate((code) => code.textContent);
    const copied = await copy(page, index, { keyboard: index % 2 === 1 });
    assert.equal(copied, shown.replace(/\n$/, ""), `block ${index}`);
  }
  // The feedback is a live region, and it clears.
  const status = page.locator(".code-block").first().locator(".code-copied");
  assert.equal(await status.getAttribute("role"), "status");
  await page.waitForFunction((el) => el.textContent === "", await status.elementHandle());
  await context.close();
});

test("line numbers and the prompts of a shell session are not copied", async () => {
  const { page, context } = await open(pages.samples, withClipboard);
  assert.equal(await copy(page, 0), "package main\n\nfunc main() {}", "no line numbers");
  assert.equal(await copy(page, 1), "make dist\ncurl -X POST \\\n    http://localhost:8065/api", "every command had a prompt");
  assert.equal(await copy(page, 2), "$ mmctl version\nmmctl 9.0", "a session with output is copied as shown");
  await context.close();
});

test("code blocks show their language, are named, and scroll from the keyboard", async () => {
  const { page, context } = await open(pages.faq);
  const block = page.locator(".code-block").filter({ has: page.locator("code.language-text") }).first();
  assert.equal(await block.locator(".code-lang").count(), 0, "plain text is not labelled");
  const pre = block.locator("pre.code");
  assert.equal(await pre.getAttribute("tabindex"), "0");
  assert.equal(await pre.getAttribute("aria-label"), "Code");
  const wide = await pre.evaluate((el) => el.scrollWidth > el.clientWidth);
  assert.ok(wide, "the curl command is wider than the page");
  await pre.focus();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((el) => el.scrollLeft > 0, await pre.elementHandle());
  await page.goto(base + pages.jira);
  const labels = await page.locator(".code-bar .code-lang").allTextContents();
  assert.ok(labels.length >= 5 && labels.every((label) => label === "bash"), labels.join());
  assert.equal(await page.locator("pre.code").first().getAttribute("aria-label"), "bash code");
  assert.equal(await page.locator("button.code-copy").first().getAttribute("aria-label"), "Copy bash code");
  await page.goto(base + pages.samples);
  // A `{% code title %}` block: its title, then its language, in the same bar.
  assert.equal(await page.locator("figure.code-block figcaption.code-bar .code-title").textContent(), "server/plugin.go");
  assert.equal(await page.locator("figure.code-block figcaption.code-bar .code-lang").textContent(), "go");
  await context.close();
});

test("without JavaScript the language shows and there is no copy button", async () => {
  const { page, context } = await open(pages.jira, { javaScriptEnabled: false });
  assert.ok((await page.locator(".code-lang").count()) >= 5);
  assert.equal(await page.locator("button.code-copy").count(), 0);
  assert.equal(await page.locator("details.toc-inline").count(), 1);
  await context.close();
});

test("on a phone the table of contents is a collapsible list above the page", async () => {
  const { page, context } = await open(pages.jira, phone);
  assert.equal(await page.isVisible("nav.toc"), false, "no room beside the page");
  const details = page.locator("details.toc-inline");
  assert.equal(await details.isVisible(), true);
  assert.equal(await details.evaluate((el) => el.open), false, "closed until asked");
  await details.locator("summary").click();
  assert.equal(await details.evaluate((el) => el.open), true);
  assert.ok((await details.locator("a:visible").count()) >= 10);
  // On a wide screen it gives way to the list beside the page.
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.equal(await details.isVisible(), false);
  assert.equal(await page.isVisible("nav.toc"), true);
  await context.close();
});

/** The target's top and the header's bottom, in the window. */
const clearance = (page, id) => page.evaluate((id) => ({
  top: document.getElementById(id).getBoundingClientRect().top,
  header: document.querySelector(".site-header").getBoundingClientRect().bottom,
}), id);

test("a heading jumped to stops below the header, however tall it wrapped", async () => {
  for (const viewport of [phone.viewport, { width: 360, height: 740 }, { width: 1280, height: 900 }]) {
    const { page, context } = await open(pages.jira, { viewport });
    const links = page.locator(viewport.width < 1000 ? "details.toc-inline a" : "nav.toc a");
    if (viewport.width < 1000) await page.click("details.toc-inline summary");
    const count = await links.count();
    for (const index of [2, Math.floor(count / 2), count - 3]) {
      const id = decodeURIComponent((await links.nth(index).getAttribute("href")).slice(1));
      await links.nth(index).click();
      await page.waitForFunction((id) => location.hash === "#" + encodeURIComponent(id) || location.hash === "#" + id, id);
      const { top, header } = await clearance(page, id);
      assert.ok(top >= header, `${viewport.width}px: #${id} at ${top}px, under the header ending at ${header}px`);
    }
    await context.close();
  }
  // Opened at a heading (a link from elsewhere).
  const id = "1-run-mattermost-with-the-enterprise-repo-beside-it";
  const { page, context } = await open(`${pages.jira}#${id}`, phone);
  await page.waitForLoadState("load");
  await page.waitForFunction(() => getComputedStyle(document.documentElement).getPropertyValue("--header-height") === document.querySelector(".site-header").offsetHeight + "px");
  const { top, header } = await clearance(page, id);
  assert.ok(top >= header, `opened at #${id}: ${top}px, header to ${header}px`);
  await context.close();
});

test("the site title is whole on a 360px phone", async () => {
  for (const path of [pages.jira, pages.versions, "404.html"]) {
    const { page, context } = await open(path, { viewport: { width: 360, height: 740 } });
    const brand = await page.locator(".brand").evaluate((el) => ({
      text: el.textContent, scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right,
    }));
    assert.equal(brand.text, "Mattermost Integrations");
    assert.ok(brand.scroll <= brand.client, `${path}: the title is cut (${brand.scroll} > ${brand.client})`);
    assert.ok(brand.right <= 360, path);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(sideways <= 0, `${path} scrolls sideways by ${sideways}px`);
    await context.close();
  }
});

test("wide tables scroll inside the page, from the keyboard too", async () => {
  // The corpus's tables wrap their text to fit a phone.
  for (const path of pages.tables) {
    const { page, context } = await open(path, phone);
    assert.ok((await page.locator(".markdown table").count()) > 0, path);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${path} scrolls sideways`);
    await context.close();
  }
  // A table with a long web address cannot: it scrolls, not the page.
  const { page, context } = await open(pages.samples, phone);
  const table = page.locator(".markdown table").first();
  const sizes = await table.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, overflow: getComputedStyle(el).overflowX, tabindex: el.getAttribute("tabindex") }));
  assert.ok(sizes.scroll > sizes.client, "the table is wider than a phone");
  assert.equal(sizes.overflow, "auto");
  assert.equal(sizes.tabindex, "0");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), "the page itself does not scroll sideways");
  await table.focus();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((el) => el.scrollLeft > 0, await table.elementHandle());
  await context.close();
});

test("the version history reads as one labelled block per version on a phone", async () => {
  const { page, context } = await open(pages.versions, { viewport: { width: 360, height: 740 } });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), "no sideways scrolling");
  const table = await page.locator("table.versions").evaluate((el) => el.scrollWidth <= el.clientWidth);
  assert.ok(table, "every cell fits");
  const first = await page.locator("table.versions tbody tr").first().innerText();
  assert.match(first, /^4\.7\s+latest\s*\n.+\n\d{4}-\d\d-\d\d\nmaster$/i, "one line each");
  // Each value says what it is (the column headings are for screen readers only there).
  const labels = await page.locator("table.versions tbody tr").first().locator("td").evaluateAll((cells) =>
    cells.map((td) => getComputedStyle(td, "::before").content));
  assert.deepEqual(labels, ['"Requires Mattermost Server: "', '"Docs updated: "', '"Source: "']);
  await context.close();
});

test("the section highlight marks the last heading above the top of the window", async () => {
  const { page, context } = await open(pages.jira);
  const marked = () => page.evaluate(() => Array.from(document.querySelectorAll("nav.toc a[aria-current]"), (a) => a.hash));
  const scrollTo = (id, offset) => page.evaluate(([id, offset]) => {
    const header = document.querySelector(".site-header").offsetHeight;
    scrollBy(0, document.getElementById(id).getBoundingClientRect().top - header + offset);
  }, [id, offset]);
  const ids = await page.locator("nav.toc a").evaluateAll((links) => links.map((a) => decodeURIComponent(a.hash.slice(1))));
  const [first, second, third] = [ids[3], ids[4], ids[5]];
  // `second` just passed under the header: it is the section being read, even though
  // `third` is already in view below it.
  await scrollTo(second, 40);
  await page.waitForFunction((hash) => document.querySelector("nav.toc a[aria-current]")?.hash === hash, "#" + encodeURIComponent(second));
  assert.deepEqual(await marked(), ["#" + encodeURIComponent(second)]);
  // Back up so that `second` is below the top: `first` is read again.
  await scrollTo(second, -150);
  await page.waitForFunction((hash) => document.querySelector("nav.toc a[aria-current]")?.hash === hash, "#" + encodeURIComponent(first));
  // Far down, `third` and later; at the very top, none.
  await scrollTo(third, 10);
  await page.waitForFunction((hash) => document.querySelector("nav.toc a[aria-current]")?.hash === hash, "#" + encodeURIComponent(third));
  await page.evaluate(() => scrollTo(0, 0));
  await page.waitForFunction(() => !document.querySelector("nav.toc a[aria-current]"));
  // The list above the page (narrow screens) marks the same.
  await scrollTo(second, 40);
  await page.waitForFunction((hash) => document.querySelector(".toc-inline a[aria-current]")?.hash === hash, "#" + encodeURIComponent(second));
  await context.close();
});

test("the 404 page's header spans the window", async () => {
  const { page, context, response } = await open("integrations/jira/9.9/no-such-page.html");
  assert.equal(response.status(), 404);
  const widths = await page.evaluate(() => ({
    header: document.querySelector(".site-header").getBoundingClientRect().width,
    window: document.documentElement.clientWidth,
    main: document.querySelector("main").getBoundingClientRect().width,
  }));
  assert.equal(widths.header, widths.window);
  assert.ok(widths.main <= 640, "the message itself stays narrow");
  await context.close();
});

test("a printed archived page has no dangling punctuation", async () => {
  const { page, context } = await open(pages.archived);
  await page.emulateMedia({ media: "print" });
  const banner = (await page.locator(".archived-banner").innerText()).replace(/\s+/g, " ").trim();
  assert.match(banner, /^You are reading the docs of Jira 2\.3, an older version\. The current version is 4\.7: read this page in 4\.7\.$|go to the 4\.7 docs\.$/);
  const text = await page.evaluate(() => document.body.innerText);
  const dangling = text.split("\n").map((line) => line.trim()).filter((line) => /(^|\s)[·:›,]$|^[·:›.,]|\s[.,:]$/.test(line));
  assert.deepEqual(dangling, []);
  for (const hidden of [".site-header", ".sidebar", ".toc-inline", ".prev-next", ".site-footer"]) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not printed`);
  }
  await context.close();
});

test("every kind of page has a favicon that loads", async () => {
  for (const path of [pages.jira, "index.html", "integrations/index.html", pages.versions, "integrations/jira/index.html", "integrations/jira/9.9/missing.html"]) {
    const html = await (await fetch(base + path)).text();
    const hrefs = Array.from(html.matchAll(/<link rel="icon" href="([^"]+)"/g), (match) => match[1]);
    assert.equal(hrefs.length, 2, `${path} links an SVG icon and its PNG fallback`);
    for (const href of hrefs) {
      const icon = await fetch(new URL(href, base + path));
      assert.equal(icon.status, 200, `${path}: ${href}`);
      assert.match(icon.headers.get("content-type"), /^image\/(svg\+xml|png)$/);
    }
  }
});

test("previous and next say what the sidebar says", async () => {
  const { page, context } = await open("integrations/jira/3.0.1/index.html");
  let checked = 0;
  for (let step = 0; step < 60; step += 1) {
    const next = page.locator(".prev-next a.next");
    if (!(await next.count())) break;
    for (const link of await page.locator(".prev-next a").all()) {
      const href = await link.getAttribute("href");
      const title = await link.evaluate((a) => a.lastChild.textContent.trim());
      const listed = await page.locator(`.sidebar a[href="${href}"]`).first().textContent();
      assert.equal(title, listed.trim(), `${page.url()}: ${href}`);
      checked += 1;
    }
    await Promise.all([page.waitForNavigation(), next.click()]);
  }
  assert.ok(checked > 20, `checked ${checked} links`);
  await context.close();
});

test("code bars, copy buttons and the open 'On this page' pass axe-core, light and dark", async () => {
  for (const path of [pages.jira, pages.faq, pages.samples, pages.versions]) {
    for (const viewport of [phone.viewport, { width: 1280, height: 900 }]) {
      for (const colorScheme of ["light", "dark"]) {
        // axe-core is injected as an inline script, which the pages' CSP rightly blocks.
        const { page, context } = await open(path, { viewport, colorScheme, bypassCSP: true });
        await page.evaluate(() => document.querySelectorAll("details.toc-inline").forEach((d) => { d.open = true; }));
        assert.deepEqual(await seriousViolations(page), [], `${path} ${viewport.width}px ${colorScheme}`);
        await context.close();
      }
    }
  }
});
