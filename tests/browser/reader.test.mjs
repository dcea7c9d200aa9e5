// The reader's experience in a real browser, on the demo portal (`portico demo`): layout at
// desktop and phone sizes, light and dark, the keyboard-operated version switcher, index
// filters, the 404 page, accessibility (axe-core), self-containment and page weight. Saves
// screenshots under target/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchBrowser, openPage, portico, seriousViolations, serveStatic, tempDir } from "./support.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const screenshots = join(repoRoot, "target", "screenshots");

let demo, site, server, base, browser;

before(async () => {
  demo = tempDir("portico-demo-");
  execFileSync(portico, ["demo", join(demo.dir, "tour")], { stdio: "ignore" });
  site = join(demo.dir, "tour", "public");
  // A plain static server, as a deploy would be: files, and 404.html for misses.
  ({ server, base } = await serveStatic(site));
  browser = await launchBrowser();
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
  demo?.cleanup();
});

const open = (path, options) => openPage(browser, base + path, options);

const pages = {
  index: "integrations/index.html",
  current: "integrations/jira/latest/setup/installation.html",
  archived: "integrations/jira/2.10/setup/installation.html",
};

test("screenshots at desktop and phone sizes, light and dark", async () => {
  for (const [name, path] of Object.entries(pages)) {
    for (const [size, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 360, height: 740 }]]) {
      for (const colorScheme of ["light", "dark"]) {
        const { page, context } = await open(path, { viewport, colorScheme });
        // Nothing may be wider than the screen.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} ${size} ${colorScheme} scrolls sideways by ${overflow}px`);
        await page.screenshot({ path: join(screenshots, `${name}-${size}-${colorScheme}.png`) });
        await context.close();
      }
    }
  }
});

test("no request leaves the site, and CSS plus JavaScript stay under 60 KB", async () => {
  for (const path of Object.values(pages)) {
    const { page, context, requests } = await open(path);
    await page.waitForLoadState("networkidle");
    const foreign = requests.filter((url) => !url.startsWith(base));
    assert.deepEqual(foreign, [], `${path} requested other hosts`);
    const weight = await page.evaluate(() =>
      performance.getEntriesByType("resource")
        .filter((entry) => /\.(css|js)$/.test(entry.name))
        .reduce((sum, entry) => sum + entry.decodedBodySize, 0));
    const inline = await page.evaluate(() => Array.from(document.querySelectorAll("script:not([src]):not([type='application/json']), style")).reduce((sum, el) => sum + el.textContent.length, 0));
    assert.ok(weight + inline < 60 * 1024, `${path}: ${weight + inline} bytes of CSS and JS`);
    await context.close();
  }
});

test("no serious or critical accessibility violations (axe-core)", async () => {
  for (const path of [...Object.values(pages), "index.html", "integrations/jira/versions.html", "integrations/welcomebot/latest/index.html"]) {
    for (const colorScheme of ["light", "dark"]) {
      // axe-core is injected as an inline script, which the pages' CSP rightly blocks.
      const { page, context } = await open(path, { colorScheme, bypassCSP: true });
      assert.deepEqual(await seriousViolations(page), [], `${path} (${colorScheme})`);
      await context.close();
    }
  }
});

test("the Content-Security-Policy runs the theme's scripts and no others", async () => {
  for (const path of [...Object.values(pages), "index.html", "404.html"]) {
    const { page, context } = await open(path);
    const violations = [];
    page.on("console", (message) => {
      if (/Content Security Policy/.test(message.text())) violations.push(message.text());
    });
    await page.reload();
    await page.waitForLoadState("networkidle");
    // The theme's inline script (allowed by hash) and portico.js (same origin) both ran.
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains("js")), path);
    assert.equal(await page.locator(".theme-toggle").isHidden(), false, path);
    assert.deepEqual(violations, [], path);
    // A script that got into the page some other way does not run.
    const ran = await page.evaluate(() => {
      window.injected = false;
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.appendChild(script);
      return window.injected;
    });
    assert.equal(ran, false, `${path} ran an injected inline script`);
    await context.close();
  }
});

