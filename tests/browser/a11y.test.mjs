// Accessibility of real docs: axe-core (the release pinned in package.json) on pages of the
// real-docs corpus (tests/corpus) with code in Go, shell, JSON, YAML and more, in light and
// dark (the system's preference and the theme toggle), with no serious or critical violation;
// the theme's landmark ids stay unique when a page has a heading "Sidebar".
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { buildCorpusPortal, corpusDir } from "./corpus.mjs";
import { launchBrowser, openPage, seriousViolations, serveStatic, tempDir, write } from "./support.mjs";

/**
 * A page for the languages the corpus's fences lack (it has shell and plain text only): the
 * corpus's own Jira 3.0 manifest, as JSON and in the YAML form Mattermost also reads, a Go
 * plugin's activation hook, a diff and the corpus's shell commands; headings named like the
 * theme's landmarks.
 */
function codeSamplesPage() {
  const manifest = readFileSync(join(corpusDir, "jira", "3.0", "plugin.json"), "utf8");
  const parsed = JSON.parse(manifest);
  const yaml = [
    `id: ${parsed.id}`,
    `name: ${parsed.name}`,
    `description: ${JSON.stringify(parsed.description)}`,
    `version: "${parsed.version}"`,
    `min_server_version: "${parsed.min_server_version}"`,
    "server:",
    "  executables:",
    ...Object.entries(parsed.server.executables).map(([os, path]) => `    ${os}: ${path}`),
    "settings_schema:",
    "  settings:",
    ...parsed.settings_schema.settings.slice(0, 3).flatMap((s) => [
      `    - key: ${s.key}  # ${s.type}`,
      `      display_name: ${JSON.stringify(s.display_name)}`,
      `      default: ${s.default ?? "null"}`,
    ]),
  ].join("\n");
  const shell = readFileSync(join(corpusDir, "jira", "current", "readme.md"), "utf8")
    .match(/```bash\n(\.\/bin\/mmctl[\s\S]*?)```/)[1];
  return `# Plugin developer notes

The manifest and server code of a Mattermost plugin.

## Sidebar

The manifest, \`plugin.json\`:

\`\`\`json
${manifest.trim()}
\`\`\`

## Content

The same manifest as \`plugin.yaml\`:

\`\`\`yaml
${yaml}
\`\`\`

## Search results

The server side of a plugin, in Go:

\`\`\`go
// Package main is the plugin's server.
package main

import (
	"fmt"
	"sync"

	"github.com/mattermost/mattermost/server/public/plugin"
)

// Plugin implements the interface Mattermost expects.
type Plugin struct {
	plugin.MattermostPlugin
	configurationLock sync.RWMutex
	retries           int
}

// OnActivate checks the configuration before the plugin starts.
func (p *Plugin) OnActivate() error {
	if p.retries > 3 {
		return fmt.Errorf("gave up after %d tries: %w", p.retries, errNotReady)
	}
	var answer = 42 + 0x2A
	_ = answer
	return nil
}

func main() {
	plugin.ClientMain(&Plugin{})
}
\`\`\`

## Configure the server

\`\`\`bash
${shell.trim()}
\`\`\`

\`\`\`sh
# Build and deploy, reading the version from the manifest.
export VERSION=$(jq -r .version plugin.json)
for os in linux darwin; do
  GOOS=$os go build -o "dist/plugin-$os" ./server || exit 1
done
\`\`\`

## What changed

\`\`\`diff
--- a/plugin.json
+++ b/plugin.json
@@ -9,3 +9,3 @@
-  "min_server_version": "5.20.0",
+  "min_server_version": "5.26.0",
   "server": {
\`\`\`
`;
}

let portal, site, server, base, browser;

before(async () => {
  portal = tempDir("portico-a11y-");
  const samples = join(portal.dir, "repos", "code-samples");
  mkdirSync(samples, { recursive: true });
  write(samples, "README.md", codeSamplesPage());
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: samples });
  execFileSync("git", ["add", "-A"], { cwd: samples });
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "notes"], { cwd: samples });
  site = buildCorpusPortal(portal.dir, [[
    "[[integrations]]",
    'id = "code-samples"',
    'name = "Code Samples"',
    'repo = "repos/code-samples"',
    'managed_by = "mattermost"',
    'deployments = ["self-managed"]',
    "",
  ].join("\n")]);
  ({ server, base } = await serveStatic(site));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  portal?.cleanup();
});

