#!/usr/bin/env python3
"""Deterministic synthetic plugin-documentation portal generator.

Usage:
    python3 bench/gen-portal.py --plugins P --versions V --pages N --out DIR [--seed S]

Creates, under DIR:
  repos/<plugin-id>/   real git repositories (git CLI).  Branch `master` holds the
                       current docs; branches `<major>.<minor>-docs` hold the V-1
                       older versions.  Each version has exactly N markdown pages
                       under docs/ (README.md files included, SUMMARY.md excluded),
                       so the portal has P*V*N pages in total.
  site.toml            the plugin list (id, path relative to site.toml, managed, cloud).
  flat/hugo/           a minimal Hugo site with the same page bodies.
  flat/zola/           a minimal Zola site with the same page bodies.
  flat/mdbook/<id>-<version>/   one mdBook per plugin-version (mdBook has no versions).
  flat/manifest.json   counts (pages, plugins, versions) used by peers.sh.

Origin: the team's shared bench generator (shared/bench/gen-portal.py), brought into the
project unchanged in options and output layout so that the benchmarks under bench/ run
without ../shared (issue 11); bench/commit-page.sh adds a one-page commit to a portal it made.

Only the Python 3.11 standard library and the `git` executable are needed.  The
same --seed gives byte-identical files and identical commit ids (fixed author,
committer, dates; global/system git config ignored).

Notes on the flat copies (the markdown *body* is identical for every tool):
  * docs/**/README.md becomes the `_index.md` of its folder for Hugo and Zola
    (a section page); mdBook keeps README.md (it renders it as index.html).
  * GitBook tags such as `{% hint style="info" %}` are not valid Zola shortcode
    calls (no parentheses), and Zola 0.21/0.22 pass them through as text, so the
    Zola copy needs no escaping.  Bodies never contain `{{`.
  * Relative `.md` links are kept as written (mdBook rewrites them, Hugo and Zola
    leave them as is).  Only the flat copies get front matter.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

# --------------------------------------------------------------------------
# vocabulary
# --------------------------------------------------------------------------

PLUGIN_SLUGS = [
    "jira", "github", "gitlab", "zoom", "calls", "playbooks", "boards", "todo",
    "welcomebot", "autolink", "antivirus", "confluence", "servicenow", "msteams",
    "giphy", "webex", "agenda", "memes", "standup", "remind", "polls",
    "channel-export", "custom-attributes", "nps", "legal-hold", "ai-copilot",
    "opsgenie", "pagerduty", "jenkins", "circleci", "sentry", "splunk", "datadog",
    "grafana", "salesforce", "zendesk", "google-calendar", "bitbucket",
    "azure-devops", "mscalendar", "broadcast", "translate", "spoiler", "rss-feed",
    "digest", "incident-bot", "workflow", "approvals", "announcements", "forms",
]
NAME_OVERRIDES = {"github": "GitHub", "gitlab": "GitLab", "msteams": "MS Teams", "todo": "Todo",
                  "ai-copilot": "AI Copilot", "pagerduty": "PagerDuty", "circleci": "CircleCI",
                  "opsgenie": "Opsgenie", "servicenow": "ServiceNow", "mscalendar": "MS Calendar",
                  "welcomebot": "Welcomebot", "rss-feed": "RSS Feed", "azure-devops": "Azure DevOps"}
COMMUNITY_ORGS = ["acme", "blindside", "devhub", "kobalt", "northwind", "opsworks",
                  "riverlabs", "tinkerco"]

NOUNS = [
    "plugin", "server", "channel", "webhook", "token", "setting", "user", "team",
    "message", "notification", "integration", "permission", "endpoint", "request",
    "response", "cluster", "database", "cache", "session", "account", "workspace",
    "command", "subscription", "event", "payload", "signature", "secret",
    "certificate", "proxy", "deployment", "instance", "upgrade", "migration",
    "option", "feature", "button", "dialog", "sidebar", "attachment", "thread",
    "reply", "mention", "bot", "license", "policy", "role", "scope", "credential",
    "application", "callback", "key", "header", "field", "value", "status", "log",
    "metric", "timeout", "queue", "worker", "job", "schedule", "project", "issue",
    "repository", "branch", "commit", "pipeline", "build", "release", "version",
    "environment", "variable", "filter", "template", "report", "dashboard",
    "connection", "link", "card", "board", "comment", "label", "file", "upload",
    "export", "import", "backup", "region", "tenant", "domain", "URL", "port",
]
ADJS = [
    "new", "existing", "default", "custom", "secure", "private", "public",
    "optional", "required", "active", "archived", "shared", "global", "local",
    "external", "internal", "encrypted", "signed", "pending", "recent", "single",
    "multiple", "dedicated", "temporary", "persistent", "advanced", "basic",
    "read-only", "administrative", "automatic", "manual", "self-hosted", "cloud",
]
VERBS = [  # base, 3rd person, past participle
    ("configure", "configures", "configured"), ("enable", "enables", "enabled"),
    ("disable", "disables", "disabled"), ("install", "installs", "installed"),
    ("upload", "uploads", "uploaded"), ("restart", "restarts", "restarted"),
    ("verify", "verifies", "verified"), ("connect", "connects", "connected"),
    ("create", "creates", "created"), ("update", "updates", "updated"),
    ("delete", "deletes", "deleted"), ("select", "selects", "selected"),
    ("open", "opens", "opened"), ("review", "reviews", "reviewed"),
    ("grant", "grants", "granted"), ("revoke", "revokes", "revoked"),
    ("send", "sends", "sent"), ("store", "stores", "stored"),
    ("sync", "syncs", "synced"), ("register", "registers", "registered"),
    ("rotate", "rotates", "rotated"), ("validate", "validates", "validated"),
    ("export", "exports", "exported"), ("import", "imports", "imported"),
    ("subscribe", "subscribes", "subscribed"), ("notify", "notifies", "notified"),
    ("post", "posts", "posted"), ("archive", "archives", "archived"),
    ("monitor", "monitors", "monitored"), ("migrate", "migrates", "migrated"),
]
ROLES = ["system admin", "team admin", "channel admin", "user", "guest", "developer",
         "operator", "bot"]
PREPS = ["in", "from", "to", "for", "with", "on", "under", "inside"]
CODE_TOKENS = [
    "PluginSettings.Enable", "SiteURL", "MaxFileSize", "EnableUploads",
    "mmctl plugin enable", "mmctl plugin add", "/connect", "/subscribe list",
    "config.json", "plugin.json", "WebhookSecret", "EncryptionKey", "BotUserID",
    "ServiceSettings.ListenAddress", "--force", "X-Request-ID", "OnActivate",
    "MessageHasBeenPosted", "KVSet", "ExecuteCommand", "min_server_version",
    "LogSettings.FileLevel", "HTTP 403", "localhost:8065", "make dist",
]
SECTION_FOLDERS = [
    ("getting-started", "Getting started"), ("setup", "Setup"),
    ("configuration", "Configuration"), ("administration", "Administration"),
    ("user-guide", "User guide"), ("integrations", "Integrations"),
    ("development", "Development"), ("troubleshooting", "Troubleshooting"),
    ("reference", "Reference"), ("security", "Security"),
    ("deployment", "Deployment"), ("migration", "Migration"),
]
SUB_FOLDERS = [("advanced", "Advanced"), ("examples", "Examples"), ("api", "API"),
               ("recipes", "Recipes"), ("internals", "Internals")]
HEADINGS = [
    "Before you begin", "Prerequisites", "Overview", "Configuration options",
    "Permissions", "Example", "Known limitations", "Next steps", "How it works",
    "Troubleshooting", "Frequently asked questions", "Security considerations",
    "Performance", "Upgrading", "Rollback", "Limits", "Environment variables",
]
LANGS = ["go", "json", "bash", "yaml", "typescript"]
HINT_STYLES = ["info", "warning", "danger", "success"]

WORD_RE = re.compile(r"\S+")


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def plural(n: str) -> str:
    if n.endswith(("s", "x", "sh", "ch")):
        return n + "es"
    if n.endswith("y") and n[-2:-1] not in "aeiou":
        return n[:-1] + "ies"
    return n + "s"


# --------------------------------------------------------------------------
# text generation
# --------------------------------------------------------------------------

class TextGen:
    """All randomness goes through self.r (a seeded random.Random)."""

    def __init__(self, r: random.Random, plugin_name: str, plugin_id: str):
        self.r = r
        self.plugin_name = plugin_name
        self.plugin_id = plugin_id

    # -- prose ---------------------------------------------------------------
    def n(self) -> str:
        return self.r.choice(NOUNS)

    def a(self) -> str:
        return self.r.choice(ADJS)

    def v(self) -> tuple[str, str, str]:
        return self.r.choice(VERBS)

    def code(self) -> str:
        return "`" + self.r.choice(CODE_TOKENS) + "`"

    def sentence(self, links: list[str]) -> str:
        r = self.r
        k = r.randrange(12)
        v1, v2 = self.v(), self.v()
        if k == 0:
            s = f"{cap(v1[0])} the {self.n()} {r.choice(PREPS)} the {self.a()} {self.n()} before you {v2[0]} the {self.n()}."
        elif k == 1:
            s = f"The {self.n()} {v1[1]} the {self.a()} {self.n()} when a {self.n()} is {v2[2]}."
        elif k == 2:
            s = f"If the {self.n()} is not {v1[2]}, {v2[0]} the {self.n()} in the {self.n()} {self.n()} settings."
        elif k == 3:
            s = f"By default, the {self.plugin_name} plugin {v1[1]} {self.a()} {plural(self.n())} for every {self.n()}."
        elif k == 4:
            s = f"You can {v1[0]} the {self.n()} with the {self.code()} {self.n()}."
        elif k == 5:
            s = f"This {self.n()} is only available to {plural(r.choice(ROLES))}, and it requires a {self.a()} {self.n()}."
        elif k == 6:
            s = f"When {plural(r.choice(ROLES))} {v1[0]} a {self.n()}, the plugin {v2[1]} a {self.n()} to the {self.a()} {self.n()}."
        elif k == 7:
            s = f"Set {self.code()} to `{r.choice(['true', 'false', '30s', '5', 'debug', 'https://example.com'])}` to {v1[0]} **{self.a()} {plural(self.n())}**."
        elif k == 8:
            s = f"The {self.a()} {self.n()} is {v1[2]} automatically, so you don't need to {v2[0]} it again after an {r.choice(['upgrade', 'outage', 'import', 'export'])}."
        elif k == 9:
            s = f"Note that _{self.a()}_ {plural(self.n())} are {v1[2]} {r.choice(PREPS)} the {self.n()} and cannot be {v2[2]} later."
        elif k == 10 and links:
            s = f"For more information, see {r.choice(links)}."
        elif k == 10:
            s = f"See the [{cap(self.n())} reference](https://docs.example.com/{self.n()}/{self.n()}) for details."
        else:
            s = f"Each {self.n()} {v1[1]} at most {r.randint(2, 500)} {plural(self.n())} per {r.choice(['minute', 'hour', 'request', 'team', 'channel'])}."
        return s

    def paragraph(self, links: list[str], nsent: int | None = None) -> str:
        nsent = nsent or self.r.randint(3, 7)
        return " ".join(self.sentence(links) for _ in range(nsent))

    def bullet_list(self, links: list[str]) -> str:
        r = self.r
        lines = []
        ordered = r.random() < 0.4
        for i in range(r.randint(3, 8)):
            lead = f"{i + 1}." if ordered else "-"
            v = self.v()
            if ordered:
                item = f"{cap(v[0])} the {self.a()} {self.n()} {r.choice(PREPS)} **{cap(self.n())} > {cap(self.n())}**."
            elif links and r.random() < 0.25:
                item = r.choice(links)
            else:
                item = f"**{cap(self.n())}**: {self.sentence([])}"
            lines.append(f"{lead} {item}")
            if r.random() < 0.2:
                ind = " " * (len(lead) + 1)
                for _ in range(r.randint(1, 3)):
                    lines.append(f"{ind}- {self.sentence([])}")
        return "\n".join(lines)

    def table(self) -> str:
        r = self.r
        cols = r.choice([["Setting", "Type", "Default", "Description"],
                         ["Field", "Required", "Description"],
                         ["Command", "Description"],
                         ["Event", "Payload", "Since", "Notes", "Permission"]])
        rows = ["| " + " | ".join(cols) + " |", "|" + "|".join(" --- " for _ in cols) + "|"]
        for _ in range(r.randint(3, 8)):
            cells = []
            for c in cols:
                if c in ("Setting", "Field"):
                    cells.append(f"`{cap(self.n())}{cap(self.n())}`")
                elif c == "Type":
                    cells.append(r.choice(["bool", "string", "int", "duration", "list"]))
                elif c == "Default":
                    cells.append(f"`{r.choice(['true', 'false', '0', '100', 'empty', '24h'])}`")
                elif c == "Required":
                    cells.append(r.choice(["Yes", "No"]))
                elif c == "Command":
                    cells.append(f"`/{self.plugin_name.lower().replace(' ', '-')} {self.v()[0]} {self.n()}`")
                elif c == "Event":
                    cells.append(f"`{self.n()}_{self.v()[2]}`")
                elif c == "Payload":
                    cells.append(f"`{cap(self.n())}Event`")
                elif c == "Since":
                    cells.append(f"v{r.randint(1, 4)}.{r.randint(0, 9)}")
                elif c == "Permission":
                    cells.append(r.choice(ROLES))
                else:
                    cells.append(self.sentence([])[:-1])
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def hint(self, links: list[str]) -> str:
        style = self.r.choice(HINT_STYLES)
        return f'{{% hint style="{style}" %}}\n{self.paragraph(links, self.r.randint(1, 3))}\n{{% endhint %}}'

    def image(self, asset: str) -> str:
        return f"![{cap(self.a())} {self.n()} screenshot](@@ASSET:{asset}@@)"

    # -- code ----------------------------------------------------------------
    def ident(self) -> str:
        return cap(self.n().lower()) + cap(self.n().lower())

    def code_block(self) -> str:
        lang = self.r.choice(LANGS)
        body = getattr(self, "code_" + lang)()
        return f"```{lang}\n{body}\n```"

    def code_go(self) -> str:
        r = self.r
        fn = self.ident()
        lines = [f"func (p *Plugin) handle{fn}(w http.ResponseWriter, r *http.Request) {{",
                 '\tuserID := r.Header.Get("Mattermost-User-ID")',
                 '\tif userID == "" {',
                 '\t\thttp.Error(w, "not authorized", http.StatusUnauthorized)',
                 "\t\treturn", "\t}"]
        for _ in range(r.randint(1, 6)):
            k = r.randrange(5)
            x = self.n().lower()
            if k == 0:
                lines += [f"\t{x}, appErr := p.API.Get{cap(x)}(userID)", "\tif appErr != nil {",
                          f'\t\tp.API.LogError("failed to get {x}", "err", appErr.Error())',
                          "\t\thttp.Error(w, appErr.Error(), appErr.StatusCode)", "\t\treturn", "\t}"]
            elif k == 1:
                lines += [f"\tvar req {fn}Request", "\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {",
                          "\t\thttp.Error(w, err.Error(), http.StatusBadRequest)", "\t\treturn", "\t}"]
            elif k == 2:
                lines += [f'\tkey := fmt.Sprintf("{x}_%s", userID)',
                          f"\tif err := p.client.KV.Set(key, req.{cap(self.n())}); err != nil {{",
                          '\t\tp.API.LogWarn("could not store value", "key", key)', "\t}"]
            elif k == 3:
                lines += [f"\tfor _, item := range req.{cap(plural(x))} {{",
                          f"\t\tif item.{cap(self.n())} > {r.randint(1, 100)} {{", "\t\t\tcontinue", "\t\t}",
                          f"\t\tp.{self.v()[0]}{cap(x)}(item)", "\t}"]
            else:
                lines += [f"\tctx, cancel := context.WithTimeout(r.Context(), {r.randint(1, 30)}*time.Second)",
                          "\tdefer cancel()", f"\t_ = p.{self.v()[0]}(ctx, userID)"]
        lines += ["\tw.Header().Set(\"Content-Type\", \"application/json\")",
                  f'\t_ = json.NewEncoder(w).Encode(map[string]string{{"status": "{self.v()[2]}"}})', "}"]
        return "\n".join(lines)

    def code_json(self) -> str:
        r = self.r

        def obj(depth: int) -> dict:
            d = {}
            for _ in range(r.randint(2, 6)):
                k = self.n().lower() + cap(self.n().lower())
                t = r.randrange(5 if depth < 2 else 4)
                if t == 0:
                    d[k] = r.random() < 0.5
                elif t == 1:
                    d[k] = r.randint(0, 10000)
                elif t == 2:
                    d[k] = f"{self.a()}-{self.n().lower()}"
                elif t == 3:
                    d[k] = [self.n().lower() for _ in range(r.randint(1, 4))]
                else:
                    d[k] = obj(depth + 1)
            return d

        return json.dumps(obj(0), indent=2)

    def code_bash(self) -> str:
        r = self.r
        pid = self.plugin_id
        pool = [
            f"mmctl plugin add {pid}-{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}.tar.gz",
            f"mmctl plugin enable {pid}",
            f"mmctl config set PluginSettings.Plugins.{pid}.{self.ident()} {r.choice(['true', 'false', '10'])}",
            f'export {self.n().upper()}_{self.n().upper()}="{self.a()}-{self.n().lower()}"',
            f'curl -sS -X POST -H "Authorization: Bearer $TOKEN" \\\n  -d \'{{"{self.n().lower()}": "{self.n().lower()}"}}\' \\\n  https://mattermost.example.com/plugins/{pid}/api/v1/{self.n().lower()}',
            "make dist", "make deploy", "go test ./server/...", "npm ci --prefix webapp",
            f"kubectl -n mattermost rollout restart deployment/{self.n().lower()}",
            f"tail -n {r.randint(10, 500)} logs/mattermost.log | grep {pid}",
            f"openssl rand -hex {r.choice([16, 32, 64])}",
        ]
        return "\n".join(r.choice(pool) for _ in range(r.randint(2, 8)))

    def code_yaml(self) -> str:
        r = self.r
        lines = [f"{self.n().lower()}:"]
        for _ in range(r.randint(2, 6)):
            k = self.n().lower()
            t = r.randrange(4)
            if t == 0:
                lines.append(f"  {k}: {r.choice(['true', 'false'])}")
            elif t == 1:
                lines.append(f"  {k}: {r.randint(1, 9000)}")
            elif t == 2:
                lines.append(f"  {k}:")
                for _ in range(r.randint(1, 4)):
                    lines.append(f"    - {self.a()}-{self.n().lower()}")
            else:
                lines.append(f"  {k}:")
                lines.append(f"    {self.n().lower()}: \"{self.a()}\"")
                lines.append(f"    {self.n().lower()}: {r.randint(1, 60)}s")
        return "\n".join(lines)

    def code_typescript(self) -> str:
        r = self.r
        name = self.ident()
        lines = [f"export interface {name} {{"]
        for _ in range(r.randint(2, 6)):
            lines.append(f"    {self.n().lower()}{cap(self.n().lower())}: {r.choice(['string', 'number', 'boolean', 'string[]'])};")
        lines.append("}")
        lines.append("")
        fn = self.v()[0] + name
        lines += [f"export async function {fn}(client: Client4, id: string): Promise<{name} | null> {{",
                  "    try {",
                  f"        const resp = await client.doFetch(`${{client.getPluginRoute('{self.plugin_id}')}}/api/v1/{self.n().lower()}/${{id}}`, {{method: 'get'}});",
                  f"        return resp as {name};",
                  "    } catch (err) {",
                  f"        console.error('{self.v()[0]} failed', err);",
                  "        return null;",
                  "    }",
                  "}"]
        return "\n".join(lines)


# --------------------------------------------------------------------------
# documentation model
# --------------------------------------------------------------------------

class Page:
    __slots__ = ("key", "path", "title", "blocks", "is_index")

    def __init__(self, key: str, path: str, title: str, blocks: list[str], is_index: bool):
        self.key = key            # stable identity across versions
        self.path = path          # relative to docs/, e.g. "setup/install.md"
        self.title = title
        self.blocks = blocks      # markdown blocks with @@LINK:key@@ / @@ASSET:name@@ placeholders
        self.is_index = is_index  # README.md of a folder

    def copy(self) -> "Page":
        return Page(self.key, self.path, self.title, list(self.blocks), self.is_index)


class Folder:
    def __init__(self, path: str, title: str):
        self.path = path          # "" for docs root, "setup", "setup/advanced"
        self.title = title
        self.order: list[str] = []      # page keys (non-index) in SUMMARY order
        self.children: list["Folder"] = []


def count_words(s: str) -> int:
    return len(WORD_RE.findall(s))


class PluginDocs:
    """Docs for one plugin: folder tree + current version's pages, evolved per version."""

    def __init__(self, tg: TextGen, n_pages: int, assets: list[str]):
        self.tg = tg
        self.r = tg.r
        self.assets = assets
        self.pages: dict[str, Page] = {}
        self.key_seq = 0
        self.used_names: dict[str, set[str]] = {}
        self.root = Folder("", tg.plugin_name)
        self.folders: list[Folder] = [self.root]
        self._build_tree(n_pages)

    # -- structure -----------------------------------------------------------
    def _new_key(self) -> str:
        self.key_seq += 1
        return f"p{self.key_seq}"

    def _unique_name(self, folder: str) -> tuple[str, str]:
        used = self.used_names.setdefault(folder, set())
        for _ in range(1000):
            v = self.tg.v()[0]
            n = self.r.choice(NOUNS).lower()
            if self.r.random() < 0.35:
                slug, title = f"{n}-{self.r.choice(HEADINGS).split()[0].lower()}", None
            else:
                slug = f"{v}-{plural(n)}"
                title = f"{cap(v)} {plural(n)}"
            if slug not in used:
                used.add(slug)
                return slug, title or cap(slug.replace("-", " "))
        raise RuntimeError("name space exhausted")

    def _build_tree(self, n: int) -> None:
        r = self.r
        # root README
        self._add_index(self.root)
        remaining = n - 1
        n_sections = 0 if n < 3 else max(1, min(len(SECTION_FOLDERS), round(n / 7)))
        n_sections = min(n_sections, remaining // 2) if remaining >= 2 else 0
        sections = r.sample(SECTION_FOLDERS, n_sections)
        secs: list[Folder] = []
        for slug, title in sections:
            f = Folder(slug, title)
            self.root.children.append(f)
            self.folders.append(f)
            self._add_index(f)
            remaining -= 1
            secs.append(f)
        # sub-folders in about half of the sections, when there are pages to spare
        for f in secs:
            if remaining >= 4 and r.random() < 0.5:
                slug, title = r.choice(SUB_FOLDERS)
                sub = Folder(f"{f.path}/{slug}", title)
                f.children.append(sub)
                self.folders.append(sub)
                self._add_index(sub)
                remaining -= 1
        for _ in range(remaining):
            self._add_page(r.choice(self.folders))

    def _page_path(self, folder: Folder, name: str) -> str:
        return f"{folder.path}/{name}" if folder.path else name

    def _add_index(self, folder: Folder) -> Page:
        key = self._new_key()
        title = folder.title if folder.path else "Introduction"
        p = Page(key, self._page_path(folder, "README.md"), title, [], True)
        self.pages[key] = p
        folder.index_key = key  # type: ignore[attr-defined]
        return p

    def _add_page(self, folder: Folder, pos: int | None = None) -> Page:
        slug, title = self._unique_name(folder.path)
        key = self._new_key()
        p = Page(key, self._page_path(folder, slug + ".md"), title, [], False)
        self.pages[key] = p
        if pos is None:
            folder.order.append(key)
        else:
            folder.order.insert(pos, key)
        return p

    def fill_empty_pages(self) -> None:
        for p in self.pages.values():
            if not p.blocks:
                p.blocks = self.make_body(p)

    # -- content -------------------------------------------------------------
    def _links(self, p: Page) -> list[str]:
        keys = [k for k in self.pages if k != p.key]
        if not keys:
            return []
        picks = self.r.sample(keys, min(len(keys), self.r.randint(2, 8)))
        return [f"@@LINK:{k}@@" for k in picks]

    def make_body(self, p: Page) -> list[str]:
        r, tg = self.r, self.tg
        if p.is_index:
            target = r.randint(200, 600)
        else:
            target = int(min(5000, max(200, r.lognormvariate(6.75, 0.65))))  # median ~850 words
        links = self._links(p)
        blocks = [f"# {p.title}", tg.paragraph(links)]
        words = count_words(blocks[1])
        since_code = words
        next_code = r.uniform(220, 380)
        while words < target:
            if r.random() < 0.35 or len(blocks) < 3:
                h = r.choice(HEADINGS) if r.random() < 0.6 else f"{cap(tg.v()[0])} the {tg.a()} {tg.n()}"
                blocks.append(("### " if r.random() < 0.3 else "## ") + h)
            x = r.random()
            if since_code >= next_code:
                b = tg.code_block()
                since_code = 0
                next_code = r.uniform(220, 380)
                words += count_words(b)  # page size counts everything; code frequency counts prose only
                blocks.append(b)
                continue
            if x < 0.55:
                b = tg.paragraph(links)
            elif x < 0.75:
                b = tg.bullet_list(links)
            elif x < 0.83:
                b = tg.table()
            elif x < 0.90 and self.assets:
                b = tg.image(r.choice(self.assets))
            elif x < 0.94:
                b = tg.hint(links)
            else:
                b = tg.paragraph(links, 2)
            w = count_words(b)
            words += w
            since_code += w
            blocks.append(b)
        if p.is_index:
            blocks.append("## In this section")
            blocks.append("@@CHILDREN@@")
        return blocks

    def edit_page(self, p: Page) -> None:
        """Realistic edit: rewrite a few blocks (same kind), sometimes append a section.

        Keeps the page within 200..5000 words."""
        r, tg = self.r, self.tg
        links = self._links(p)
        editable = [i for i, b in enumerate(p.blocks) if i > 0 and not b.startswith("#") and b != "@@CHILDREN@@"]
        for i in r.sample(editable, min(len(editable), r.randint(1, 3))):
            old = p.blocks[i]
            if old.startswith("```"):
                p.blocks[i] = tg.code_block()
            elif old.startswith("|"):
                p.blocks[i] = tg.table()
            elif old.startswith("{% hint"):
                p.blocks[i] = tg.hint(links)
            elif old.startswith("![") and self.assets:
                p.blocks[i] = tg.image(r.choice(self.assets))
            elif old.startswith("- ") or old[:1].isdigit():
                p.blocks[i] = tg.bullet_list(links)
            else:
                p.blocks[i] = tg.paragraph(links)
        at = len(p.blocks) - (2 if p.is_index else 0)
        words = sum(count_words(b) for b in p.blocks)
        if r.random() < 0.3 and words < 4400:
            p.blocks[at:at] = [f"## {r.choice(HEADINGS)}", tg.paragraph(links), tg.code_block()]
        while words < 200:
            b = tg.paragraph(links)
            p.blocks.insert(at, b)
            words += count_words(b)

    # -- evolution -----------------------------------------------------------
    def evolve(self) -> None:
        """Move to the next version: remove some pages, add as many, edit ~25%."""
        r = self.r
        n_nonindex = sum(len(f.order) for f in self.folders)
        n_change = min(n_nonindex, max(1, round(n_nonindex * r.uniform(0.04, 0.12)))) if n_nonindex else 0
        # removals (never README.md)
        for _ in range(n_change):
            cand = [f for f in self.folders if f.order]
            f = r.choice(cand)
            key = f.order.pop(r.randrange(len(f.order)))
            del self.pages[key]
        # additions
        for _ in range(n_change):
            f = r.choice(self.folders)
            p = self._add_page(f, r.randint(0, len(f.order)))
            p.blocks = self.make_body(p)
        # edits (copy-on-write: Page objects of old versions stay untouched)
        keys = list(self.pages)
        for k in r.sample(keys, max(1, round(len(keys) * r.uniform(0.15, 0.35)))):
            p = self.pages[k].copy()
            self.edit_page(p)
            self.pages[k] = p

    def snapshot(self) -> "Snapshot":
        return Snapshot(dict(self.pages), self._tree_copy(self.root))

    def _tree_copy(self, f: Folder) -> Folder:
        g = Folder(f.path, f.title)
        g.order = list(f.order)
        g.index_key = f.index_key  # type: ignore[attr-defined]
        g.children = [self._tree_copy(c) for c in f.children]
        return g


class Snapshot:
    """Immutable view of one version: pages + folder tree; renders markdown files."""

    def __init__(self, pages: dict[str, Page], root: Folder):
        self.pages = pages
        self.root = root

    def folders(self) -> list[Folder]:
        out, stack = [], [self.root]
        while stack:
            f = stack.pop(0)
            out.append(f)
            stack[0:0] = f.children
        return out

    @staticmethod
    def rel(from_page: str, to_path: str) -> str:
        d = os.path.dirname(from_page)
        return os.path.relpath(to_path, d or ".").replace(os.sep, "/")

    def render(self, p: Page) -> str:
        def link(m: re.Match) -> str:
            t = self.pages.get(m.group(1))
            if t is None:  # target removed in this version: point at the docs index
                t = self.pages[self.root.index_key]  # type: ignore[attr-defined]
            return f"[{t.title}]({self.rel(p.path, t.path)})"

        def asset(m: re.Match) -> str:
            return self.rel(p.path, f".gitbook/assets/{m.group(1)}")

        out = []
        for b in p.blocks:
            if b == "@@CHILDREN@@":
                b = self._children_list(p)
            out.append(b)
        text = "\n\n".join(out) + "\n"
        text = re.sub(r"@@LINK:(\w+)@@", link, text)
        text = re.sub(r"@@ASSET:([\w.-]+)@@", asset, text)
        return text

    def _children_list(self, p: Page) -> str:
        folder = next(f for f in self.folders() if f.index_key == p.key)  # type: ignore[attr-defined]
        items = [f"- [{self.pages[k].title}]({self.rel(p.path, self.pages[k].path)})" for k in folder.order]
        items += [f"- [{c.title}]({self.rel(p.path, self.pages[c.index_key].path)})" for c in folder.children]  # type: ignore[attr-defined]
        return "\n".join(items) if items else "_No pages yet._"

    def files(self) -> dict[str, str]:
        """docs-relative path -> markdown for every page (no SUMMARY.md)."""
        return {p.path: self.render(p) for p in self.pages.values()}

    # SUMMARY.md, GitBook style
    def summary_gitbook(self) -> str:
        lines = ["# Table of contents", "", f"* [{self.pages[self.root.index_key].title}](README.md)"]  # type: ignore[attr-defined]
        for k in self.root.order:
            lines.append(f"* [{self.pages[k].title}]({self.pages[k].path})")
        for sec in self.root.children:
            lines += ["", f"## {sec.title}", ""]
            self._gb_folder(sec, 0, lines)
        return "\n".join(lines) + "\n"

    def _gb_folder(self, f: Folder, depth: int, lines: list[str]) -> None:
        ind = "  " * depth
        lines.append(f"{ind}* [{f.title}]({self.pages[f.index_key].path})")  # type: ignore[attr-defined]
        for k in f.order:
            lines.append(f"{ind}  * [{self.pages[k].title}]({self.pages[k].path})")
        for c in f.children:
            self._gb_folder(c, depth + 1, lines)

    # SUMMARY.md, mdBook style (prefix chapter + part titles + numbered chapters)
    def summary_mdbook(self, title: str) -> str:
        lines = ["# Summary", "", f"[{self.pages[self.root.index_key].title}](README.md)", ""]  # type: ignore[attr-defined]
        for k in self.root.order:
            lines.append(f"- [{self.pages[k].title}]({self.pages[k].path})")
        for sec in self.root.children:
            lines += ["", f"# {sec.title}", ""]
            self._md_folder(sec, 0, lines)
        return "\n".join(lines) + "\n"

    def _md_folder(self, f: Folder, depth: int, lines: list[str]) -> None:
        ind = "    " * depth
        lines.append(f"{ind}- [{f.title}]({self.pages[f.index_key].path})")  # type: ignore[attr-defined]
        for k in f.order:
            lines.append(f"{ind}    - [{self.pages[k].title}]({self.pages[k].path})")
        for c in f.children:
            self._md_folder(c, depth + 1, lines)


# --------------------------------------------------------------------------
# PNG
# --------------------------------------------------------------------------

def make_png(r: random.Random) -> bytes:
    w, h = r.randint(24, 160), r.randint(16, 120)
    c1 = [r.randrange(256) for _ in range(3)]
    c2 = [r.randrange(256) for _ in range(3)]
    band = r.randint(2, 12)
    raw = bytearray()
    for y in range(h):
        raw.append(0)  # filter: none
        for x in range(w):
            raw += bytes(c1 if ((x // band) + (y // band)) % 2 == 0 else c2)

    def chunk(t: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------
# git
# --------------------------------------------------------------------------

BASE_DATE = _dt.datetime(2021, 1, 4, 9, 0, 0, tzinfo=_dt.timezone.utc)


class Repo:
    def __init__(self, path: Path, plugin_index: int):
        self.path = path
        self.commit_no = 0
        self.plugin_index = plugin_index
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("GIT_"):
                del self.env[k]
        self.env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                         "LC_ALL": "C", "TZ": "UTC"})
        self.written: dict[str, bytes] = {}

    def git(self, *args: str) -> str:
        p = subprocess.run(["git", *args], cwd=self.path, env=self.env, capture_output=True)
        if p.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed in {self.path}:\n{p.stderr.decode()}")
        return p.stdout.decode()

    def init(self) -> None:
        self.path.mkdir(parents=True)
        self.git("init", "-q", "-b", "master")
        for k, v in [("user.name", "Docs Generator"), ("user.email", "docs-bot@example.com"),
                     ("commit.gpgsign", "false"), ("gc.auto", "0"), ("core.autocrlf", "false"),
                     ("core.fileMode", "true"), ("pack.threads", "1")]:
            self.git("config", k, v)

    def sync(self, files: dict[str, bytes]) -> None:
        """Make the work tree match `files` (only touching what changed)."""
        for rel in self.written.keys() - files.keys():
            (self.path / rel).unlink()
            d = (self.path / rel).parent
            while d != self.path and d.exists() and not any(d.iterdir()):
                d.rmdir()
                d = d.parent
        for rel, data in files.items():
            if self.written.get(rel) != data:
                fp = self.path / rel
                fp.parent.mkdir(parents=True, exist_ok=True)
                fp.write_bytes(data)
        self.written = dict(files)

    def commit(self, msg: str) -> None:
        self.commit_no += 1
        when = BASE_DATE + _dt.timedelta(days=9 * self.commit_no, hours=self.plugin_index % 24)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        self.env["GIT_AUTHOR_DATE"] = stamp
        self.env["GIT_COMMITTER_DATE"] = stamp
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", msg)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # JSON string escapes are valid TOML basic strings


def make_versions(r: random.Random, count: int) -> list[tuple[int, int, int]]:
    """count versions oldest -> newest, distinct major.minor."""
    major, minor = r.randint(1, 3), r.randint(0, 5)
    out = []
    for i in range(count):
        if i:
            if r.random() < 0.2:
                major, minor = major + 1, 0
            else:
                minor += r.randint(1, 2)
        out.append((major, minor, r.randint(0, 6)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugins", type=int, required=True)
    ap.add_argument("--versions", type=int, required=True, help="versions per plugin (master + V-1 X.Y-docs branches)")
    ap.add_argument("--pages", type=int, required=True, help="markdown pages per plugin-version")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.plugins < 1 or args.versions < 1 or args.pages < 1:
        ap.error("--plugins, --versions and --pages must be >= 1")

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("repos", "flat"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "site.toml").unlink(missing_ok=True)

    master_r = random.Random(f"gen-portal/{args.seed}")
    plugins = []
    slugs_seen: set[str] = set()
    for i in range(args.plugins):
        slug = PLUGIN_SLUGS[i % len(PLUGIN_SLUGS)]
        if i >= len(PLUGIN_SLUGS):
            slug = f"{slug}-{i // len(PLUGIN_SLUGS) + 1}"
        assert slug not in slugs_seen
        slugs_seen.add(slug)
        managed = "mattermost" if i % 2 == 0 else "community"
        pid = f"com.mattermost.{slug}" if managed == "mattermost" else f"com.github.{master_r.choice(COMMUNITY_ORGS)}.{slug}"
        base = PLUGIN_SLUGS[i % len(PLUGIN_SLUGS)]
        name = NAME_OVERRIDES.get(base) or " ".join(w.upper() if len(w) <= 3 else cap(w) for w in base.split("-"))
        if i >= len(PLUGIN_SLUGS):
            name = f"{name} {i // len(PLUGIN_SLUGS) + 1}"
        plugins.append({"id": pid, "name": name, "managed": managed, "cloud": (i // 2) % 2 == 0, "index": i})

    flat = out / "flat"
    hugo, zola, mdb = flat / "hugo", flat / "zola", flat / "mdbook"
    write_peer_skeletons(hugo, zola, plugins)

    total_pages = 0
    for pl in plugins:
        r = random.Random(f"gen-portal/{args.seed}/{pl['id']}")
        tg = TextGen(r, pl["name"], pl["id"])
        assets = [f"{tg.n().lower()}-{tg.n().lower()}-{j}.png" for j in range(max(3, args.pages // 4))]
        asset_bytes = {a: make_png(r) for a in assets}
        docs = PluginDocs(tg, args.pages, assets)
        docs.fill_empty_pages()
        versions = make_versions(r, args.versions)
        min_server = (r.choice([6, 7, 8, 9]), r.randint(0, 10))
        description = f"{tg.sentence([])[:-1]}. Integrates {pl['name']} with Mattermost."

        repo = Repo(out / "repos" / pl["id"], pl["index"])
        repo.init()
        static = {
            "README.md": f"# {pl['name']} plugin\n\n{description}\n\nDocumentation lives in [docs/](docs/README.md).\n".encode(),
            "LICENSE.txt": b"Licensed under the Apache License, Version 2.0 (synthetic fixture).\n",
            "go.mod": f"module github.com/example/{pl['id']}\n\ngo 1.22\n".encode(),
            "server/plugin.go": f"package main\n\n{tg.code_go()}\n".encode(),
            "webapp/src/index.ts": f"{tg.code_typescript()}\n".encode(),
            "webapp/package.json": json.dumps({"name": pl["id"], "private": True}, indent=2).encode() + b"\n",
        }
        for a, data in asset_bytes.items():
            static[f"docs/.gitbook/assets/{a}"] = data

        pl["versions"] = []
        for vi, (ma, mi, pa) in enumerate(versions):
            if vi:
                docs.evolve()
            if vi and r.random() < 0.4:  # min server version occasionally moves forward
                min_server = (min_server[0], min_server[1] + 1)
            snap = docs.snapshot()
            vstr = f"{ma}.{mi}.{pa}"
            manifest = {"id": pl["id"], "name": pl["name"], "description": description,
                        "version": vstr, "min_server_version": f"{min_server[0]}.{min_server[1]}.0"}
            pages_md = snap.files()
            files = dict(static)
            files["plugin.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
            files["docs/SUMMARY.md"] = snap.summary_gitbook().encode()
            for rel, md in pages_md.items():
                files[f"docs/{rel}"] = md.encode()
            repo.sync(files)
            repo.commit(f"docs: update documentation for {ma}.{mi}" if vi else "Initial import of documentation")
            current = vi == len(versions) - 1
            vlabel = f"{ma}.{mi}"
            if not current:
                branch = f"{vlabel}-docs"
                repo.git("branch", branch)
                if r.random() < 0.35:  # a later back-ported fix on the archived docs branch
                    repo.git("checkout", "-q", branch)
                    k = r.choice([k for k, p in snap.pages.items() if not p.is_index] or list(snap.pages))
                    fixed = snap.pages[k].copy()
                    docs.edit_page(fixed)
                    snap = Snapshot({**snap.pages, k: fixed}, snap.root)
                    pages_md = snap.files()
                    fx = dict(files)
                    fx[f"docs/{fixed.path}"] = pages_md[fixed.path].encode()
                    repo.sync(fx)
                    repo.commit(f"docs: fix {fixed.title.lower()} ({vlabel})")
                    repo.git("checkout", "-q", "master")
                    repo.written = files  # checkout restored master's tree
            pl["versions"].append({"label": vlabel, "version": vstr, "current": current,
                                   "branch": "master" if current else f"{vlabel}-docs"})
            write_flat_version(hugo, zola, mdb, pl, vlabel, snap, pages_md, asset_bytes)
            total_pages += len(pages_md)
        repo.git("-c", "pack.threads=1", "repack", "-a", "-d", "-q")
        print(f"[gen-portal] {pl['id']}: {len(versions)} versions, "
              f"branches: {', '.join(v['branch'] for v in pl['versions'])}", file=sys.stderr)

    # site.toml
    lines = ["# Generated by gen-portal.py; plugin paths are relative to this file.",
             f"# seed = {args.seed}, plugins = {args.plugins}, versions = {args.versions}, pages = {args.pages}",
             "", "[site]", 'title = "Plugin Documentation Portal"', 'base_url = "https://portal.example.com/"', ""]
    for pl in plugins:
        deployments = '["cloud", "self-managed"]' if pl['cloud'] else '["self-managed"]'
        lines += ["[[integrations]]", f"id = {toml_str(pl['id'])}", f"name = {toml_str(pl['name'])}",
                  f"repo = {toml_str('repos/' + pl['id'])}", f"managed_by = {toml_str(pl['managed'])}",
                  f"deployments = {deployments}", ""]
    (out / "site.toml").write_text("\n".join(lines))

    man = {"seed": args.seed, "plugins": args.plugins, "versions_per_plugin": args.versions,
           "pages_per_version": args.pages, "pages_total": total_pages,
           "mdbook_books": args.plugins * args.versions,
           "plugin_versions": {pl["id"]: [v["label"] for v in pl["versions"]] for pl in plugins}}
    (flat / "manifest.json").write_text(json.dumps(man, indent=2) + "\n")
    print(f"[gen-portal] done: {args.plugins} plugins x {args.versions} versions, "
          f"{total_pages} pages -> {out}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------
# flat peer layouts
# --------------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "https://docs.example.com/"
title = "Plugin docs (Hugo peer)"
languageCode = "en-us"
disableKinds = ["taxonomy", "term", "RSS"]

[markup]
  [markup.goldmark.renderer]
    unsafe = true
  [markup.highlight]
    codeFences = true
    guessSyntax = false
    noClasses = false
"""

HUGO_SINGLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
<link rel="stylesheet" href="/syntax.css"></head>
<body><nav><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></nav>
<main>{{ .Content }}</main></body></html>
"""

HUGO_LIST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
<link rel="stylesheet" href="/syntax.css"></head>
<body><main>{{ .Content }}</main>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
"""

ZOLA_CONFIG = """base_url = "https://docs.example.com"
title = "Plugin docs (Zola peer)"
compile_sass = false
build_search_index = false

[markdown]
# Zola <= 0.21 (syntect) syntax, class-based output.  Zola >= 0.22 (giallo) rejects
# these keys: use config-giallo.toml there (zola --config config-giallo.toml).
highlight_code = true
highlight_theme = "css"
"""

ZOLA_CONFIG_GIALLO = ZOLA_CONFIG.split("[markdown]")[0] + """[markdown.highlighting]
# Zola >= 0.22 (giallo) syntax, class-based output.
theme = "catppuccin-frappe"
style = "class"
"""

ZOLA_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }} | {{ config.title }}</title></head>
<body><main>{{ page.content | safe }}</main></body></html>
"""

ZOLA_SECTION = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ section.title }} | {{ config.title }}</title></head>
<body><main>{{ section.content | safe }}</main>
<ul>{% for p in section.pages %}<li><a href="{{ p.permalink | safe }}">{{ p.title }}</a></li>{% endfor %}</ul>
<ul>{% for s in section.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}<li><a href="{{ sub.permalink | safe }}">{{ sub.title }}</a></li>{% endfor %}</ul>
</body></html>
"""

ZOLA_INDEX = ZOLA_SECTION


def write_peer_skeletons(hugo: Path, zola: Path, plugins: list[dict]) -> None:
    (hugo / "layouts" / "_default").mkdir(parents=True)
    (hugo / "config.toml").write_text(HUGO_CONFIG)
    (hugo / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (hugo / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    (hugo / "content").mkdir()
    (hugo / "content" / "_index.md").write_text('+++\ntitle = "Plugin documentation"\n+++\n\nAll plugins.\n')
    (zola / "templates").mkdir(parents=True)
    (zola / "config.toml").write_text(ZOLA_CONFIG)
    (zola / "config-giallo.toml").write_text(ZOLA_CONFIG_GIALLO)
    (zola / "templates" / "page.html").write_text(ZOLA_PAGE)
    (zola / "templates" / "section.html").write_text(ZOLA_SECTION)
    (zola / "templates" / "index.html").write_text(ZOLA_INDEX)
    (zola / "content").mkdir()
    (zola / "content" / "_index.md").write_text('+++\ntitle = "Plugin documentation"\n+++\n\nAll plugins.\n')
    for pl in plugins:
        for root in (hugo, zola):
            d = root / "content" / pl["id"]
            d.mkdir(parents=True)
            (d / "_index.md").write_text(f"+++\ntitle = {toml_str(pl['name'])}\n+++\n\n{pl['name']} plugin documentation.\n")


def write_flat_version(hugo: Path, zola: Path, mdb: Path, pl: dict, vlabel: str,
                       snap: Snapshot, pages_md: dict[str, str], assets: dict[str, bytes]) -> None:
    titles = {p.path: p.title for p in snap.pages.values()}
    book = mdb / f"{pl['id']}-{vlabel}"
    (book / "src").mkdir(parents=True)
    (book / "book.toml").write_text(
        f"[book]\ntitle = {toml_str(pl['name'] + ' ' + vlabel)}\nauthors = []\nlanguage = \"en\"\nsrc = \"src\"\n\n"
        "[build]\ncreate-missing = false\n\n[output.html]\n")
    (book / "src" / "SUMMARY.md").write_text(snap.summary_mdbook(pl["name"]))
    for rel, md in pages_md.items():
        # hugo / zola: README.md -> _index.md of its folder
        prel = rel[: -len("README.md")] + "_index.md" if os.path.basename(rel) == "README.md" else rel
        fm = f"+++\ntitle = {toml_str(titles[rel])}\n+++\n\n"
        for root, body in ((hugo, md), (zola, md)):
            fp = root / "content" / pl["id"] / vlabel / prel
            fp.parent.mkdir(parents=True, exist_ok=True)
            fp.write_text(fm + body)
        fp = book / "src" / rel
        fp.parent.mkdir(parents=True, exist_ok=True)
        fp.write_text(md)
    for a, data in assets.items():
        for d in (hugo / "content" / pl["id"] / vlabel, zola / "content" / pl["id"] / vlabel, book / "src"):
            ad = d / ".gitbook" / "assets"
            ad.mkdir(parents=True, exist_ok=True)
            (ad / a).write_bytes(data)


if __name__ == "__main__":
    sys.exit(main())
