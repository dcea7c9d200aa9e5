// The real integration docs of tests/corpus (sources and licences in tests/corpus/SOURCES.md) as
// git repositories shaped like the real ones, and a portal of them, for browser tests. The same
// shapes as tests/portico/corpus.rs: the default branch at the tip, Jira's archives on
// `jira-docs-<version>` branches, the other archives on `v<version>` release tags.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { portico } from "./support.mjs";

/** tests/corpus, or $PORTICO_CORPUS (to try a newer corpus). */
export const corpusDir = process.env.PORTICO_CORPUS
  || resolve(dirname(fileURLToPath(import.meta.url)), "..", "corpus");

function git(cwd, ...args) {
  return execFileSync("git", args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" },
  }).toString();
}

/** The working tree of `repo` replaced by the files of `source`, committed on the checked-out branch. */
function commitSnapshot(repo, source, message, date) {
  for (const entry of readdirSync(repo)) if (entry !== ".git") rmSync(join(repo, entry), { recursive: true, force: true });
  cpSync(source, repo, { recursive: true });
  git(repo, "add", "-A");
  execFileSync("git", ["commit", "-q", "--allow-empty", "-m", message], {
    cwd: repo,
    env: {
      ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x",
      GIT_AUTHOR_DATE: `${date}T12:00:00Z`, GIT_COMMITTER_DATE: `${date}T12:00:00Z`,
    },
  });
}

/** The release tag `git describe` names (`v4.7.0-2-gde745001` → `v4.7.0`), if it is one. */
function describedTag(describe) {
  const match = describe.match(/^(v\d+(?:\.\d+)*)(?:-\d+-g[0-9a-f]+)?$/);
  return match ? match[1] : null;
}

/** The `[[integrations]]` entries of site.toml for the corpus repositories under `root/repos`. */
function buildRepositories(root) {
  const snapshots = JSON.parse(readFileSync(join(corpusDir, "sources.json"), "utf8"));
  const index = readFileSync(join(corpusDir, "integrations.toml"), "utf8");
  const byPlugin = new Map();
  for (const snapshot of snapshots) byPlugin.set(snapshot.plugin_id, [...(byPlugin.get(snapshot.plugin_id) || []), snapshot]);
  const entries = [];
  for (const [plugin, versions] of byPlugin) {
    versions.sort((a, b) => a.commit_date.localeCompare(b.commit_date));
    const current = versions.find((s) => s.version === "current");
    const released = versions.map((s) => s.ref);
    const repo = join(root, "repos", plugin);
    mkdirSync(repo, { recursive: true });
    git(repo, "init", "-q", "-b", current.ref);
    let usesTags = false;
    let usesDocsBranches = false;
    for (const snapshot of versions) {
      const files = join(corpusDir, plugin, snapshot.version);
      if (snapshot.version === "current") {
        const tag = describedTag(snapshot.git_describe);
        if (tag && !released.includes(tag)) {
          commitSnapshot(repo, files, `release ${tag}`, snapshot.commit_date);
          git(repo, "tag", tag);
        }
        commitSnapshot(repo, files, `docs for ${snapshot.ref}`, snapshot.commit_date);
      } else if (snapshot.ref.includes("-docs")) {
        usesDocsBranches = true;
        commitSnapshot(repo, files, `docs for ${snapshot.ref}`, snapshot.commit_date);
        git(repo, "branch", snapshot.ref);
      } else {
        usesTags = true;
        commitSnapshot(repo, files, `release ${snapshot.ref}`, snapshot.commit_date);
        git(repo, "tag", snapshot.ref);
      }
    }
    const field = (key) => index.match(new RegExp(`id = "${plugin.replace(/\./g, "\\.")}"[^\\[]*?\\n${key} = (.*)`))?.[1];
    entries.push([
      "[[integrations]]",
      `id = "${plugin}"`,
      `name = ${field("name")}`,
      `repo = "repos/${plugin}"`,
      `managed_by = ${field("managed")}`,
      `deployments = ${field("cloud") === "true" ? '["cloud", "self-managed"]' : '["self-managed"]'}`,
      `description = ${field("description")}`,
      `web_url = ${field("repo")}`,
      ...(usesDocsBranches ? ['version_branches = ["jira-docs-{version}"]'] : []),
      ...(usesTags ? ['version_tags = ["v{version}"]'] : []),
      "",
    ].join("\n"));
  }
  return entries;
}

/**
 * A portal of every corpus integration under `root` (plus the `extra` site.toml entries, for
 * repositories the caller made under `root/repos`), titled `title`, built with `portico build`.
 * Returns the folder of the built site.
 */
export function buildCorpusPortal(root, extra = [], { title = "Corpus Portal" } = {}) {
  const entries = buildRepositories(root);
  writeFileSync(join(root, "site.toml"), [
    "[site]",
    `title = ${JSON.stringify(title)}`,
    'base_url = "https://docs.example.com/"',
    "",
    ...entries,
    ...extra,
  ].join("\n"));
  execFileSync(portico, ["build", "--root", root], { stdio: ["ignore", "ignore", "pipe"] });
  return join(root, "public");
}
