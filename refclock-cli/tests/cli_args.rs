//! The `ntp-refclock` binary's command line, as a user meets it: listing,
//! version, help, and every kind of bad command line.

use std::process::{Command, Output};

fn ntp_refclock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntp-refclock"))
        .args(args)
        .output()
        .expect("run ntp-refclock")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn list_prints_ntpd_names() {
    let out = ntp_refclock(&["-l"]);
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(s.lines().any(|l| l == "127.127.20.*\tGPS_NMEA"), "{s}");
    for line in s.lines() {
        let (addr, name) = line.split_once('\t').expect("tab-separated");
        assert!(
            addr.starts_with("127.127.") && addr.ends_with(".*"),
            "{line}"
        );
        assert!(!name.is_empty());
    }
}

#[test]
fn version_and_help() {
    let out = ntp_refclock(&["-v"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("ntp-refclock "));
    let out = ntp_refclock(&["-h"]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(err.starts_with("Usage: "), "{err}");
    assert!(err.contains("-s SOCKET"));
}

#[test]
fn bad_command_lines_print_usage_and_exit_1() {
    for args in [
        vec![],
        vec!["-x", "127.127.20.0"],
        vec!["-s"],
        vec!["127.0.0.1"],
        vec!["127.127.20.0", "mode"],
        vec!["127.127.20.0", "mode", "fast"],
        vec!["127.127.20.0", "flag1", "yes"],
        vec!["127.127.20.0", "bogus", "1"],
        vec!["127.127.99.0"],
        vec!["-i", "x", "127.127.20.0"],
    ] {
        let out = ntp_refclock(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("Usage: "), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn missing_device_is_a_clear_startup_error() {
    let out = ntp_refclock(&["127.127.20.0", "path", "/nonexistent/gps0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("/nonexistent/gps0"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn missing_socket_is_a_clear_startup_error() {
    let out = ntp_refclock(&["-s", "/nonexistent/chrony.sock", "127.127.20.0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("/nonexistent/chrony.sock"), "{err}");
}

#[test]
fn unwritable_clockstats_is_a_clear_startup_error() {
    let out = ntp_refclock(&["-c", "/nonexistent/dir/clockstats", "127.127.20.0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Could not open /nonexistent/dir/clockstats"));
}

#[test]
fn man_page_documents_every_option_of_the_usage() {
    let man = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../doc/ntp-refclock.8"
    ))
    .expect("doc/ntp-refclock.8");
    let usage = text(&ntp_refclock(&["-h"]).stderr);
    let mut section = "";
    let mut checked = 0;
    for line in usage.lines() {
        if line.ends_with(':') && !line.starts_with(' ') {
            section = line;
            continue;
        }
        if line.trim().is_empty() {
            section = "";
            continue;
        }
        let word = line.split_whitespace().next().unwrap_or("");
        match section {
            "Options:" => {
                // roff writes "-s" as "\-s".
                let roff = word.replace('-', "\\-");
                let roff = roff.split('[').next().unwrap();
                assert!(man.contains(roff), "{word} missing from the man page");
                checked += 1;
            }
            "Driver options:" if !word.is_empty() => {
                let name = word.trim_end_matches(|c: char| c.is_ascii_digit());
                assert!(
                    man.contains(&format!(".BI {name}")) || man.contains(&format!(".BR {name}")),
                    "driver option {word} missing from the man page"
                );
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked > 15, "usage sections not found:\n{usage}");
}
