// Bytes and milliseconds per search query, in headless Chromium over HTTP (issue 10, points 3
// and 6): Portico's own search UI and pagefind's JS API, on the same built site, word by word.
//
//   node bench/search-query.mjs --site DIR [--engines portico,pagefind] [--words "webhook,token"]
//        [--page integrations/<id>/<archived version>/index.html] [--no-gzip] [--json FILE]
//
// Serves DIR itself (a small static server, gzip for text types as static hosts do; --no-gzip
// serves files as they are), and for each engine, word and scope opens a NEW browser context
// (empty cache), loads the page, and measures:
//   - portico: focuses the header's search box (role=combobox), which loads the search code,
//     waits until the network is idle ("warm": the reader focused, then types), then types the
//     word (Playwright's keyboard, no delay between keys); ms = first keystroke -> first result
//     option in the listbox (or, for a word with no hit, the status line saying so), stamped
//     inside the page, and in brackets the same from the last keystroke. It includes the UI's
//     typing pause (search.js waits for a pause in typing before it searches). "cold" types
//     right after the focus, so the code loads while the reader types.
//   - pagefind: as its default UI does, `import("/pagefind/pagefind.js")` + `init()` ("warm":
//     before the clock), then `search(word, {filters})` and `data()` of the first 8 results;
//     ms = search call -> the 8 results' data, stamped inside the page (no typing pause: pagefind's
//     own UI adds its debounce on top). "cold" includes the import and init. Pagefind runs WebAssembly (in a worker): the script first checks that it
//     works under the page's own Content-Security-Policy and says so; if it does not, it
//     measures pagefind with the page's CSP bypassed.
// Scopes: "version" = an archived page, results limited to its integration and version;
// "all" = the home page, every integration's current version (pagefind: filter current=yes,
// written by bench/pagefind-eval).
// Bytes: every response the server sent from the first focus (portico) / the import (pagefind)
// until the network is idle after the results, split into "index" (index chunks, metadata,
// fragments) and "code" (scripts, style, WebAssembly); "wire" = body bytes as sent (gzip where
// the server compressed), "raw" = the files' bytes. Pagefind's files other than its scripts are
// compressed by pagefind itself (wire = raw).
// playwright-core comes from tests/browser/node_modules (`cd tests/browser && npm ci`).
import { createServer } from "node:http";
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(
  pathToFileURL(join(here, "..", "tests", "browser", "node_modules", "playwright-core", "index.mjs")).href
);

const DEFAULT_WORDS = ["webhook", "configure", "install", "token", "slash command", "MaxFileSize"];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
};
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt", ".xml"]);

function parseArgs(argv) {
  const args = { engines: ["portico", "pagefind"], words: DEFAULT_WORDS, gzip: true, modes: ["warm", "cold"] };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i];
    switch (argv[i]) {
      case "--site": args.site = resolve(value()); break;
      case "--engines": args.engines = value().split(",").filter(Boolean); break;
      case "--words": args.words = value().split(",").map((w) => w.trim()).filter(Boolean); break;
      case "--page": args.page = value(); break;
      case "--modes": args.modes = value().split(",").filter(Boolean); break;
      case "--no-gzip": args.gzip = false; break;
      case "--json": args.json = value(); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!args.site) throw new Error("--site DIR is required");
  return args;
}

/** Every response the server sent: path, body bytes as sent (`wire`) and the file's bytes (`raw`). */
const served = [];

