//! One repository never blocks the portal: a community repository full of files that
//! cannot be published (names too long for the file system, output collisions, entries
//! that cannot be read, files over the size limits, pages that are not UTF-8 text) beside a
//! well-behaved integration. Each such file is a warning naming integration, version and
//! file; the rest is published; `--strict` publishes nothing; `check` reports exactly what
//! `build` does.

use std::path::Path;

use git2::{FileMode, ObjectType, Oid, Repository, Signature, Time};
use portico::testing::demo::git::FileSet;

use crate::fixture::{Fixture, symlink, tree_snapshot};

/// A file name of 300 bytes: over NAME_MAX (255) on every common file system.
fn long_name() -> String {
    format!("{}.md", "n".repeat(297))
}

/// A folder path whose every part fits NAME_MAX but whose whole, under the output folder,
/// exceeds PATH_MAX (4096).
fn deep_folder() -> String {
    vec!["d".repeat(200); 21].join("/")
}

/// A page path that fits under `<fixture>/public` with about 100 bytes to spare, and not
/// under an output folder 200 bytes deeper (PATH_MAX, less what Portico keeps for its
/// staging folder, less `integrations/hostile/latest/`).
fn borderline_page(fx: &Fixture) -> String {
    let output = fx.path("public").as_os_str().len();
    let site_path = 4096 - output - 66 - 100;
    let relative = site_path - "integrations/hostile/latest/".len();
    let mut path = String::from("docs/");
    while relative - (path.len() - 5) > 250 {
        path.push_str(&"b".repeat(199));
        path.push('/');
    }
    let name_length = relative - (path.len() - 5) - ".html".len();
    path.push_str(&"e".repeat(name_length));
    path.push_str(".md");
    path
}

/// Bytes that are not UTF-8 (a lone continuation byte, a truncated sequence) and a NUL.
const NOT_UTF8: &[u8] = b"# Bytes\n\nfine line\nbad \x80 byte and \xe2\x82 cut\nnul \x00 here\n";

const MISSING_PAGE: &str = "# Missing\n\nThis blob is deleted from the object database.\n";

/// The hostile version's README links to every troublesome file, so that left-out files
/// turn into broken-link warnings rather than crashes.
fn hostile_readme() -> String {
    format!(
        "# Hostile\n\n[ok](ok.md) [long]({}) [deep]({}/deep.md) [foo](foo.md) [bar](foo.html/bar.md) [escape](escape.md) [missing](missing.md) [sub](sub/page.md) [big](big.md) ![big](big.png) ![small](small.png) [bytes](bytes.md) [case](case.md) ![a](.gitbook/assets/shot.png) ![b](_gitbook/assets/shot.png)\n",
        long_name(),
        deep_folder()
    )
}

