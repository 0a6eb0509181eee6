//! cargo-fuzz's files, generated from [`TARGETS`]: a `[[bin]]` in
//! `fuzz/Cargo.toml` and a `fuzz/fuzz_targets/NAME.rs` per target.
//!
//! `examples/gen_targets.rs` writes them ([`write()`]); `tests/generated.rs`
//! fails while they are out of step ([`problems`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::TARGETS;

/// The command that writes the files.
pub const COMMAND: &str = "cargo run -p refclock-fuzz-harness --example gen_targets";

/// The line of `fuzz/Cargo.toml` after which everything is generated.
pub const MARKER: &str =
    "# Generated from refclock_fuzz_harness::TARGETS by gen_targets: do not edit below.";

/// The `fuzz/` folder of this repository.
pub fn fuzz_dir() -> PathBuf {
    let harness = Path::new(env!("CARGO_MANIFEST_DIR"));
    harness.parent().unwrap_or(harness).to_path_buf()
}

/// `fuzz_targets/NAME.rs` of target `name`.
pub fn target_file(name: &str) -> String {
    format!(
        "//! Fuzz target `{name}`: its body is the entry of that name in\n\
         //! `refclock_fuzz_harness::TARGETS`. Written by\n\
         //! `{COMMAND}`; do not edit.\n\
         #![no_main]\n\
         \n\
         use libfuzzer_sys::fuzz_target;\n\
         \n\
         const BODY: refclock_fuzz_harness::Body = refclock_fuzz_harness::body_of(\"{name}\");\n\
         \n\
         fuzz_target!(|data: &[u8]| {{\n    \
             let _ = BODY(data);\n\
         }});\n"
    )
}

/// The generated part of `fuzz/Cargo.toml`: the marker and a `[[bin]]`
/// per target.
pub fn bins() -> String {
    let mut out = format!("{MARKER}\n");
    for t in TARGETS {
        out.push_str(&format!(
            "\n[[bin]]\nname = \"{0}\"\npath = \"fuzz_targets/{0}.rs\"\ntest = false\ndoc = false\nbench = false\n",
            t.name
        ));
    }
    out
}

/// `fuzz/Cargo.toml` as it should be: `current` up to the marker (or
/// up to its first `[[bin]]`, the first time), then [`bins`].
pub fn cargo_toml(current: &str) -> String {
    let keep = current
        .find(MARKER)
        .or_else(|| current.find("[[bin]]"))
        .unwrap_or(current.len());
    format!("{}\n\n{}", current[..keep].trim_end(), bins())
}

/// The `.rs` files of `fuzz_targets/`, sorted.
fn target_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// What is out of step in `fuzz` (a `fuzz/` folder): empty when
/// everything is as [`write()`] would leave it.
pub fn problems(fuzz: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let toml = fuzz.join("Cargo.toml");
    match fs::read_to_string(&toml) {
        Ok(text) if text == cargo_toml(&text) => {}
        Ok(_) => out.push(format!("{}: its [[bin]]s are not TARGETS'", toml.display())),
        Err(e) => out.push(format!("{}: {e}", toml.display())),
    }
    let dir = fuzz.join("fuzz_targets");
    for t in TARGETS {
        let file = dir.join(format!("{}.rs", t.name));
        match fs::read_to_string(&file) {
            Ok(text) if text == target_file(t.name) => {}
            Ok(_) => out.push(format!("{} differs", file.display())),
            Err(e) => out.push(format!("{}: {e}", file.display())),
        }
    }
    for file in target_files(&dir) {
        let stem = file.file_stem().unwrap_or_default().to_string_lossy();
        if !TARGETS.iter().any(|t| t.name == stem) {
            out.push(format!("{} is no target's", file.display()));
        }
    }
    out
}

/// Writes `fuzz/Cargo.toml`'s bins and `fuzz_targets/`, removing target
/// files of targets that are gone; returns what it changed.
pub fn write(fuzz: &Path) -> io::Result<Vec<String>> {
    let mut changed = Vec::new();
    let toml = fuzz.join("Cargo.toml");
    let text = fs::read_to_string(&toml)?;
    let want = cargo_toml(&text);
    if want != text {
        fs::write(&toml, want)?;
        changed.push(format!("wrote {}", toml.display()));
    }
    let dir = fuzz.join("fuzz_targets");
    fs::create_dir_all(&dir)?;
    for t in TARGETS {
        let file = dir.join(format!("{}.rs", t.name));
        let want = target_file(t.name);
        if fs::read_to_string(&file).ok().as_deref() != Some(want.as_str()) {
            fs::write(&file, want)?;
            changed.push(format!("wrote {}", file.display()));
        }
    }
    for file in target_files(&dir) {
        let stem = file.file_stem().unwrap_or_default().to_string_lossy();
        if !TARGETS.iter().any(|t| t.name == stem) {
            fs::remove_file(&file)?;
            changed.push(format!("removed {}", file.display()));
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("refclock-gen-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("fuzz_targets")).unwrap();
        dir
    }

    #[test]
    fn write_then_no_problems_and_stale_files_go() {
        let dir = scratch("write");
        fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"x\"\n\n[[bin]]\nname = \"old\"\npath = \"fuzz_targets/old.rs\"\n",
        )
        .unwrap();
        fs::write(dir.join("fuzz_targets/old.rs"), "// stale").unwrap();
        let before = problems(&dir);
        assert!(before.iter().any(|p| p.contains("old.rs is no target's")));
        assert!(before.iter().any(|p| p.contains("Cargo.toml")));
        let changed = write(&dir).unwrap();
        assert!(changed.iter().any(|c| c.starts_with("removed")));
        assert_eq!(problems(&dir), Vec::<String>::new());
        let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(toml.starts_with("[package]\nname = \"x\"\n\n# Generated"));
        assert!(!toml.contains("\"old\""));
        assert!(toml.contains("name = \"nmea_driver\""));
        // A second run changes nothing.
        assert!(write(&dir).unwrap().is_empty());
        // A hand edit is found.
        fs::write(dir.join("fuzz_targets/calendar.rs"), "// edited").unwrap();
        assert_eq!(problems(&dir).len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn target_files_call_their_body() {
        let f = target_file("nmea_driver");
        assert!(f.contains("refclock_fuzz_harness::body_of(\"nmea_driver\")"));
        assert!(f.contains("#![no_main]"));
    }
}
