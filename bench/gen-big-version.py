#!/usr/bin/env python3
"""A portal with one integration whose current version has a very large number of pages.

Usage:
    python3 gen-big-version.py --pages N --out DIR [--flat]

Writes DIR/site.toml and DIR/repos/big/, a real git repository (git CLI) whose default
branch holds docs/ with exactly N markdown pages (README.md files included, SUMMARY.md not):
sections of subsections of pages, three folder levels deep, each folder with a README.md,
and a GitBook SUMMARY.md listing every page nested as the folders are, under `## Group`
headings. Every page links to its neighbours, so links resolve as in real docs. With
--flat, all pages sit in docs/ itself with no SUMMARY.md: the folder-tree navigation, one
level of N entries (the worst case for a window of siblings).

Deterministic (fixed names, dates and author): the same N gives the same commit.
Only the Python standard library and the `git` executable are needed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

# Pages per subsection and subsections per section: with N = 10,000 this gives
# 20 sections x 10 subsections x 50 pages (a README in each folder included).
PAGES_PER_SUBSECTION = 50
SUBSECTIONS_PER_SECTION = 10


def layout(total: int) -> list[tuple[str, str, list[tuple[str, str, list[tuple[str, str]]]]]]:
    """Sections: (folder, title, subsections); subsections: (folder, title, pages);
    pages: (file name, title). Every folder's README.md counts as one of the N pages."""
    sections = []
    left = total - 1  # docs/README.md, the landing page
    s = 0
    while left > 0:
        s += 1
        section_dir, section_title = f"section-{s:03d}", f"Section {s}"
        left -= 1  # the section's README.md
        subsections = []
        sub = 0
        while left > 0 and sub < SUBSECTIONS_PER_SECTION:
            sub += 1
            sub_dir, sub_title = f"topic-{sub:02d}", f"Topic {s}.{sub}"
            left -= 1  # the subsection's README.md
            pages = []
            p = 0
            while left > 0 and p < PAGES_PER_SUBSECTION - 1:
                p += 1
                pages.append((f"page-{p:03d}.md", f"Page {s}.{sub}.{p}"))
                left -= 1
            subsections.append((sub_dir, sub_title, pages))
        sections.append((section_dir, section_title, subsections))
    return sections


def body(title: str, previous: str | None, following: str | None) -> str:
    text = [f"# {title}\n"]
    text.append(
        f"This page describes {title.lower()} of the big integration: how to configure it, "
        "what each setting does and what to check when something goes wrong.\n"
    )
    text.append("## Configuration\n")
    text.append(
        "Open **System Console > Plugins**, find the plugin and set the values below. "
        "Changes apply at once; no restart is needed.\n"
    )
    text.append("| Setting | Default | Meaning |\n|---|---|---|\n| `Enabled` | `true` | Turns it on |\n"
                "| `Timeout` | `30s` | How long to wait |\n")
    text.append("```json\n{\n  \"enabled\": true,\n  \"timeout\": \"30s\"\n}\n```\n")
    links = []
    if previous:
        links.append(f"[the previous page]({previous})")
    if following:
        links.append(f"[the next page]({following})")
    if links:
        text.append("See also " + " and ".join(links) + ".\n")
    return "\n".join(text)


def relative(from_file: str, to_file: str) -> str:
    return os.path.relpath(to_file, os.path.dirname(from_file) or ".")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--flat", action="store_true")
    args = parser.parse_args()
    if args.pages < 1:
        parser.error("--pages must be at least 1")

    repo = args.out / "repos" / "big"
    docs = repo / "docs"
    docs.mkdir(parents=True, exist_ok=True)

    # (path under docs/, title, SUMMARY depth) in reading order; `None` marks a group heading.
    entries: list[tuple[str, str, int] | tuple[None, str, int]] = [("README.md", "Big integration", 0)]
    for s, (section_dir, section_title, subsections) in enumerate(layout(args.pages)):
        if s % 5 == 0:
            entries.append((None, f"Part {s // 5 + 1}", 0))
        entries.append((f"{section_dir}/README.md", section_title, 0))
        for sub_dir, sub_title, pages in subsections:
            entries.append((f"{section_dir}/{sub_dir}/README.md", sub_title, 1))
            for name, title in pages:
                entries.append((f"{section_dir}/{sub_dir}/{name}", title, 2))

    if args.flat:
        entries = [("README.md", "Big integration", 0)] + [
            (f"page-{n:05d}.md", f"Page {n}", 0) for n in range(1, args.pages)
        ]
    pages = [entry for entry in entries if entry[0] is not None]
    assert len(pages) == args.pages, (len(pages), args.pages)
    for index, (path, title, _) in enumerate(pages):
        previous = relative(path, pages[index - 1][0]) if index > 0 else None
        following = relative(path, pages[index + 1][0]) if index + 1 < len(pages) else None
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body(title, previous, following), encoding="utf-8")

    summary = ["# Table of contents\n"]
    for path, title, depth in entries:
        if path is None:
            summary.append(f"\n## {title}\n")
        else:
            summary.append(f"{'  ' * depth}* [{title}]({path})")
    if not args.flat:
        (docs / "SUMMARY.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    (repo / "plugin.json").write_text(
        '{"id": "com.example.big", "name": "Big", "version": "1.0.0", '
        '"description": "One version with very many pages."}\n',
        encoding="utf-8",
    )

    env = dict(os.environ)
    env.update({
        "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    })
    git = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, env=env,
                                    stdout=subprocess.DEVNULL)
    git("init", "-q", "-b", "master")
    git("add", "-A")
    git("commit", "-q", "-m", f"{args.pages} pages")

    (args.out / "site.toml").write_text(
        '[site]\ntitle = "Big version bench"\nbase_url = "https://docs.example.com/"\n'
        'description = "One integration, one very large version."\n\n'
        '[[integrations]]\nid = "big"\nname = "Big"\nrepo = "repos/big"\n'
        'managed_by = "mattermost"\ndeployments = ["cloud"]\n',
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