/// A portal with a well-behaved integration (`good`) and a hostile community one
/// (`hostile`, current version 2.0 on `main` and an archived 1.0 that is all fine), with
/// limits of 8 KB per page and 2 KB per file.
fn hostile_portal() -> Fixture {
    let fx = Fixture::new();
    fx.repo("good", "main").commit(
        "main",
        &[
            ("plugin.json", r#"{"id": "good", "version": "1.4.0"}"#),
            ("docs/README.md", "# Good\n\nSee the [guide](guide.md).\n"),
            ("docs/guide.md", "# Guide\n\nAll fine.\n"),
        ],
    );

    let mut hostile = fx.repo("hostile", "main");
    hostile.commit(
        "1.0-docs",
        &[
            ("docs/README.md", "# Hostile 1.0\n\n[ok](ok.md)\n"),
            ("docs/ok.md", "# Ok\n"),
        ],
    );
    let mut files = FileSet::new();
    let mut put = |path: &str, bytes: &[u8]| {
        files.insert(path.to_string(), bytes.to_vec());
    };
    put("plugin.json", br#"{"id": "hostile", "version": "2.0.0"}"#);
    put("docs/README.md", hostile_readme().as_bytes());
    put("docs/ok.md", b"# Ok\n\nBack [home](README.md).\n");
    put(&format!("docs/{}", long_name()), b"# Long name\n");
    put(
        &format!("docs/{}/deep.md", deep_folder()),
        b"# Deep\n\nA page too deep for the output folder.\n",
    );
    put("docs/foo.md", b"# Foo\n");
    put("docs/foo.html/bar.md", b"# Bar\n");
    put("docs/escape.md", symlink("/etc/passwd").as_bytes());
    put("docs/missing.md", MISSING_PAGE.as_bytes());
    put(
        "docs/big.md",
        format!("# Big\n\n{}\n", "x".repeat(10_000)).as_bytes(),
    );
    put("docs/big.png", &png_of(7, 3000));
    put("docs/small.png", &png_of(8, 100));
    put("docs/bytes.md", NOT_UTF8);
    put(&borderline_page(&fx), b"# Borderline\n");
    put("docs/case.md", b"# Case\n");
    // `.gitbook` is published as `_gitbook` (hosts hide dot-folders): the two meet.
    put("docs/.gitbook/assets/shot.png", &png_of(1, 80));
    put("docs/_gitbook/assets/shot.png", &png_of(2, 80));
    put(
        ".gitbook.yaml",
        format!(
            "root: ./docs/\nredirects:\n  {}: ok.md\n  old: ok.md\n",
            "r".repeat(300)
        )
        .as_bytes(),
    );
    put("docs/Case.md", b"# Other case\n");
    hostile.commit_set("main", files);
    drop(hostile);
    add_gitlink(&fx.path("repos/hostile"), "main", "docs", "sub");
    delete_blob(&fx.path("repos/hostile"), MISSING_PAGE.as_bytes());

    fx.site(
        "[build]\nmax_page_size = \"8 KB\"\nmax_asset_size = \"2 KB\"\n\n\
         [[integrations]]\nid = \"good\"\nrepo = \"repos/good\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n\n\
         [[integrations]]\nid = \"hostile\"\nrepo = \"repos/hostile\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n",
    );
    fx
}

/// Adds a submodule entry (a gitlink: a commit id in a tree) named `name` in folder `dir`
/// of `branch`'s tip, as a new commit.
fn add_gitlink(repo_path: &Path, branch: &str, dir: &str, name: &str) {
    let repo = Repository::open(repo_path).unwrap();
    let tip = repo
        .find_reference(&format!("refs/heads/{branch}"))
        .unwrap()
        .peel_to_commit()
        .unwrap();
    let root = tip.tree().unwrap();
    let folder = repo
        .find_tree(root.get_path(Path::new(dir)).unwrap().id())
        .unwrap();
    let mut builder = repo.treebuilder(Some(&folder)).unwrap();
    let foreign = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
    builder
        .insert(name, foreign, FileMode::Commit.into())
        .unwrap();
    let folder_id = builder.write().unwrap();
    let mut builder = repo.treebuilder(Some(&root)).unwrap();
    builder
        .insert(dir, folder_id, FileMode::Tree.into())
        .unwrap();
    let tree = repo.find_tree(builder.write().unwrap()).unwrap();
    let signature =
        Signature::new("Test", "test@example.invalid", &Time::new(1_700_000_000, 0)).unwrap();
    let commit = repo
        .commit(None, &signature, &signature, "submodule", &tree, &[&tip])
        .unwrap();
    repo.reference(&format!("refs/heads/{branch}"), commit, true, "test")
        .unwrap();
}

/// Deletes the loose object of a blob, as a damaged or shallow clone would lack it.
fn delete_blob(repo_path: &Path, bytes: &[u8]) {
    let oid = Oid::hash_object(ObjectType::Blob, bytes)
        .unwrap()
        .to_string();
    let object = repo_path.join(format!(".git/objects/{}/{}", &oid[..2], &oid[2..]));
    std::fs::remove_file(&object)
        .unwrap_or_else(|err| panic!("cannot delete {}: {err}", object.display()));
}

/// The warnings about one file of the hostile integration's current version.
fn warnings_about<'r>(warnings: &[&'r str], file: &str) -> Vec<&'r str> {
    let prefix = format!("warning: integration hostile, version 2.0 (branch main): {file}");
    warnings
        .iter()
        .copied()
        .filter(|w| w.starts_with(&prefix))
        .collect()
}

