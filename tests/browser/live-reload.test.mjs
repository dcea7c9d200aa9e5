// `portico serve` in a real browser: a page reloads by itself after an edit, keeping its
// scroll position, and a broken template shows an error over the last good page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, makePortal, serve, tempDir, write } from "./support.mjs";

const longPage = (marker) =>
  `# Setup\n\n${marker}\n\n` + Array.from({ length: 80 }, (_, i) => `Paragraph ${i} of a long page.\n`).join("\n");

test("a served page reloads itself after an edit and keeps its scroll position", async () => {
  const { dir, cleanup } = tempDir("portico-live-");
  const repo = makePortal(dir, { "docs/README.md": "# Jira\n", "docs/setup.md": longPage("Before the edit.") }, {
    "docs/README.md": "# Jira 2.0\n",
  });
  const server = await serve(dir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    await page.goto(`${server.url}integrations/jira/latest/setup.html`);
    await page.waitForFunction(() => document.body.textContent.includes("Before the edit."));
    await page.evaluate(() => {
      window.scrollTo(0, 900);
      window.__notReloaded = true;
    });
    // The live-reload stream is open before the edit is made.
    await page.waitForTimeout(300);

    write(repo, "docs/setup.md", longPage("After the edit."));
    await page.waitForFunction(() => document.body.textContent.includes("After the edit."), null, { timeout: 15000 });
    assert.equal(await page.evaluate(() => window.__notReloaded), undefined, "the page reloaded");
    await page.waitForFunction(() => window.scrollY > 800, null, { timeout: 5000 });
  } finally {
    await browser.close();
    server.stop();
    cleanup();
  }
});

test("a broken template shows an overlay over the last good page until it is fixed", async () => {
  const { dir, cleanup } = tempDir("portico-overlay-");
  makePortal(dir, { "docs/README.md": "# Jira\n\nStill here.\n" }, { "docs/README.md": "# Jira 2.0\n" });
  const server = await serve(dir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}integrations/jira/latest/`);
    await page.waitForTimeout(300);
    write(dir, "themes/default/templates/page.html", "{% extends \"base.html\" %}{% block body %}{{ broken( }}{% endblock body %}");
    const overlay = page.locator("#portico-error-overlay");
    await overlay.waitFor({ timeout: 15000 });
    assert.match(await overlay.textContent(), /page\.html/);
    assert.match(await page.textContent("main"), /Still here\./, "the last good page is still shown");

    write(dir, "themes/default/templates/page.html", "{% extends \"base.html\" %}{% block body %}<main id=\"content\">Fixed {{ page.content | safe }}</main>{% endblock body %}");
    await page.waitForFunction(() => document.body.textContent.includes("Fixed"), null, { timeout: 15000 });
    assert.equal(await page.locator("#portico-error-overlay").count(), 0);
  } finally {
    await browser.close();
    server.stop();
    cleanup();
  }
});
