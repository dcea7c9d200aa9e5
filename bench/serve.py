#!/usr/bin/env python3
"""Incremental-rebuild benchmark for `portico serve` (issue targets, measured in one run).

    python3 bench/serve.py [--plugins 20 --versions 5 --pages 40] [--edits 15] [--commits 5]

Generates a portal with bench/gen-portal.py (real git repositories), then:
  1. times `portico build` (median of 3) on it: the full-build baseline;
  2. starts `portico serve --port 0`, listens to its live-reload stream, and
     - edits one markdown page in a working tree, timing write -> `reload` event;
     - commits on an archived branch (git commit-tree + update-ref, no checkout),
       timing the ref update -> `reload` event.
Prints medians and the ratios the issue asks for. Only the standard library and git.
"""
import argparse, os, socket, statistics, subprocess, sys, tempfile, threading, time, queue
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def sh(*args, cwd=None, env=None):
    return subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugins", type=int, default=20)
    ap.add_argument("--versions", type=int, default=5)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--edits", type=int, default=15)
    ap.add_argument("--commits", type=int, default=5)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()

    work = Path(args.work or tempfile.mkdtemp(prefix="portico-serve-bench."))
    portal = work / "portal"
    if not (portal / "site.toml").exists():
        sh(sys.executable, str(HERE / "bench" / "gen-portal.py"), "--plugins", str(args.plugins), "--versions",
           str(args.versions), "--pages", str(args.pages), "--out", str(portal))
    sh("cargo", "build", "--release", "--quiet", cwd=HERE)
    portico = str(HERE / "target" / "release" / "portico")

    builds = []
    for _ in range(3):
        started = time.perf_counter()
        sh(portico, "build", "--root", str(portal), "--out", str(work / "out"))
        builds.append(time.perf_counter() - started)
    full = statistics.median(builds)
    print(f"full build: median {full * 1000:.0f} ms of {len(builds)}")

    serve = subprocess.Popen([portico, "serve", "--port", "0", "--root", str(portal)],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in serve.stderr:
            if line.startswith("serving http://127.0.0.1:"):
                port = int(line.split(":")[2].split("/")[0])
                break
        threading.Thread(target=lambda: [None for _ in serve.stderr], daemon=True).start()
        events = queue.Queue()

        def listen():
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(f"GET /__portico/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            buf = b""
            while True:
                data = s.recv(4096)
                if not data:
                    return
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.startswith(b"event: "):
                        events.put((time.perf_counter(), line[7:].decode()))

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)

        def wait_reload(since):
            while True:
                at, name = events.get(timeout=30)
                if at >= since and name == "reload":
                    return at - since

        repos = sorted((portal / "repos").iterdir())
        edit_times = []
        for i in range(args.edits):
            repo = repos[i % len(repos)]
            pages = sorted((repo / "docs").rglob("*.md"))
            page = pages[(i * 7) % len(pages)]
            time.sleep(0.3)  # let the previous burst settle
            while not events.empty():
                events.get()
            started = time.perf_counter()
            with open(page, "a") as f:
                f.write(f"\nEdited for the benchmark ({i}).\n")
            edit_times.append(wait_reload(started))
        commit_times = []
        env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@x", GIT_COMMITTER_NAME="b",
                   GIT_COMMITTER_EMAIL="b@x")
        for i in range(args.commits):
            repo = repos[(i * 3) % len(repos)]
            branches = sorted(b for b in sh("git", "for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=repo).split() if b.endswith("-docs"))
            branch = branches[0]
            tree = sh("git", "rev-parse", f"{branch}^{{tree}}", cwd=repo)
            # A new commit on the archive with one page changed (no checkout).
            page = [p for p in sh("git", "ls-tree", "-r", "--name-only", branch, "--", "docs", cwd=repo).splitlines() if p.endswith(".md") and "SUMMARY" not in p][1]
            text = sh("git", "show", f"{branch}:{page}", cwd=repo) + f"\n\nArchive fix {i}.\n"
            blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=text, text=True, capture_output=True, check=True).stdout.strip()
            index = env | {"GIT_INDEX_FILE": str(work / f"index-{i}")}
            sh("git", "read-tree", tree, cwd=repo, env=index)
            sh("git", "update-index", "--cacheinfo", f"100644,{blob},{page}", cwd=repo, env=index)
            new_tree = sh("git", "write-tree", cwd=repo, env=index)
            commit = sh("git", "commit-tree", new_tree, "-p", branch, "-m", "archive fix", cwd=repo, env=env)
            time.sleep(0.3)
            while not events.empty():
                events.get()
            started = time.perf_counter()
            sh("git", "update-ref", f"refs/heads/{branch}", commit, cwd=repo)
            commit_times.append(wait_reload(started))
    finally:
        serve.kill()

    edit = statistics.median(edit_times)
    commit = statistics.median(commit_times)
    print(f"working-tree edit -> reload: median {edit * 1000:.0f} ms of {len(edit_times)} (max {max(edit_times) * 1000:.0f} ms); target < 150 ms")
    print(f"archive commit -> reload: median {commit * 1000:.0f} ms of {len(commit_times)} = {commit / full:.1%} of a full build; target < 10%")


if __name__ == "__main__":
    main()