/// Every problem file of the hostile version, each with a word its warning must hold.
fn expected_warnings() -> Vec<(String, &'static str)> {
    vec![
        (format!("docs/{}", long_name()), "302 bytes long"),
        (format!("docs/{}/deep.md", deep_folder()), "4096 bytes"),
        (
            "docs/foo.md".to_string(),
            "docs/foo.html/bar.md needs a folder",
        ),
        ("docs/escape.md".to_string(), "symbolic link to /etc/passwd"),
        ("docs/missing.md".to_string(), "cannot be read"),
        ("docs/sub".to_string(), "submodule"),
        ("docs/big.md".to_string(), "max_page_size"),
        ("docs/big.png".to_string(), "max_asset_size"),
        ("docs/bytes.md:4".to_string(), "not UTF-8"),
        ("docs/bytes.md:5".to_string(), "NUL byte"),
        ("docs/case.md".to_string(), "differ only in case"),
        (
            "docs/_gitbook/assets/shot.png".to_string(),
            "like docs/.gitbook/assets/shot.png",
        ),
        (".gitbook.yaml".to_string(), "the redirect from rrr"),
    ]
}

#[test]
fn a_hostile_repository_is_published_without_its_unpublishable_files() {
    let fx = hostile_portal();
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings = run.warnings();

    for (file, says) in expected_warnings() {
        let about = warnings_about(&warnings, &file);
        assert!(
            about.iter().any(|w| w.contains(says)),
            "no warning about {file} saying {says:?} in:\n{}",
            run.stderr
        );
        if !file.contains(':') && file != ".gitbook.yaml" {
            assert!(
                about.iter().any(|w| w.contains("left out")),
                "{file}: {about:?}"
            );
        }
    }
    assert!(
        !warnings.iter().any(|w| w.contains("integration good")),
        "the well-behaved integration has nothing to warn about: {warnings:?}"
    );
    // Links to left-out files are broken links that say why.
    assert!(
        warnings.iter().any(|w| w.contains(
            "docs/README.md:3: broken link \"big.md\": docs/big.md is left out: it is 10 KB"
        )),
        "{warnings:?}"
    );

    // The well-behaved integration, and the rest of the hostile one, are published.
    for page in [
        "integrations/index.html",
        "integrations/good/latest/index.html",
        "integrations/good/latest/guide.html",
        "integrations/hostile/latest/index.html",
        "integrations/hostile/2.0/ok.html",
        "integrations/hostile/latest/ok.html",
        "integrations/hostile/latest/foo.html/bar.html",
        "integrations/hostile/latest/small.png",
        "integrations/hostile/latest/bytes.html",
        "integrations/hostile/latest/Case.html",
        "integrations/hostile/latest/old.html",
        "integrations/hostile/latest/_gitbook/assets/shot.png",
        "integrations/hostile/1.0/index.html",
        "integrations/hostile/1.0/ok.html",
    ] {
        assert!(fx.has_output(page), "{page} is missing");
    }
    for left_out in [
        "escape.html",
        "missing.html",
        "big.html",
        "big.png",
        "case.html",
    ] {
        let path = fx.path(&format!("public/integrations/hostile/latest/{left_out}"));
        // `case.html` and `Case.html` are one file where case does not count.
        let listed = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .any(|entry| entry.file_name() == *left_out);
        assert!(!listed, "{left_out} must be left out");
    }
    assert!(
        fx.path("public/integrations/hostile/latest/foo.html")
            .is_dir()
    );
    assert!(!fx.path("public/integrations/hostile/latest/dddd").exists());

    // Bad bytes are replaced, never written raw.
    let bytes = fx.output("integrations/hostile/latest/bytes.html");
    assert!(
        bytes.contains("bad \u{fffd} byte and \u{fffd} cut"),
        "{bytes}"
    );
    assert!(bytes.contains("nul \u{fffd} here"), "{bytes}");
    for (path, content) in tree_snapshot(&fx.path("public")) {
        let text = [".html", ".json", ".xml", ".txt", ".css", ".js"]
            .iter()
            .any(|ext| path.ends_with(ext));
        if text {
            assert!(!content.contains(&0), "{path} holds a NUL byte");
            assert!(std::str::from_utf8(&content).is_ok(), "{path} is not UTF-8");
        }
    }
}