/** A static server for `root` on 127.0.0.1 (gzip for text types when asked and accepted). */
function serveStatic(root, gzip) {
  const compressed = new Map();
  const server = createServer((request, response) => {
    let path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
      return;
    }
    const extension = extname(file);
    const headers = { "content-type": TYPES[extension] || "application/octet-stream", "cache-control": "no-cache" };
    if (gzip && COMPRESSIBLE.has(extension) && /\bgzip\b/.test(request.headers["accept-encoding"] || "")) {
      let body = compressed.get(file);
      if (!body) compressed.set(file, (body = gzipSync(readFileSync(file), { level: 6 })));
      response.writeHead(200, { ...headers, "content-encoding": "gzip", "content-length": body.length });
      response.end(body);
      served.push({ path, wire: body.length, raw: statSync(file).size });
      return;
    }
    const size = statSync(file).size;
    response.writeHead(200, { ...headers, "content-length": size });
    createReadStream(file).pipe(response);
    served.push({ path, wire: size, raw: size });
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

/**
 * The page's requests: `idle()` resolves when none has been in flight for a while; `record()`
 * starts counting and `recorded()` returns the responses the server sent since (the server's
 * count: it sees a worker's requests too, and the bytes it sent are the bytes transferred).
 */
function networkLog(page) {
  const log = { finished: 0, inflight: 0, waiters: [], from: served.length };
  log.record = () => { log.from = served.length; };
  log.recorded = () => served.slice(log.from);
  const settle = () => {
    if (log.inflight === 0) for (const waiter of log.waiters.splice(0)) waiter();
  };
  page.on("request", () => { log.inflight++; });
  const finished = () => {
    log.inflight--;
    log.finished++;
    settle();
  };
  page.on("requestfailed", finished);
  page.on("requestfinished", finished);
  log.idle = async (quietMs = 150) => {
    // Idle = nothing in flight for quietMs (a script may start its next fetch on a response).
    for (;;) {
      if (log.inflight > 0) await new Promise((done) => log.waiters.push(done));
      const before = log.finished + served.length;
      await new Promise((done) => setTimeout(done, quietMs));
      if (log.inflight === 0 && log.finished + served.length === before) return;
    }
  };
  return log;
}

function classify(engine, path) {
  if (engine === "portico") {
    if (path.includes("/_portico/search/")) return "index";
    if (/\/_portico\/search[^/]*\.(js|css)$/.test(path)) return "code";
    return "other";
  }
  if (!path.includes("/pagefind/")) return "other";
  return /\.(js|pagefind)$/.test(path) ? "code" : "index";
}

function totals(engine, entries) {
  const sum = { index: { wire: 0, raw: 0, files: 0 }, code: { wire: 0, raw: 0, files: 0 }, other: { wire: 0, raw: 0, files: 0 } };
  for (const entry of entries) {
    const bucket = sum[classify(engine, entry.path)];
    bucket.wire += entry.wire;
    bucket.raw += entry.raw;
    bucket.files += 1;
  }
  return sum;
}

async function measurePortico(browser, base, pagePath, word, mode) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const log = networkLog(page);
  await page.goto(base + pagePath, { waitUntil: "load" });
  await log.idle();
  const box = page.locator("input[role=combobox]");
  await box.waitFor({ state: "visible", timeout: 5000 });
  // Stamps inside the page: the first and last keystrokes, the first result option, and the
  // first status line saying no page matches (kept only if no option ever appears).
  await page.evaluate(() => {
    const stamps = (window.__searchBench = { firstKey: null, lastKey: null, option: null, none: null });
    const input = document.querySelector("input[role=combobox]");
    input.addEventListener("keydown", () => {
      const now = performance.now();
      if (stamps.firstKey === null) stamps.firstKey = now;
      stamps.lastKey = now;
    }, { capture: true });
    const check = () => {
      if (stamps.firstKey === null) return;
      if (stamps.option === null && document.querySelector("[role=listbox] [role=option]")) stamps.option = performance.now();
      const status = document.getElementById("search-status");
      if (stamps.none === null && status && /^(No results|Not in)/.test(status.textContent.trim())) stamps.none = performance.now();
    };
    new MutationObserver(check).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
  });
  log.record();
  await box.focus();
  if (mode === "warm") await log.idle();
  const codeBeforeKey = totals("portico", log.recorded()).code;
  await page.keyboard.type(word);
  await page.waitForFunction(() => window.__searchBench.option !== null || window.__searchBench.none !== null, null, { timeout: 15000 });
  await log.idle();
  const stamps = await page.evaluate(() => window.__searchBench);
  const done = stamps.option ?? stamps.none;
  const options = await page.locator("[role=listbox] [role=option]").count();
  const status = await page.locator("#search-status").textContent().catch(() => "");
  const files = log.recorded();
  await context.close();
  const sum = totals("portico", files);
  return {
    ms: Math.round(done - stamps.firstKey),
    msAfterLastKey: Math.round(done - stamps.lastKey),
    outcome: stamps.option !== null ? "result" : "none",
    shown: options,
    status: (status || "").trim(),
    index: sum.index,
    code: sum.code,
    codeBeforeKey,
    errors,
    files,
  };
}

async function pagefindBlockedByCsp(browser, base, pagePath) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + pagePath, { waitUntil: "load" });
  const outcome = await page.evaluate(async () => {
    try {
      const pagefind = await import("/pagefind/pagefind.js");
      await pagefind.init();
      const search = await pagefind.search("webhook");
      return search && search.results ? "" : "no results object";
    } catch (error) {
      return String(error && error.message ? error.message : error);
    }
  });
  await context.close();
  return outcome;
}

