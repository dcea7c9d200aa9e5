//! Locks that let Portico processes share a mirror cache.
//!
//! A lock file sits beside each mirror (so discarding or replacing the mirror does not
//! touch it): a fetch holds it exclusively, and the build then holds it shared until it
//! has read the mirror, so that another process does not prune or replace a mirror under
//! its reader. The operating system releases a lock when its process dies.

use std::fs::File;
use std::path::{Path, PathBuf};

/// Shared locks on the mirrors a build is about to read: keep this alive until the
/// sources are read, so that another Portico process sharing the cache does not prune or
/// replace a mirror under the reader.
pub struct MirrorLocks(#[allow(dead_code)] Vec<MirrorLock>);

impl MirrorLocks {
    pub(super) fn new(locks: Vec<MirrorLock>) -> Self {
        MirrorLocks(locks)
    }

    /// No lock: nothing was fetched.
    pub(super) fn none() -> Self {
        MirrorLocks(Vec::new())
    }
}

/// Holds the lock of one mirror until dropped (the OS releases it if the process dies).
pub(super) struct MirrorLock(File);

/// The lock file of the mirror in `dir`. It sits beside the mirror, so discarding or
/// replacing the mirror does not touch it.
fn lock_path(dir: &Path) -> PathBuf {
    dir.with_extension("lock")
}

/// Takes the exclusive lock of the mirror in `dir`, for fetching into it; says so when it
/// has to wait for another process.
pub(super) fn lock_exclusive(dir: &Path, say: bool) -> Result<MirrorLock, String> {
    let path = lock_path(dir);
    let cannot = |err: std::io::Error| format!("cannot lock {}: {err}", path.display());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(cannot)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            if say {
                eprintln!(
                    "waiting for another Portico process to release {}",
                    dir.display()
                );
            }
            file.lock().map_err(cannot)?;
        }
        Err(std::fs::TryLockError::Error(err)) => return Err(cannot(err)),
    }
    Ok(MirrorLock(file))
}

/// Turns a fetch's exclusive lock into the shared lock the build holds while reading.
pub(super) fn share(lock: MirrorLock) -> Option<MirrorLock> {
    // Unlock first: converting a held lock in place is platform-dependent.
    lock.0.unlock().ok()?;
    lock.0.lock_shared().ok()?;
    Some(lock)
}

/// The shared lock of the mirror in `dir`, for reading it, if one can be had: a cache
/// that is read-only to this user (or a file system without locks) is read without one.
pub(super) fn lock_shared(dir: &Path) -> Option<MirrorLock> {
    let file = File::open(lock_path(dir)).ok()?;
    file.lock_shared().ok()?;
    Some(MirrorLock(file))
}
