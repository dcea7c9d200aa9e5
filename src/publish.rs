//! Publishing: the only stage that writes the site to disk.
//!
//! Writes every [`OutputFile`] into a staging folder next to the output folder, then swaps
//! it in (an atomic exchange where the OS offers one, else two renames), so that readers
//! and deploy steps only ever see a complete site and a failed or interrupted build leaves
//! the previous one as it was. Refuses to replace a folder that is not a Portico site.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rayon::prelude::*;

use crate::compose::OutputFile;

/// A file every Portico site has at its root; its presence marks a folder as replaceable.
const SITE_MARKER: &str = "integrations.json";
const STAGING_TAG: &str = "portico-staging";
const RETIRED_TAG: &str = "portico-retired";

/// Publishes `files` as the complete content of `out`.
pub fn write(out: &Path, files: &[OutputFile]) -> anyhow::Result<()> {
    let out = absolute(out)?;
    let parent = out
        .parent()
        .with_context(|| format!("the output folder {} has no parent folder", out.display()))?;
    let name = out
        .file_name()
        .with_context(|| format!("the output folder {} has no name", out.display()))?
        .to_string_lossy()
        .into_owned();
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    ensure_replaceable(&out)?;
    remove_leftovers(parent, &name);

    let staging = parent.join(format!(".{name}.{STAGING_TAG}-{}", std::process::id()));
    let result = write_all(&staging, files).and_then(|()| swap_in(&staging, &out, parent, &name));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()
        .context("cannot read the current folder")?
        .join(path))
}

/// An existing output folder must be empty or a previous Portico site: `--out ~` must never
/// delete a home folder.
fn ensure_replaceable(out: &Path) -> anyhow::Result<()> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err).with_context(|| format!("cannot inspect {}", out.display())),
    };
    if !metadata.is_dir() {
        bail!(
            "the output path {} exists and is not a folder; remove it or choose another --out",
            out.display()
        );
    }
    let empty = fs::read_dir(out)
        .with_context(|| format!("cannot read {}", out.display()))?
        .next()
        .is_none();
    if !empty && !out.join(SITE_MARKER).is_file() {
        bail!(
            "refusing to replace {}: it is not empty and does not look like a Portico site (no {SITE_MARKER}); empty it or choose another --out",
            out.display()
        );
    }
    Ok(())
}

/// Staging and retired folders of builds that were interrupted.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.{STAGING_TAG}-"),
        format!(".{name}.{RETIRED_TAG}-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefixes
            .iter()
            .any(|prefix| file_name.starts_with(prefix.as_str()))
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn write_all(staging: &Path, files: &[OutputFile]) -> anyhow::Result<()> {
    let _ = fs::remove_dir_all(staging);
    fs::create_dir_all(staging).with_context(|| format!("cannot create {}", staging.display()))?;
    let mut folders: Vec<PathBuf> = Vec::new();
    for file in files {
        let target = site_path(staging, &file.path)?;
        if let Some(folder) = target.parent() {
            folders.push(folder.to_path_buf());
        }
    }
    folders.sort();
    folders.dedup();
    for folder in &folders {
        fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    files.par_iter().try_for_each(|file| {
        let target = site_path(staging, &file.path)?;
        fs::write(&target, &file.bytes)
            .with_context(|| format!("cannot write {}", target.display()))
    })
}

/// The file system path of a site path; site paths never climb out of the site.
fn site_path(base: &Path, site_path: &str) -> anyhow::Result<PathBuf> {
    let mut path = base.to_path_buf();
    for part in site_path.split('/') {
        match part {
            "" | "." => {}
            ".." => bail!("internal error: output path {site_path:?} leaves the site"),
            part => path.push(part),
        }
    }
    Ok(path)
}

fn swap_in(staging: &Path, out: &Path, parent: &Path, name: &str) -> anyhow::Result<()> {
    if !out.exists() {
        return fs::rename(staging, out)
            .with_context(|| format!("cannot move the new site into {}", out.display()));
    }
    if exchange(staging, out).is_ok() {
        // `staging` now holds the previous site.
        let _ = fs::remove_dir_all(staging);
        return Ok(());
    }
    let retired = parent.join(format!(".{name}.{RETIRED_TAG}-{}", std::process::id()));
    fs::rename(out, &retired)
        .with_context(|| format!("cannot move the previous site {} aside", out.display()))?;
    if let Err(err) = fs::rename(staging, out) {
        let _ = fs::rename(&retired, out);
        return Err(err)
            .with_context(|| format!("cannot move the new site into {}", out.display()));
    }
    let _ = fs::remove_dir_all(&retired);
    Ok(())
}

/// Atomically exchanges two folders (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: text.as_bytes().into(),
        }
    }

    #[test]
    fn a_second_publish_replaces_the_whole_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &[file("integrations.json", "{}"), file("old.html", "old")],
        )
        .unwrap();
        write(
            &out,
            &[file("integrations.json", "{}"), file("a/new.html", "new")],
        )
        .unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read_to_string(out.join("a/new.html")).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, ["public"]);
    }

    #[test]
    fn a_folder_that_is_not_a_site_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
        let err = write(dir.path(), &[file("integrations.json", "{}")]).unwrap_err();
        assert!(err.to_string().contains("refusing"), "{err}");
        assert!(dir.path().join("thesis.tex").exists());
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        assert!(site_path(Path::new("/x"), "../etc/passwd").is_err());
    }
}