async function measurePagefind(browser, base, pagePath, word, mode, filters, bypassCSP) {
  const context = await browser.newContext({ bypassCSP });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const log = networkLog(page);
  await page.goto(base + pagePath, { waitUntil: "load" });
  await log.idle();
  log.record();
  if (mode === "warm") {
    await page.evaluate(async () => {
      window.__pagefind = await import("/pagefind/pagefind.js");
      await window.__pagefind.init();
    });
    await log.idle();
  }
  const codeBeforeKey = totals("pagefind", log.recorded()).code;
  const result = await page.evaluate(async ({ word, filters }) => {
    const started = performance.now();
    const pagefind = window.__pagefind || (await import("/pagefind/pagefind.js"));
    const search = await pagefind.search(word, { filters });
    const data = await Promise.all(search.results.slice(0, 8).map((r) => r.data()));
    return { ms: performance.now() - started, count: search.results.length, shown: data.length, first: data[0]?.url || "" };
  }, { word, filters });
  await log.idle();
  const files = log.recorded();
  await context.close();
  const sum = totals("pagefind", files);
  return {
    ms: Math.round(result.ms),
    msAfterLastKey: Math.round(result.ms),
    outcome: result.shown ? "result" : "none",
    shown: result.shown,
    status: `${result.count} results; first ${result.first}`,
    index: sum.index,
    code: sum.code,
    codeBeforeKey,
    errors,
    files,
  };
}

/** An archived page and its scope: the first integration's oldest version, its index page. */
function archivedPage(site, requested) {
  const catalog = JSON.parse(readFileSync(join(site, "integrations.json"), "utf8"));
  if (requested) {
    const [, integration, version] = requested.split("/");
    return { path: requested, integration, version };
  }
  const first = catalog.integrations[0];
  const archived = first.versions.filter((v) => !v.current);
  const version = archived[archived.length - 1].label;
  return { path: `integrations/${first.id}/${version}/index.html`, integration: first.id, version };
}

const kb = (bytes) => (bytes / 1024).toFixed(1);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const server = await serveStatic(args.site, args.gzip);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const archived = archivedPage(args.site, args.page);
  const scopes = [
    { scope: "version", page: archived.path, label: `${archived.integration} ${archived.version}`,
      filters: { integration: archived.integration, version: archived.version } },
    { scope: "all", page: "index.html", label: "all integrations (current)", filters: { current: "yes" } },
  ];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const rows = [];
  const notes = [];
  try {
    for (const engine of args.engines) {
      let bypassCSP = false;
      if (engine === "pagefind") {
        if (!existsSync(join(args.site, "pagefind", "pagefind.js"))) {
          notes.push("pagefind: no bundle in the site (run bench/pagefind-eval); skipped");
          continue;
        }
        const blocked = await pagefindBlockedByCsp(browser, base, archived.path);
        bypassCSP = Boolean(blocked);
        notes.push(blocked
          ? `pagefind under Portico's Content-Security-Policy: fails (${blocked.slice(0, 160)}); measured with the CSP bypassed`
          : "pagefind under Portico's Content-Security-Policy: works");
      }
      for (const mode of args.modes) {
        for (const { scope, page, label, filters } of scopes) {
          for (const word of args.words) {
            const row = engine === "portico"
              ? await measurePortico(browser, base, page, word, mode)
              : await measurePagefind(browser, base, page, word, mode, filters, bypassCSP);
            rows.push({ engine, mode, scope, scopeLabel: label, word, ...row });
            process.stderr.write(`${engine} ${mode} ${scope} ${JSON.stringify(word)}: ${row.ms} ms, index ${kb(row.index.wire)} KB wire / ${kb(row.index.raw)} KB raw, ${row.shown} shown (${row.status})${row.errors.length ? `, ERRORS ${row.errors.join("; ")}` : ""}\n`);
          }
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }

  const lines = [];
  lines.push(`| engine | mode | scope | query | results shown | ms to first results (after the last key) | index KB (wire / raw), files | search code KB (wire / raw) |`);
  lines.push(`|---|---|---|---|---:|---:|---:|---:|`);
  for (const r of rows) {
    lines.push(`| ${r.engine} | ${r.mode} | ${r.scope} | ${r.word} | ${r.shown}${r.outcome === "none" ? " (none)" : ""} | ${r.ms} (${r.msAfterLastKey}) | ${kb(r.index.wire)} / ${kb(r.index.raw)}, ${r.index.files} | ${kb(r.code.wire)} / ${kb(r.code.raw)} |`);
  }
  console.log(`# search queries on ${args.site} (${args.gzip ? "gzip for text types" : "no compression"}); version scope = ${scopes[0].label}`);
  for (const note of notes) console.log(`# ${note}`);
  console.log(lines.join("\n"));
  for (const engine of args.engines) {
    for (const mode of args.modes) {
      const mine = rows.filter((r) => r.engine === engine && r.mode === mode);
      if (!mine.length) continue;
      const worstKb = Math.max(...mine.map((r) => r.index.wire));
      const worstMs = Math.max(...mine.map((r) => r.ms));
      const sorted = mine.map((r) => r.ms).sort((a, b) => a - b);
      console.log(`# ${engine} ${mode}: max index ${kb(worstKb)} KB wire, ms median ${sorted[Math.floor(sorted.length / 2)]} max ${worstMs}`);
    }
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ site: args.site, gzip: args.gzip, notes, rows }, null, 2));
}

await main();