#[test]
fn strict_fails_on_the_left_out_files_and_publishes_nothing() {
    let fx = hostile_portal();
    let run = fx.run(&["build", "--strict"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--strict"), "{}", run.stderr);
    for (file, _) in expected_warnings() {
        assert!(
            !warnings_about(&run.warnings(), &file).is_empty(),
            "{file}: {}",
            run.stderr
        );
    }
    assert!(!fx.path("public").exists(), "nothing is published");
}

#[test]
fn check_reports_exactly_the_problems_build_finds() {
    let fx = hostile_portal();
    let check = fx.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(!fx.path("public").exists(), "check writes nothing");
    let build = fx.run(&["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(check.warnings(), build.warnings());
    assert!(check.warnings().len() >= expected_warnings().len());

    // Both judge path lengths against the real output folder: a deeper one leaves out
    // more, in check as in build.
    let borderline = borderline_page(&fx);
    assert!(warnings_about(&build.warnings(), &borderline).is_empty());
    let published = borderline
        .strip_prefix("docs/")
        .and_then(|p| p.strip_suffix(".md"))
        .unwrap();
    assert!(fx.has_output(&format!("integrations/hostile/latest/{published}.html")));
    let deeper = fx.path(&format!("{}/public", "o".repeat(200)));
    let out = deeper.to_str().unwrap();
    let check = fx.run(&["check", "--out", out]);
    let build = fx.run(&["build", "--out", out]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(check.warnings(), build.warnings());
    let about = warnings_about(&build.warnings(), &borderline);
    assert!(
        about.len() == 1 && about[0].contains("4096 bytes"),
        "{}",
        build.stderr
    );
}

#[test]
fn default_limits_publish_ordinary_files_and_a_bad_limit_is_a_located_error() {
    let fx = Fixture::new();
    let mut files = FileSet::new();
    files.insert(
        "docs/README.md".into(),
        b"# Home\n\n![shot](shot.png)\n".to_vec(),
    );
    files.insert("docs/shot.png".into(), png_of(1, 64 * 1024));
    fx.repo("plain", "main").commit_set("main", files);
    fx.site(
        "[[integrations]]\nid = \"plain\"\nrepo = \"repos/plain\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n",
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(fx.has_output("integrations/plain/latest/shot.png"));

    // A limit written wrongly is a located error.
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &site.replace(
            "[[integrations]]",
            "[build]\nmax_asset_size = \"big\"\n\n[[integrations]]",
        ),
    );
    let run = fx.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("site.toml:7:18") && run.stderr.contains("build.max_asset_size"),
        "{}",
        run.stderr
    );
}

/// A PNG of `size` bytes (a real image, then padding), distinct for each `fill`: community
/// repositories publish images only when their content is what their name says.
fn png_of(fill: u8, size: usize) -> Vec<u8> {
    let mut bytes = crate::fixture::TINY_PNG.to_vec();
    bytes.resize(size.max(bytes.len()), fill);
    bytes
}

#[test]
fn thousands_of_archive_branches_are_cut_to_the_newest_max_versions() {
    let fx = Fixture::new();
    let mut repo = fx.repo("many", "main");
    repo.commit(
        "main",
        &[
            ("docs/README.md", "# Many\n\n[Setup](setup.md)\n"),
            ("docs/setup.md", "# Setup\n"),
        ],
    );
    // One commit, many archive branches: cheap for an attacker, quadratic output if unbounded.
    let repository = git2::Repository::open(fx.path("repos/many")).unwrap();
    let tip = repository.head().unwrap().peel_to_commit().unwrap();
    for major in 1..=40 {
        repository
            .branch(&format!("{major}.0-docs"), &tip, false)
            .unwrap();
    }
    fx.site(
        "[build]\nmax_versions = 3\n\n[[integrations]]\nid = \"many\"\nrepo = \"repos/many\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n",
    );
    let run = fx.build_ok(&[]);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("40 archived versions are more than [build] max_versions (3)")
            && warnings[0].contains("37.0-docs, 36.0-docs")
            && warnings[0].contains("(37 in all)"),
        "{}",
        warnings[0]
    );
    for kept in ["40.0", "39.0", "38.0"] {
        assert!(
            fx.has_output(&format!("integrations/many/{kept}/setup.html")),
            "{kept}"
        );
    }
    assert!(!fx.has_output("integrations/many/37.0/index.html"));
    assert!(!fx.has_output("integrations/many/1.0/index.html"));
}
