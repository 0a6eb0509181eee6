//! Every driver of `refclock-drivers` can be chosen in a build of
//! `ntp-refclock`: each driver feature has a forwarding feature here, both
//! are on by default, and the default build lists them all (`-l`).

use std::path::Path;

/// The `[features]` table of a manifest, as (name, value) lines.
fn features(manifest: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[features]";
            continue;
        }
        if !inside || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn value<'a>(f: &'a [(String, String)], key: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[test]
fn every_driver_feature_is_forwarded_and_on_by_default() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let drivers = features(&here.join("../refclock-drivers/Cargo.toml"));
    let cli = features(&here.join("Cargo.toml"));
    let driver_default = value(&drivers, "default").expect("drivers' default");
    let cli_default = value(&cli, "default").expect("CLI's default");
    // The driver features: those other than default and the tool ones.
    let names: Vec<&str> = drivers
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !["default", "sim", "testkit"].contains(k))
        .collect();
    assert!(names.len() >= 3, "{names:?}");
    for name in &names {
        let quoted = format!("\"{name}\"");
        assert!(
            driver_default.contains(&quoted),
            "{name} not in the drivers' default"
        );
        assert!(
            cli_default.contains(&quoted),
            "{name} not in the CLI's default"
        );
        assert_eq!(
            value(&cli, name),
            Some(format!("[\"refclock-drivers/{name}\"]").as_str()),
            "the CLI does not forward {name}"
        );
    }
    // And the default build has every driver of the registry.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ntp-refclock"))
        .arg("-l")
        .output()
        .unwrap();
    let listing = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listing.lines().count(), names.len(), "{listing}");
}
