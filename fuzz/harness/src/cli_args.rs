//! Target `cli_args`: the command line parser
//! (`refclock_cli::args::parse`) on arbitrary argument vectors.
//!
//! The input is split at NUL bytes into arguments (invalid UTF-8 becomes
//! U+FFFD, as `std::env::args_os` would need converting anyway).
//!
//! ## Properties
//!
//! No panic, a deterministic verdict, printable errors, and for an
//! accepted command line:
//!
//! * `-l`, `-v`, `-h` only when such a letter was given in an option
//!   cluster;
//! * a run has a poll exponent ≤ 17, at most [`MAX_PHONES`] phone
//!   numbers, no more `-d` than `d` letters were given, a driver
//!   type this build has, stratum ≤ 15, finite `time1`/`time2` below
//!   10^6 s, a refid of printable ASCII, only flags 1-4;
//! * every string value (socket, user, root dir, clockstats, phones,
//!   device paths) is an argument or the tail of one.

use refclock_cli::args::{parse, Command, DEFAULT_ROOTDIR, DEFAULT_USER, MAX_PHONES};
use refclock_drivers::registry;

/// Splits the input into arguments at NUL bytes.
pub fn split_args(data: &[u8]) -> Vec<String> {
    if data.is_empty() {
        return Vec::new();
    }
    data.split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The input for an argument vector (arguments must not contain NUL).
pub fn encode(args: &[&str]) -> Vec<u8> {
    args.join("\0").into_bytes()
}

/// Runs the checks; returns 1 when the command line was accepted.
pub fn cli_args(data: &[u8]) -> usize {
    let args = split_args(data);
    let r = parse(&args);
    assert_eq!(r, parse(&args.clone()), "parse is deterministic");
    let cmd = match r {
        Ok(c) => c,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return 0;
        }
    };
    let in_cluster = |letter: char| {
        args.iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(letter))
    };
    let from_args = |v: &str| args.iter().any(|a| a.ends_with(v));
    match cmd {
        Command::List => assert!(in_cluster('l')),
        Command::Version => assert!(in_cluster('v')),
        Command::Help => assert!(in_cluster('h')),
        Command::Run(o) => {
            assert!(o.poll <= 17, "poll {}", o.poll);
            assert!(o.phones.len() <= MAX_PHONES, "{} phones", o.phones.len());
            let ds: usize = args
                .iter()
                .filter(|a| a.starts_with('-'))
                .map(|a| a.matches('d').count())
                .sum();
            assert!(
                usize::from(o.debug) <= ds,
                "debug {} from {ds} d's",
                o.debug
            );
            assert!(
                o.user == DEFAULT_USER || from_args(&o.user),
                "user {:?}",
                o.user
            );
            for v in o.phones.iter().chain(o.clockstats.as_ref()) {
                assert!(from_args(v), "value {v:?} not from the arguments");
            }
            for p in [Some(&o.root_dir), o.socket.as_ref()]
                .into_iter()
                .flatten()
                .chain(o.clock.device.as_ref())
                .chain(o.clock.pps_device.as_ref())
            {
                let p = p.to_str().expect("paths built from strings");
                assert!(from_args(p) || p == DEFAULT_ROOTDIR, "path {p:?}");
            }
            if let Some(s) = &o.simulate {
                assert!(s == "clean" || from_args(s));
            }
            let entry = registry::by_kind(o.clock.kind).expect("a known driver type");
            assert!(entry.implemented().is_some(), "a driver this build lacks");
            let f = &o.clock.fudge;
            assert!(f.stratum.is_none_or(|s| s <= 15));
            for t in [f.time1, f.time2].into_iter().flatten() {
                assert!(t.is_finite() && t.abs() < 1e6, "fudge time {t}");
            }
            if let Some(r) = f.refid {
                let text = f.refid_str().expect("a refid");
                assert!(!text.is_empty() && text.len() <= 4);
                assert!(text.bytes().all(|b| b.is_ascii_graphic()));
                assert_eq!(&r[..text.len()], text.as_bytes());
            }
            assert_eq!(f.flags.bits() & !0xf, 0);
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_and_refused_lines() {
        let ok = encode(&[
            "-d",
            "-s",
            "/run/c.sock",
            "127.127.20.0",
            "mode",
            "0x50",
            "time2",
            "0.5",
        ]);
        assert_eq!(cli_args(&ok), 1);
        assert_eq!(cli_args(&encode(&["nmea", "unit", "3", "refid", "GPS"])), 1);
        assert_eq!(cli_args(&encode(&["-i", "18", "nmea"])), 0);
        assert_eq!(cli_args(b""), 0);
        assert_eq!(cli_args(b"\xff\xfe"), 0);
    }

    #[test]
    fn split_keeps_empty_arguments() {
        assert_eq!(split_args(b"a\0\0b"), vec!["a", "", "b"]);
        assert!(split_args(b"").is_empty());
    }
}
