// The sidebar of a version too large for every page to carry its whole navigation: each page
// holds the part around it and a link to the version's list of all pages; portico.js loads
// that list's tree in its place, marks the current page and scrolls it into view. Without
// JavaScript, and from file://, the part and the link remain. Served under a path prefix
// (/docs/), as a deploy below a base path would be.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launchBrowser, makePortal, openPage, portico, seriousViolations, serveStatic, tempDir } from "./support.mjs";

const SECTIONS = 12;
const SECTION_PAGES = 30;
const TOTAL = 1 + SECTIONS * SECTION_PAGES;

let work, site, server, base, browser;

/** The current docs: SECTIONS sections of SECTION_PAGES pages, each under a group heading. */
function largeDocs() {
  const files = { "docs/README.md": "# Large docs\n\nThe landing page.\n" };
  const summary = ["* [Overview](README.md)"];
  for (let s = 1; s <= SECTIONS; s++) {
    summary.push("", `## Part ${s}`, "", `* [Section ${s}](s${s}/README.md)`);
    files[`docs/s${s}/README.md`] = `# Section ${s}\n`;
    for (let p = 1; p < SECTION_PAGES; p++) {
      summary.push(`  * [Page ${s}.${p}](s${s}/p${p}.md)`);
      files[`docs/s${s}/p${p}.md`] = `# Page ${s}.${p}\n\nSome text.\n`;
    }
  }
  files["docs/SUMMARY.md"] = summary.join("\n") + "\n";
  return files;
}

before(async () => {
  work = tempDir("portico-nav-");
  makePortal(work.dir, largeDocs(), {
    "docs/README.md": "# Small docs\n",
    "docs/SUMMARY.md": "* [Small docs](README.md)\n* [Setup](setup.md)\n",
    "docs/setup.md": "# Setup\n",
  });
  site = join(work.dir, "public");
  execFileSync(portico, ["build", "--quiet", "--root", work.dir, "--out", site], { stdio: "ignore" });
  ({ server, base } = await serveStatic(site, "/docs/"));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  work?.cleanup();
});

const open = (path, options) => openPage(browser, base + path, options);

const deepPage = "integrations/jira/latest/s9/p25.html";

test("the full navigation loads in place of the part, the current page marked and in view", async () => {
  const { page, context, requests } = await open(deepPage);
  const served = await (await fetch(base + deepPage)).text();
  const part = served.slice(served.indexOf('<nav class="sidebar"'), served.indexOf("<main"));
  assert.ok(part.split("<a href=").length - 1 < 40, "the page itself carries only a part");
  await page.waitForSelector(".sidebar.nav-full");
  assert.equal(await page.locator(".sidebar .nav-group a").count(), TOTAL);
  const current = page.locator('.sidebar [aria-current="page"]');
  assert.equal(await current.count(), 1);
  assert.equal(await current.textContent(), "Page 9.25");
  assert.match(await current.getAttribute("href"), /\/docs\/integrations\/jira\/latest\/s9\/p25\.html$/);
  const marks = await page.evaluate(() => {
    const link = document.querySelector('.sidebar [aria-current="page"]');
    const section = link.parentElement.parentElement.closest("li");
    return { item: link.parentElement.className, section: section.className };
  });
  assert.match(marks.item, /\bactive\b/);
  assert.match(marks.section, /\bopen\b/);
  assert.doesNotMatch(marks.section, /\bcollapsed\b/);
  // Other sections are collapsed behind their buttons, as on a small version.
  assert.equal(await page.locator(".sidebar li.has-children > .nav-expand").count(), SECTIONS);
  assert.equal(await page.locator(".sidebar li.collapsed").count(), SECTIONS - 1);
  // Scrolled into the sidebar's view.
  const inView = await page.evaluate(() => {
    const sidebar = document.getElementById("sidebar").getBoundingClientRect();
    const link = document.querySelector('.sidebar [aria-current="page"]').getBoundingClientRect();
    return link.top >= sidebar.top && link.bottom <= sidebar.bottom;
  });
  assert.ok(inView, "the current page is visible in the sidebar");
  assert.deepEqual(requests.filter((url) => !url.startsWith(base)), [], "no request leaves the site");
  assert.equal(requests.filter((url) => url.endsWith("/_contents.html")).length, 1);
  // Its sections open with their buttons, and its links lead where they say, below the
  // path prefix.
  await page.locator(".sidebar li.has-children", { has: page.locator(":scope > a", { hasText: /^Section 2$/ }) })
    .locator(":scope > .nav-expand").click();
  await Promise.all([page.waitForNavigation(), page.locator(".sidebar a", { hasText: /^Page 2\.3$/ }).click()]);
  assert.equal(page.url(), base + "integrations/jira/latest/s2/p3.html");
  await page.waitForSelector(".sidebar.nav-full");
  assert.equal(await page.locator('.sidebar [aria-current="page"]').textContent(), "Page 2.3");
  await context.close();
});

