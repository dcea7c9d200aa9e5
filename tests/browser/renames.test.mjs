// The version switcher follows renamed pages and keeps the reader's place: on the real Jira
// docs (tests/corpus), 2.3's misspelled `admininstrator-guide/permissions` switches to 3.0's
// `administrator-guide/permissions` at the same heading; the 404 page offers a renamed page
// under its name in each version. Served as a static deploy would be.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser, makePortal, openPage, portico, serveStatic, tempDir } from "./support.mjs";

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), "..", "corpus", "jira");

/** Every file of a corpus snapshot, by its repository path. */
function snapshot(version) {
  const root = join(corpus, version);
  const files = {};
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path);
    }
  };
  walk(root);
  return files;
}

let work, server, base, browser;

before(async () => {
  work = tempDir("portico-renames-");
  const repo = makePortal(work.dir, snapshot("3.0"), snapshot("2.3"));
  execFileSync("git", ["branch", "-m", "2.0-docs", "2.3-docs"], { cwd: repo });
  const site = join(work.dir, "public");
  execFileSync(portico, ["build", "--quiet", "--root", work.dir, "--out", site], { stdio: "ignore" });
  ({ server, base } = await serveStatic(site));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  work?.cleanup();
});

const heading = "how-does-mattermost-know-which-issues-a-user-can-see";

test("switching versions from a heading lands on that heading in the renamed page", async () => {
  const { page, context } = await openPage(browser, `${base}integrations/jira/2.3/admininstrator-guide/permissions.html#${heading}`);
  await page.locator("details.version-switcher summary").click();
  await page.locator("details.version-switcher a", { hasText: "3.0" }).click();
  await page.waitForURL(/administrator-guide\/permissions\.html/);
  assert.equal(new URL(page.url()).pathname, "/integrations/jira/latest/administrator-guide/permissions.html");
  assert.equal(new URL(page.url()).hash, `#${heading}`);
  const target = page.locator(`[id="${heading}"]`);
  await target.waitFor();
  // The heading is at the top of the viewport (the page scrolled to it), not below the fold.
  const top = await target.evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(await page.evaluate(() => window.scrollY) > 0, "the page scrolled");
  assert.ok(top >= 0 && top < 200, `heading top at ${top}px`);
  await context.close();
});

test("a heading chosen after loading is kept too, by the banner as well, never on a link to a landing page", async () => {
  const { page, context } = await openPage(browser, `${base}integrations/jira/2.3/end-user-guide/faq.html`);
  const missing = page.locator("details.version-switcher a.missing");
  const firstHeading = await page.locator("article :is(h1, h2, h3)[id]").first().getAttribute("id");
  await page.evaluate((id) => { location.hash = id; }, firstHeading);
  await page.waitForFunction(() => location.hash.length > 1);
  assert.doesNotMatch(await missing.getAttribute("href"), /#/);
  await context.close();

  const renamed = await openPage(browser, `${base}integrations/jira/2.3/admininstrator-guide/permissions.html`);
  await renamed.page.evaluate((id) => { location.hash = id; }, heading);
  const link = renamed.page.locator("details.version-switcher a", { hasText: "3.0" });
  await renamed.page.waitForFunction(() => /#/.test(document.querySelector("details.version-switcher a:not(.missing)").href));
  assert.match(await link.evaluate((a) => a.href), new RegExp(`/latest/administrator-guide/permissions\\.html#${heading}$`));
  // The archived banner's "read this page in 3.0" keeps it too.
  const banner = renamed.page.locator(".archived-banner a");
  assert.match(await banner.evaluate((a) => a.href), new RegExp(`/latest/administrator-guide/permissions\\.html#${heading}$`));
  await renamed.context.close();
});

test("the 404 page offers a renamed page under its name in each version", async () => {
  const { page, context, response } = await openPage(browser, `${base}integrations/jira/3.0/admininstrator-guide/permissions.html`);
  assert.equal(response.status(), 404);
  const links = await page.locator("#page-elsewhere a").evaluateAll((all) => all.map((a) => new URL(a.href).pathname));
  assert.deepEqual(links, [
    "/integrations/jira/latest/administrator-guide/permissions.html",
    "/integrations/jira/2.3/admininstrator-guide/permissions.html",
  ]);
  await context.close();
});
