//! Finding `ntp-refclock`: the path in `NTP_REFCLOCK_BIN`, or
//! `target/release/ntp-refclock`, built with `cargo build --release -p
//! refclock-cli` when it is missing or older than its sources.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::runner::BenchError;

/// The environment variable naming an `ntp-refclock` to run instead.
pub const BIN_ENV: &str = "NTP_REFCLOCK_BIN";

/// The crates `ntp-refclock` is built from, relative to the workspace.
pub const SOURCES: [&str; 5] = [
    "refclock-core",
    "refclock-drivers",
    "refclock-sock",
    "refclock-sim",
    "refclock-cli",
];

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// Cargo's target directory: `CARGO_TARGET_DIR` or `<workspace>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_relative() { root.join(p) } else { p })
        .unwrap_or_else(|| root.join("target"))
}

/// The newest modification time of the files under `dir` (recursively);
/// `None` when there are none.
pub fn newest_mtime(dir: &Path) -> io::Result<Option<SystemTime>> {
    let meta = fs::metadata(dir)?;
    if !meta.is_dir() {
        return Ok(Some(meta.modified()?));
    }
    let mut newest = None;
    for entry in fs::read_dir(dir)? {
        let t = newest_mtime(&entry?.path())?;
        newest = newest.max(t);
    }
    Ok(newest)
}

/// Whether `binary` is missing or older than any file of its sources
/// (`src/` and `Cargo.toml` of each crate in [`SOURCES`], and the
/// workspace's `Cargo.lock`).
pub fn needs_build(root: &Path, binary: &Path) -> io::Result<bool> {
    let built = match fs::metadata(binary) {
        Ok(m) => m.modified()?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e),
    };
    let mut newest = newest_mtime(&root.join("Cargo.lock")).ok().flatten();
    for c in SOURCES {
        for p in ["src", "Cargo.toml"] {
            newest = newest.max(newest_mtime(&root.join(c).join(p))?);
        }
    }
    Ok(newest.is_some_and(|t| t > built))
}

/// The `ntp-refclock` to run: `NTP_REFCLOCK_BIN`, or the workspace's
/// release build (built first when needed, with cargo's output on
/// stderr).
pub fn ntp_refclock() -> Result<PathBuf, BenchError> {
    if let Some(p) = std::env::var_os(BIN_ENV) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(BenchError::Build(format!(
                "{BIN_ENV}={} is not a file",
                p.display()
            )))
        };
    }
    let root = workspace_root();
    let binary = target_dir(&root).join("release").join("ntp-refclock");
    let stale = needs_build(&root, &binary)
        .map_err(|e| BenchError::Build(format!("checking the sources: {e}")))?;
    if stale {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        eprintln!("building {} ...", binary.display());
        let status = Command::new(cargo)
            .current_dir(&root)
            .args([
                "build",
                "--release",
                "-p",
                "refclock-cli",
                "--bin",
                "ntp-refclock",
            ])
            .status()
            .map_err(|e| BenchError::Build(format!("running cargo: {e}")))?;
        if !status.success() {
            return Err(BenchError::Build(format!("cargo build: {status}")));
        }
    }
    if !binary.is_file() {
        return Err(BenchError::Build(format!(
            "{} does not exist after the build",
            binary.display()
        )));
    }
    Ok(binary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_follows_modification_times() {
        let dir = std::env::temp_dir().join(format!("refclock-latency-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for c in SOURCES {
            fs::create_dir_all(dir.join(c).join("src/deep")).unwrap();
            fs::write(dir.join(c).join("Cargo.toml"), "").unwrap();
            fs::write(dir.join(c).join("src/deep/x.rs"), "").unwrap();
        }
        let bin = dir.join("ntp-refclock");
        assert!(needs_build(&dir, &bin).unwrap(), "missing binary");
        fs::write(&bin, "").unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        let set = |p: &Path, t: SystemTime| {
            fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(t)
                .unwrap()
        };
        for c in SOURCES {
            set(&dir.join(c).join("Cargo.toml"), old);
            set(&dir.join(c).join("src/deep/x.rs"), old);
        }
        assert!(
            !needs_build(&dir, &bin).unwrap(),
            "binary newer than sources"
        );
        set(&bin, old - std::time::Duration::from_secs(60));
        assert!(
            needs_build(&dir, &bin).unwrap(),
            "a source newer than the binary"
        );
        assert_eq!(
            newest_mtime(&dir.join("refclock-cli/src")).unwrap(),
            Some(old)
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
