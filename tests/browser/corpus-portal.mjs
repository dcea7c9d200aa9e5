// A portal of the real plugin docs in tests/corpus (see its SOURCES.md), shaped as
// tests/portico/corpus.rs shapes it: one git repository per plugin, each snapshot a commit
// on its real ref (the default branch, a `jira-docs-*` archive branch or a release tag).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { write } from "./support.mjs";

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), "..", "corpus");

function git(cwd, args, env = {}) {
  return execFileSync("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x",
      ...env,
    },
  }).toString().trim();
}

/** A commit holding exactly the files of `dir` (parents `parents`), without a checkout. */
function commitFolder(repo, dir, message, date, parents = []) {
  const index = join(repo, ".git", "corpus-index");
  rmSync(index, { force: true });
  const env = { GIT_INDEX_FILE: index, GIT_AUTHOR_DATE: `${date}T12:00:00Z`, GIT_COMMITTER_DATE: `${date}T12:00:00Z` };
  git(repo, ["--work-tree", dir, "add", "-A", "."], env);
  const tree = git(repo, ["write-tree"], env);
  rmSync(index, { force: true });
  return git(repo, ["commit-tree", tree, "-m", message, ...parents.flatMap((p) => ["-p", p])], env);
}

/** The release tag `git describe` names (`v4.7.0-2-gde745001` → `v4.7.0`), if it is one. */
function describedTag(describe) {
  const match = /^(v\d+(?:\.\d+)*)(?:-\d+-g[0-9a-f]+)?$/.exec(describe || "");
  return match ? match[1] : null;
}

/**
 * Writes under `root` a portal (site.toml titled `title`, repositories under repos/) of the
 * corpus plugins `plugins` (all when omitted). Build it with `portico build --root root`.
 */
export function makeCorpusPortal(root, { title = "Mattermost Integrations", plugins } = {}) {
  const snapshots = JSON.parse(readFileSync(join(corpus, "sources.json"), "utf8"));
  const index = readFileSync(join(corpus, "integrations.toml"), "utf8");
  const ids = plugins || [...new Set(snapshots.map((s) => s.plugin_id))];
  const site = ["[site]", `title = ${JSON.stringify(title)}`, 'base_url = "https://docs.example.com/"', ""];
  for (const id of ids) {
    const versions = snapshots.filter((s) => s.plugin_id === id).sort((a, b) => a.commit_date.localeCompare(b.commit_date));
    const current = versions.find((s) => s.version === "current");
    const repo = join(root, "repos", id);
    mkdirSync(repo, { recursive: true });
    git(repo, ["init", "-q", "-b", current.ref]);
    let tags = false;
    let archives = false;
    for (const snapshot of versions) {
      const dir = join(corpus, id, snapshot.version);
      if (snapshot.version === "current") {
        // The release the tip descends from, then the tip (the current version's label).
        const tag = describedTag(snapshot.git_describe);
        const parents = [];
        if (tag && !versions.some((s) => s.ref === tag)) {
          parents.push(commitFolder(repo, dir, `release ${tag}`, snapshot.commit_date));
          git(repo, ["tag", tag, parents[0]]);
        }
        git(repo, ["update-ref", `refs/heads/${snapshot.ref}`, commitFolder(repo, dir, "current docs", snapshot.commit_date, parents)]);
      } else if (snapshot.ref.includes("-docs")) {
        archives = true;
        git(repo, ["update-ref", `refs/heads/${snapshot.ref}`, commitFolder(repo, dir, `${snapshot.ref} docs`, snapshot.commit_date)]);
      } else {
        tags = true;
        git(repo, ["tag", snapshot.ref, commitFolder(repo, dir, `release ${snapshot.ref}`, snapshot.commit_date)]);
      }
    }
    const entry = index.split("[[integration]]").find((block) => block.includes(`id = "${id}"`)) || "";
    const field = (name) => (new RegExp(`^${name} = (.*)$`, "m").exec(entry) || [])[1];
    site.push(
      "[[integrations]]",
      `id = "${id}"`,
      ...(field("name") ? [`name = ${field("name")}`] : []),
      `repo = "repos/${id}"`,
      `managed_by = ${field("managed") || '"community"'}`,
      `deployments = ${field("cloud") === "true" ? '["cloud", "self-managed"]' : '["self-managed"]'}`,
      ...(field("repo") ? [`web_url = ${field("repo")}`] : []),
      ...(archives ? ['version_branches = ["jira-docs-{version}"]'] : []),
      ...(tags ? ['version_tags = ["v{version}"]'] : []),
      "",
    );
  }
  write(root, "site.toml", site.join("\n"));
}
