//! A hostile review of issue 9 from outside the team: attacks found by building a portal
//! nobody on the team had seen. Text from a repository must not read as markup in the
//! portal's JSON files (a plugin named `<script>…`, a file named `<!--<script>.md`), a page
//! must not take the ids the theme's script looks up, and logs show invisible characters
//! escaped, while a well-behaved integration beside the attacker is published as usual.

use crate::fixture::Fixture;

/// A portal with one community-managed integration, `evil`, made of one commit of `files`.
fn single_evil(files: &[(&str, &str)]) -> Fixture {
    let fx = Fixture::new();
    fx.site(
        "[[integrations]]\nid = \"evil\"\nrepo = \"repos/evil\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n",
    );
    fx.write("content/_index.md", "# Home\n");
    fx.repo("evil", "main").commit("main", files);
    fx
}

/// A community-managed integration whose manifest, file names and pages carry markup, and
/// a well-behaved community-managed one.
fn portal() -> Fixture {
    let fx = Fixture::new();
    fx.site(
        r#"[[integrations]]
id = "evil"
repo = "repos/evil"
managed_by = "community"
deployments = ["cloud"]

[[integrations]]
id = "good"
repo = "repos/good"
managed_by = "community"
deployments = ["cloud"]
"#,
    );
    fx.write("content/_index.md", "# Home\n");
    fx.repo("evil", "main").commit(
        "main",
        &[
            (
                "plugin.json",
                r#"{"id": "evil", "name": "<script>alert('name')</script>Evil", "version": "1.0.0", "description": "<img src=x onerror=alert(1)>"}"#,
            ),
            (
                "docs/README.md",
                "# Evil\n\n[map](clobber.md) [comment](<<!--<script>.md>) [zero](<zero\u{200b}width.md>)\n",
            ),
            (
                "docs/clobber.md",
                "# Clobber\n\n<div id=\"page-map\">{\"base\":\"/\",\"integrations\":{\"evil\":{\"name\":\"Real docs\",\"versions\":[\"x\"],\"pages\":{\"clobber.html\":[0]}}}}</div>\n<p id=\"page-elsewhere\"></p>\n<nav id=\"sidebar\"></nav>\n",
            ),
            ("docs/<!--<script>.md", "# Comment\n"),
            ("docs/zero\u{200b}width.md", "# Zero\n\n[gone](missing.md)\n"),
        ],
    );
    fx.repo("good", "main").commit(
        "main",
        &[
            (
                "plugin.json",
                r#"{"id": "good", "name": "Good & Co", "version": "2.1.0"}"#,
            ),
            ("docs/README.md", "# Good\n\nSee [setup](setup.md).\n"),
            ("docs/setup.md", "# Setup\n\n`if a < b && c > d`\n"),
        ],
    );
    fx
}

#[test]
fn json_files_carry_no_markup_from_repositories_and_read_back_the_same() {
    let fx = portal();
    fx.build_ok(&[]);
    for file in ["integrations.json", "manifest.json"] {
        let json = fx.output(file);
        for markup in ['<', '>', '&'] {
            assert!(!json.contains(markup), "{markup} in {file}:\n{json}");
        }
    }
    let index: serde_json::Value = serde_json::from_str(&fx.output("integrations.json")).unwrap();
    let names: Vec<&str> = index["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|integration| integration["name"].as_str())
        .collect();
    assert!(
        names.contains(&"<script>alert('name')</script>Evil"),
        "{names:?}"
    );
    assert!(names.contains(&"Good & Co"), "{names:?}");
    let manifest: serde_json::Value = serde_json::from_str(&fx.output("manifest.json")).unwrap();
    assert!(
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|file| file["path"] == "integrations/evil/1.0/<!--<script>.html"),
        "{manifest}"
    );
    assert!(fx.has_output("integrations/good/latest/setup.html"));
}