test("a folder's landing page, served at its folder's address, is marked too", async () => {
  const { page, context } = await open("integrations/jira/latest/s4/");
  await page.waitForSelector(".sidebar.nav-full");
  assert.equal(await page.locator('.sidebar [aria-current="page"]').textContent(), "Section 4");
  await context.close();
});

test("without JavaScript the part around the page and the list of all pages remain", async () => {
  const { page, context } = await open(deepPage, { javaScriptEnabled: false });
  const links = await page.locator(".sidebar .nav-group a").allTextContents();
  assert.ok(links.includes("Section 9") && links.includes("Page 9.25") && links.includes("Page 9.20"), links.join(", "));
  assert.ok(!links.includes("Page 9.10") && !links.includes("Section 8"), links.join(", "));
  assert.equal(await page.locator('.sidebar [aria-current="page"]').textContent(), "Page 9.25");
  const all = page.locator(".sidebar .nav-all a");
  assert.equal(await all.textContent(), `All ${TOTAL} pages`);
  await Promise.all([page.waitForNavigation(), all.click()]);
  assert.equal(page.url(), base + "integrations/jira/latest/_contents.html");
  assert.equal(await page.locator(".contents-tree a").count(), TOTAL);
  await Promise.all([page.waitForNavigation(), page.locator(".contents-tree a", { hasText: /^Page 12\.29$/ }).click()]);
  assert.equal(page.url(), base + "integrations/jira/latest/s12/p29.html");
  await context.close();
});

test("from file:// the part and the link remain, and nothing fails", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(pathToFileURL(join(site, deepPage)).href);
  await page.waitForLoadState("load");
  // The fetch is refused; wait until the page has settled on the part it carries.
  await page.waitForFunction(() => document.querySelector(".nav-expand") !== null);
  assert.equal(await page.locator(".sidebar.nav-full").count(), 0);
  assert.equal(await page.locator('.sidebar [aria-current="page"]').textContent(), "Page 9.25");
  assert.equal(await page.locator(".sidebar .nav-all a").count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a small version inlines its whole navigation and fetches nothing", async () => {
  const { page, context, requests } = await open("integrations/jira/2.0/setup.html");
  await page.waitForLoadState("networkidle");
  assert.equal(await page.locator(".sidebar .nav-all").count(), 0);
  assert.equal(await page.locator(".sidebar[data-full-nav]").count(), 0);
  assert.equal(await page.locator('.sidebar [aria-current="page"]').textContent(), "Setup");
  assert.equal(requests.filter((url) => url.includes("_contents")).length, 0);
  await context.close();
});

test("no serious or critical accessibility violations (axe-core)", async () => {
  for (const path of [deepPage, "integrations/jira/latest/_contents.html"]) {
    for (const colorScheme of ["light", "dark"]) {
      // axe-core is injected as an inline script, which the pages' CSP rightly blocks.
      const { page, context } = await open(path, { colorScheme, bypassCSP: true });
      if (path === deepPage) await page.waitForSelector(".sidebar.nav-full");
      assert.deepEqual(await seriousViolations(page), [], `${path} (${colorScheme})`);
      await context.close();
    }
  }
});
