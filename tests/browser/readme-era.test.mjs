// README-era docs in Chromium, on real docs (tests/corpus): Jira 2.3, whose landing page opens
// with CI badges and whose FAQ is in no SUMMARY.md. No badge image is shown; the FAQ is one
// click away in the sidebar's "More pages"; every image is lazy and its width and height
// attributes are the size the browser decodes (so nothing jumps as images arrive).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser, portico, serveStatic, tempDir } from "./support.mjs";

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), "..", "corpus");

let work, server, base, browser, buildLog;

before(async () => {
  work = tempDir("portico-readme-era-");
  const repo = join(work.dir, "repos", "jira");
  mkdirSync(repo, { recursive: true });
  cpSync(join(corpus, "jira", "2.3"), repo, { recursive: true });
  const git = (...args) =>
    execFileSync("git", args, {
      cwd: repo,
      env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" },
    });
  git("init", "-q", "-b", "master");
  git("add", "-A");
  git("commit", "-q", "-m", "Jira 2.3 docs");
  writeFileSync(
    join(work.dir, "site.toml"),
    '[site]\ntitle = "Browser Test Portal"\nbase_url = "https://docs.example.com/"\n\n' +
      '[[integrations]]\nid = "jira"\nname = "Jira"\nrepo = "repos/jira"\nmanaged_by = "mattermost"\ndeployments = ["cloud"]\n',
  );
  buildLog = execFileSync(portico, ["--root", work.dir, "build"], { stdio: ["ignore", "pipe", "pipe"] }).toString();
  ({ server, base } = await serveStatic(join(work.dir, "public")));
  browser = await launchBrowser();
});

/** A page of `url` whose requests to other hosts (the docs' remote images) are refused: tests stay off the network. */
async function openPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route((address) => !address.href.startsWith(base), (route) => route.abort());
  const page = await context.newPage();
  await page.goto(url);
  return { page, context };
}

after(async () => {
  await browser?.close();
  server?.close();
  work?.cleanup();
});

test("the landing page shows no badge and its sidebar reaches the unlisted FAQ", async () => {
  const { page, context } = await openPage(browser, `${base}integrations/jira/latest/`);
  const sources = await page.locator("article img").evaluateAll((images) => images.map((i) => i.getAttribute("src")));
  assert.ok(!sources.some((src) => /shields\.io|codecov|badge/.test(src)), sources.join("\n"));
  const group = page.locator(".sidebar .nav-group-title", { hasText: "More pages" });
  await assert.doesNotReject(group.waitFor());
  await page.locator(".sidebar a", { hasText: "Frequently Asked Questions (FAQ)" }).click();
  await page.waitForURL(/frequently-asked-questions-faq\.html$/);
  assert.equal(await page.locator("article h1").first().innerText(), "Frequently Asked Questions (FAQ)#");
  assert.equal(await page.locator('.sidebar [aria-current="page"]').innerText(), "Frequently Asked Questions (FAQ)");
  await context.close();
});

test("every image is lazy and its width and height are the size the browser decodes", async () => {
  const checked = [];
  for (const path of ["feature-summary.html", "end-user-guide/using-jira-commands.html", "admininstrator-guide/notification-management/"]) {
    const { page, context } = await openPage(browser, `${base}integrations/jira/latest/${path}`);
    const images = await page.locator("article img").evaluateAll(async (images) =>
      Promise.all(
        images.map(async (image) => {
          // A copy, decoded now: the page's own copy waits until it is scrolled to.
          const probe = new Image();
          probe.src = image.src;
          // An image of another host (refused) has nothing to decode.
          const decoded = await probe.decode().then(() => true, () => false);
          return {
            src: image.getAttribute("src"),
            loading: image.getAttribute("loading"),
            size: [Number(image.getAttribute("width")), Number(image.getAttribute("height"))],
            natural: decoded ? [probe.naturalWidth, probe.naturalHeight] : [0, 0],
          };
        }),
      ),
    );
    for (const image of images) {
      assert.equal(image.loading, "lazy", image.src);
      assert.deepEqual(image.size, image.natural, image.src);
    }
    checked.push(...images);
    await context.close();
  }
  // Remote images (other hosts, refused) have no size; the docs' own files do.
  assert.ok(checked.filter((image) => image.natural[0] > 0).length >= 3, JSON.stringify(checked));
});