test("the version switcher works from the keyboard and marks missing pages", async () => {
  const { page, context } = await open("integrations/jira/2.9/setup/legacy-webhooks.html");
  await page.focus(".version-switcher summary");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.querySelector(".version-switcher").open), true);
  // The `toggle` event that moves focus is dispatched asynchronously: wait for it, not for a clock.
  await page.waitForFunction(() => document.activeElement.tagName === "A", null, { timeout: 5000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim().split(/\s+/)[0]), "2.9", "focus starts on this version");
  await page.keyboard.press("Home");
  const first = await page.evaluate(() => document.activeElement.textContent.replace(/\s+/g, " ").trim());
  assert.match(first, /^3\.1 latest \(no such page\)$/, "newest first, latest marked, missing page marked");
  await page.keyboard.press("Escape");
  assert.equal(await page.evaluate(() => document.querySelector(".version-switcher").open), false);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), "SUMMARY");
  // Enter on a version goes there (its landing page, as the page does not exist in 3.1).
  await page.keyboard.press("Enter");
  await page.keyboard.press("Home");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  assert.match(page.url(), /integrations\/jira\/latest\/index\.html$/);
  await context.close();
});

test("without JavaScript the switcher, navigation and index still work", async () => {
  const { page, context } = await open(pages.archived, { javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  assert.equal(await page.isVisible(".sidebar"), true, "the navigation shows without a drawer");
  await page.click(".version-switcher summary");
  await Promise.all([page.waitForNavigation(), page.click(".version-switcher a:has-text('3.0')")]);
  assert.match(page.url(), /jira\/3\.0\/setup\/installation\.html$/);
  await page.goto(base + pages.index);
  assert.equal(await page.locator(".card").count() >= 5, true);
  assert.equal(await page.isVisible("form.filters"), false, "filters need JavaScript and stay hidden");
  await context.close();
});

test("the index filters by text and by deployment instantly", async () => {
  const { page, context } = await open(pages.index);
  await page.fill("form.filters input[name=q]", "dice");
  assert.deepEqual(await page.locator(".card:visible h3").allTextContents(), ["Dice Roller ⚄"]);
  await page.fill("form.filters input[name=q]", "");
  await page.check("form.filters input[value=cloud]");
  const cloud = await page.locator(".card:visible h3").allTextContents();
  assert.deepEqual(cloud.sort(), ["GitHub", "Jira", "Zoom"]);
  assert.equal(await page.isVisible("#group-community"), false, "an emptied group hides");
  assert.match(await page.textContent(".filter-status"), /3 of 5 integrations shown/);
  await context.close();
});

test("phones get the navigation in a drawer", async () => {
  const { page, context } = await open(pages.current, { viewport: { width: 360, height: 740 } });
  assert.equal(await page.isVisible(".sidebar"), false);
  await page.click(".nav-toggle");
  assert.equal(await page.isVisible(".sidebar"), true);
  assert.equal(await page.getAttribute(".nav-toggle", "aria-expanded"), "true");
  await page.keyboard.press("Escape");
  assert.equal(await page.isVisible(".sidebar"), false);
  await context.close();
});

test("dark mode follows the system, and a chosen theme is remembered without a flash", async () => {
  const { page, context } = await open(pages.current, { colorScheme: "dark" });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await background(), "rgb(20, 23, 29)");
  await page.click(".theme-toggle");
  assert.equal(await background(), "rgb(255, 255, 255)");
  // The next page starts light before any script of the body runs.
  await page.goto(base + pages.archived);
  assert.equal(await page.evaluate(() => document.documentElement.getAttribute("data-theme")), "light");
  assert.equal(await background(), "rgb(255, 255, 255)");
  await context.close();
});

test("the 404 page offers the page in the versions that have it", async () => {
  const { page, context, response } = await open("integrations/jira/9.9/setup/installation.html");
  assert.equal(response.status(), 404);
  const offered = await page.locator("#page-elsewhere a").allTextContents();
  assert.deepEqual(offered, ["Jira 3.1 (latest)", "Jira 3.0", "Jira 2.10", "Jira 2.9"]);
  await page.goto(base + "integrations/jira/3.0/no-such-page.html");
  assert.deepEqual(await page.locator("#page-elsewhere a").allTextContents(), ["Jira documentation (latest)"]);
  await context.close();
});

test("the portal works from file:// as well", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(pathToFileURL(join(site, pages.archived)).href);
  await Promise.all([page.waitForNavigation(), page.click(".archived-banner a")]);
  assert.match(page.url(), /jira\/latest\/setup\/installation\.html$/);
  assert.equal(await page.locator("link[rel=stylesheet]").count(), 2);
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.querySelector(".site-header")).position), "static", "styles loaded");
  await context.close();
});