#[test]
fn the_404_page_map_cannot_reopen_a_script_element() {
    let fx = portal();
    fx.build_ok(&[]);
    let page = fx.output("404.html");
    let open = r#"<script type="application/json" id="page-map">"#;
    let map = &page[page.find(open).expect("page map") + open.len()..];
    let map = &map[..map.find("</script>").expect("end of the page map")];
    assert!(!map.contains('<'), "{map}");
    let data: serde_json::Value = serde_json::from_str(map).unwrap();
    assert!(
        data["integrations"]["evil"]["pages"]
            .get("<!--<script>.html")
            .is_some(),
        "{data}"
    );
}

#[test]
fn a_page_cannot_take_the_ids_the_themes_script_reads() {
    let fx = portal();
    fx.build_ok(&[]);
    let page = fx.output("integrations/evil/latest/clobber.html");
    assert_eq!(page.matches(r#"id="page-map""#).count(), 0, "{page}");
    assert_eq!(page.matches(r#"id="page-elsewhere""#).count(), 0, "{page}");
    assert_eq!(page.matches(r#"id="sidebar""#).count(), 1, "{page}");
}

#[test]
fn invisible_characters_in_file_names_are_escaped_in_logs() {
    let fx = portal();
    for github in [false, true] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portico"));
        command.arg("--root").arg(fx.root()).arg("check");
        if github {
            command
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_WORKSPACE", fx.root());
        } else {
            command.env_remove("GITHUB_ACTIONS");
        }
        let output = command.output().unwrap();
        let log = String::from_utf8_lossy(&output.stderr).into_owned()
            + &String::from_utf8_lossy(&output.stdout);
        assert!(log.contains("zero\\u{200b}width.md"), "{log}");
        assert!(!log.contains('\u{200b}'), "{log}");
    }
}

#[test]
fn a_redirect_from_the_docs_folder_itself_never_replaces_the_landing_page() {
    let fx = single_evil(&[
        ("plugin.json", r#"{"id": "evil", "version": "1.2.0"}"#),
        (
            ".gitbook.yaml",
            "root: docs/\nredirects:\n  \".\": other.md\n  a/..: other.md\n  ../up: other.md\n  moved: other.md\n",
        ),
        ("docs/README.md", "# Landing\n\n[other](other.md)\n"),
        ("docs/other.md", "# Other\n"),
    ]);
    let run = fx.build_ok(&[]);
    for version in ["1.2", "latest"] {
        let landing = fx.output(&format!("integrations/evil/{version}/index.html"));
        assert!(landing.contains("<h1"), "{version}: {landing}");
        assert!(!landing.contains("http-equiv=\"refresh\""), "{version}");
        assert!(!fx.has_output(&format!("integrations/evil/{version}/.html")));
        assert!(
            fx.output(&format!("integrations/evil/{version}/moved.html"))
                .contains("other.html")
        );
    }
    for from in [".", "a/..", "../up"] {
        assert!(
            run.warnings()
                .iter()
                .any(|w| w.contains(&format!("redirect {from} → other.md"))),
            "{from}: {:?}",
            run.warnings()
        );
    }
}

#[test]
fn names_with_backslashes_are_left_out_with_a_warning() {
    let fx = single_evil(&[
        ("docs/README.md", "# Landing\n"),
        ("docs/a\\..\\..\\..\\..\\escape.md", "# Escape\n"),
        ("docs/plain name.md", "# Plain\n"),
    ]);
    let run = fx.build_ok(&[]);
    let published: Vec<String> = std::fs::read_dir(fx.path("public/integrations/evil/latest"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        published.contains(&"plain name.html".to_string()),
        "{published:?}"
    );
    assert!(
        published.iter().all(|name| !name.contains('\\')),
        "{published:?}"
    );
    let warnings = run.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("docs/a\\..\\..\\..\\..\\escape.md") && w.contains("backslash")),
        "{warnings:?}"
    );
    let check = fx.run(&["check"]);
    assert_eq!(check.warnings(), warnings);
}
