#!/usr/bin/env bash
# A one-page commit in a repository made by bench/gen-portal.py: a docs writer's typical change.
#
#   bench/commit-page.sh REPO [NOTE]
#
# Appends a paragraph (NOTE; default "Edited by commit-page.sh.") to one page of REPO's default
# branch (the branch its HEAD names; the first page under docs/ in path order that is neither a
# README.md nor SUMMARY.md) and commits it, with gen-portal.py's fixed identity and a fixed date,
# so the same NOTE gives the same commit id. Only that page's blob, its trees and the commit are
# new: SUMMARY.md and every title stay as they were. Prints "PAGE OLD_COMMIT NEW_COMMIT";
# `git -C REPO reset -q --hard OLD_COMMIT` undoes it. Pass a different NOTE each time to get a
# blob no cache has seen.
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 || ! -d "$1/.git" ]]; then
    echo "usage: $0 REPO [NOTE]   (REPO: a repository with a work tree, made by gen-portal.py)" >&2
    exit 2
fi
repo=$1
note=${2:-Edited by commit-page.sh.}
# The same isolation as gen-portal.py: no global or system configuration, no inherited GIT_*.
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\(GIT_[A-Za-z_]*\)=.*/\1/p')
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME="Docs Generator" GIT_AUTHOR_EMAIL=docs-bot@example.com
export GIT_COMMITTER_NAME="Docs Generator" GIT_COMMITTER_EMAIL=docs-bot@example.com
export GIT_AUTHOR_DATE=2030-01-01T00:00:00+00:00 GIT_COMMITTER_DATE=2030-01-01T00:00:00+00:00

branch=$(git -C "$repo" symbolic-ref --short HEAD)
if [[ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]]; then
    echo "$repo: the work tree has uncommitted changes; not committing over them" >&2
    exit 1
fi
page=$(git -C "$repo" ls-tree -r --name-only HEAD -- docs |
    grep '\.md$' | grep -v -e '/README\.md$' -e '/SUMMARY\.md$' | LC_ALL=C sort | head -n 1 || true)
if [[ -z "$page" ]]; then
    echo "$repo: no page under docs/ on $branch" >&2
    exit 1
fi
old=$(git -C "$repo" rev-parse HEAD)
printf '\n%s\n' "$note" >>"$repo/$page"
git -C "$repo" add -- "$page"
git -C "$repo" commit -q --no-verify -m "docs: edit ${page#docs/}"
echo "$page $old $(git -C "$repo" rev-parse HEAD)"
