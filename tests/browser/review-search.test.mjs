// Search against hostile pages (found by an outside review of issue 10): a page of 10,000
// headings and a key deep in a long section, on a portal built by the real binary and served
// by a plain static server. Each test states what a reader does and what should happen.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { launchBrowser, makePortal, portico, serveStatic, tempDir } from "./support.mjs";

const TEN_THOUSAND_HEADINGS =
  "# Ten thousand headings\n\n" +
  Array.from({ length: 10000 }, (_, i) => `## Heading ${i}\n\nSection text ${i} zebraword.\n\n`).join("");

// A config key far down a long section: past the fragment's text budget.
const LONG_SECTION =
  "# Settings\n\n## Advanced\n\n" +
  "Filler sentence about the plugin settings and the channel. ".repeat(80) +
  "\n\nSet `MM_PLUGINSETTINGS_ENABLEHOSTILEKEY` to true.\n";

const files = {
  "docs/README.md": [
    "# Jira",
    "",
    "- [Many headings](headings.md)",
    "- [Settings](settings.md)",
    "",
  ].join("\n"),
  "docs/headings.md": TEN_THOUSAND_HEADINGS,
  "docs/settings.md": LONG_SECTION,
};

let site;
let cleanup;
let server;
let base;
let browser;

before(async () => {
  const temp = tempDir("portico-review-search-");
  cleanup = temp.cleanup;
  makePortal(temp.dir, files, { "docs/README.md": "# Jira 2.0\n" });
  execFileSync(portico, ["build", "--root", temp.dir], { stdio: "pipe" });
  site = join(temp.dir, "public");
  ({ server, base } = await serveStatic(site));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  cleanup?.();
});

/** Opens `path`, types `text` in the box and waits for the answer; returns the page and bytes. */
async function search(path, text) {
  const page = await browser.newPage();
  let bytes = 0;
  page.on("response", async (response) => {
    if (!response.url().includes("/_portico/search/")) return;
    try { bytes += (await response.body()).length; } catch { /* navigation */ }
  });
  await page.goto(base + path);
  await page.locator("#search-input").fill(text);
  await page.waitForFunction(() => {
    const list = document.querySelector("#search-results");
    const status = document.querySelector("#search-status");
    return list && !list.hasAttribute("aria-busy") && status && status.textContent;
  });
  return { page, bytes: () => bytes };
}

test("a query whose only hit is a page of 10,000 headings downloads less than 150 KB", async () => {
  const { page, bytes } = await search("integrations/jira/latest/", "zebraword");
  assert.match(await page.textContent("#search-status"), /1 result/);
  assert.ok(bytes() < 150 * 1024, `one query downloaded ${bytes()} bytes of index and fragments`);
  await page.close();
});

test("a pasted config key far down a long section is marked in the result's snippet", async () => {
  const { page } = await search("integrations/jira/latest/", "MM_PLUGINSETTINGS_ENABLEHOSTILEKEY");
  assert.match(await page.textContent("#search-status"), /1 result/);
  const marks = await page.locator("#search-results mark").allTextContents();
  assert.ok(marks.some((mark) => /ENABLEHOSTILEKEY/i.test(mark)), `marked: ${JSON.stringify(marks)}`);
  await page.close();
});

// A page's first 1,000 passages are searchable (README, "Search"): heading 500 is among them.
test("searching works on the page of 10,000 headings itself and a result lands on its heading", async () => {
  const { page } = await search("integrations/jira/latest/headings.html", "heading 500");
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL(/#heading-500$/), page.keyboard.press("Enter")]);
  const top = await page.evaluate(() => document.getElementById("heading-500")?.getBoundingClientRect().top);
  assert.ok(top !== undefined && top >= 0 && top < 300, `heading at ${top}`);
  await page.close();
});
