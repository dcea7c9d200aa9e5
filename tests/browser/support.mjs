// Shared helpers for Portico's browser tests: temporary portals with real git repositories,
// the real `portico` binary, and Debian's Chromium driven by playwright-core.
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The portico binary `cargo build` made (PORTICO_BIN overrides). */
export const portico = process.env.PORTICO_BIN || join(repoRoot, "target", "debug", "portico");

/** Chromium as the machine has it (CHROMIUM overrides), with a fresh profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * A page of `url` in a new context (1280×900 unless `options` say otherwise), with every
 * request it makes recorded. Resolves to { page, context, requests, response }.
 */
export async function openPage(browser, url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  const response = await page.goto(url);
  return { page, context, requests, response };
}

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * axe-core's serious and critical violations on `page`, as "rule: targets" lines. The page's
 * context must bypass the Content-Security-Policy: axe is injected as an inline script.
 */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: axeSource });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** A temporary folder, removed by the returned cleanup. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function write(root, path, text) {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

function git(cwd, ...args) {
  return execFileSync("git", args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" },
  }).toString();
}

/**
 * A portal with one integration `jira` whose `master` holds `files` (checked out) and whose
 * `2.0-docs` archive holds `archived`.
 */
export function makePortal(root, files, archived) {
  const repo = join(root, "repos", "jira");
  mkdirSync(repo, { recursive: true });
  git(repo, "init", "-q", "-b", "master");
  for (const [path, text] of Object.entries(archived)) write(repo, path, text);
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "2.0 docs");
  git(repo, "branch", "2.0-docs");
  git(repo, "rm", "-q", "-r", "--cached", ".");
  for (const path of Object.keys(archived)) rmSync(join(repo, path), { force: true });
  for (const [path, text] of Object.entries(files)) write(repo, path, text);
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "current docs");
  write(root, "site.toml", [
    "[site]",
    'title = "Browser Test Portal"',
    'base_url = "https://docs.example.com/"',
    "",
    "[[integrations]]",
    'id = "jira"',
    'repo = "repos/jira"',
    'managed_by = "mattermost"',
    'deployments = ["cloud", "self-managed"]',
    "",
  ].join("\n"));
  return repo;
}

/** Starts `portico serve --port 0`; resolves with its URL and a stop function. */
export function serve(root) {
  const child = spawn(portico, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`portico serve did not start:\n${log}`)), 30000);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const match = log.match(/serving (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ url: match[1], log: () => log, stop: () => child.kill() });
      }
    });
    child.on("exit", (code) => reject(new Error(`portico serve exited (${code}):\n${log}`)));
  });
}

const contentTypes = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png" };

/**
 * A plain static server, as a deploy would be: the files of `site` under `basePath`, and
 * 404.html for misses. Resolves to { server, origin, base } (base = origin + basePath).
 */
export async function serveStatic(site, basePath = "/") {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    const inside = path.startsWith(basePath) ? path.slice(basePath.length) : null;
    try {
      if (inside === null || inside.split("/").includes("..")) throw new Error("outside the site");
      const file = join(site, inside === "" || inside.endsWith("/") ? inside + "index.html" : inside);
      const body = readFileSync(file);
      response.writeHead(200, { "content-type": contentTypes[extname(file)] || "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404, { "content-type": "text/html" });
      response.end(readFileSync(join(site, "404.html")));
    }
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { server, origin, base: origin + basePath };
}