/** Real pages: code in Go, JSON, YAML, shell (bash and sh), diff and plain text; archives too. */
const pages = [
  "integrations/code-samples/latest/index.html",
  "integrations/jira/latest/index.html",
  "integrations/jira/3.0.1/administrator-guide/notification-management.html",
  "integrations/jira/3.0.1/setup/configuration.html",
  "integrations/jira/2.3/administrator-guide/frequently-asked-questions-faq.html",
  "integrations/com.github.matterpoll.matterpoll/latest/CONTRIBUTING.html",
  "integrations/com.github.manland.mattermost-plugin-gitlab/1.7/setup/configuration.html",
  "integrations/com.mattermost.gcal/latest/docs/setup.html",
  "integrations/com.github.mattermost.plugin-circleci/latest/docs/admin-guide.html",
  "integrations/index.html",
  "integrations/jira/versions.html",
];

/** The ways a reader gets each theme: the system's preference, or the theme toggle over it. */
const schemes = [
  { name: "light", colorScheme: "light" },
  { name: "dark", colorScheme: "dark" },
  { name: "dark by the toggle", colorScheme: "light", toggle: true },
  { name: "light by the toggle", colorScheme: "dark", toggle: true },
];

/** `path` in `scheme`, with the CSP bypassed for axe (injected as an inline script). */
async function openIn(path, scheme) {
  const opened = await openPage(browser, base + path, { colorScheme: scheme.colorScheme, bypassCSP: true });
  if (scheme.toggle) {
    const before = await opened.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await opened.page.click(".theme-toggle");
    await opened.page.waitForFunction((was) => getComputedStyle(document.body).backgroundColor !== was, before);
  }
  return opened;
}

test("the pages have code in Go, shell, JSON and YAML, highlighted", async () => {
  const languages = new Set();
  for (const path of pages) {
    const html = readFileSync(join(site, path), "utf8");
    for (const [, language] of html.matchAll(/<code class="language-([a-z]+)">(?=<span class="hl-)/g)) languages.add(language);
  }
  for (const language of ["go", "json", "yaml", "bash", "sh", "diff"]) {
    assert.ok(languages.has(language), `no highlighted ${language} block: ${[...languages]}`);
  }
});

test("no serious or critical accessibility violation on real pages, in light and dark (axe-core)", async () => {
  const failures = [];
  for (const path of pages) {
    for (const scheme of schemes) {
      const { page, context } = await openIn(path, scheme);
      const violations = await seriousViolations(page);
      if (violations.length) failures.push(`${path} (${scheme.name}):\n  ${violations.join("\n  ")}`);
      await context.close();
    }
  }
  assert.deepEqual(failures, []);
});

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

test("axe measured the contrast of every highlighted token, and found it sufficient", async () => {
  for (const scheme of schemes) {
    const { page, context } = await openIn(pages[0], scheme);
    await page.addScriptTag({ path: axeSource });
    const results = await page.evaluate(() => window.axe.run(
      { include: [["pre.code"]] },
      { runOnly: ["color-contrast"], resultTypes: ["passes", "incomplete", "violations"] },
    ));
    const checked = (kind) => results[kind].flatMap((rule) => rule.nodes).map((node) => node.target.join(" "));
    assert.deepEqual(checked("violations"), [], scheme.name);
    assert.deepEqual(checked("incomplete"), [], `${scheme.name}: axe could not tell these tokens' contrast`);
    const tokens = await page.locator("pre.code span[class^='hl-']").count();
    assert.ok(checked("passes").length >= 50, `${scheme.name}: ${checked("passes").length} of ${tokens} tokens measured`);
    await context.close();
  }
});

test("a heading named like a landmark keeps the landmark's id unique, and the TOC leads to it", async () => {
  const { page, context } = await openPage(browser, base + pages[0]);
  const ids = await page.evaluate(() => Array.from(document.querySelectorAll("[id]"), (el) => el.id));
  const repeated = ids.filter((id, at) => ids.indexOf(id) !== at);
  assert.deepEqual(repeated, []);
  assert.equal(await page.evaluate(() => document.getElementById("sidebar").tagName), "NAV");
  assert.equal(await page.evaluate(() => document.getElementById("content").tagName), "MAIN");
  const toc = await page.locator(".toc a").evaluateAll((links) => links.map((a) => [a.getAttribute("href"), a.textContent]));
  assert.deepEqual(toc.slice(0, 3), [["#sidebar-1", "Sidebar"], ["#content-1", "Content"], ["#search-results-1", "Search results"]]);
  for (const [href, title] of toc) {
    const heading = await page.evaluate((id) => document.getElementById(id)?.firstChild?.textContent, href.slice(1));
    assert.equal(heading, title, href);
  }
  // The skip link still reaches the page's main content, and the heading's own anchor works.
  assert.equal(await page.getAttribute(".skip-link", "href"), "#content");
  await page.click(".toc a[href='#sidebar-1']");
  assert.match(page.url(), /#sidebar-1$/);
  await context.close();
});
