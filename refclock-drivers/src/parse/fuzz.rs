//! The PARSE driver under the fuzzer (feature `testkit`): `parse_decode`
//! feeds bytes to the format of the mode the first byte names,
//! `parse_roundtrip` runs the round trip of that mode's format family,
//! and `parse_driver` runs the script runner over modes 0..=31 (+128).
//!
//! Besides the runner's generic properties, [`ParseChecks`] checks what
//! every mode keeps: the port is `/dev/refclock-U` with the clock
//! table's settings, PPS only with mode + 128, and a sample only from a
//! read (never from the timer or a poll), with a leap indicator other
//! than "not in sync".

use std::path::PathBuf;

use refclock_core::calendar::Basedate;
use refclock_core::{Action, Clock, DriverConfig, Refclock, Timestamp};

use super::clockinfo::clock_info;
use super::format::Decoded;
use super::{formats, ParseDriver};
use crate::testkit::{Call, Checker, FuzzCodec, FuzzDriver, Rules};

/// Feeds `data[1..]` to the format of mode `data[0] % 25` in reads cut
/// where the format's frames would not be; returns the number of
/// timecodes decoded.
pub fn decode(data: &[u8]) -> usize {
    let Some((&mode, rest)) = data.split_first() else {
        return 0;
    };
    let Some(mut format) = formats::for_mode(mode % 25, &Basedate::default()) else {
        return 0;
    };
    let mut out = Vec::new();
    let mut t = Timestamp::from_secs(1_795_000_000);
    for chunk in rest.chunks(7) {
        format.feed(chunk, t, &mut out);
        t = t.add_secs_f64(0.013);
    }
    out.iter()
        .filter(|d| matches!(d, Decoded::Time { .. }))
        .count()
}

impl FuzzCodec for ParseDriver {
    fn decode(data: &[u8]) -> usize {
        decode(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        let Some((&mode, rest)) = data.split_first() else {
            return 0;
        };
        formats::fuzz_roundtrip(mode % 25, rest)
    }

    /// One timecode of each mode that has examples, the mode first.
    fn examples() -> Vec<Vec<u8>> {
        formats::fuzz_examples()
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        message.get(1..).unwrap_or_default().to_vec()
    }
}

impl FuzzDriver for ParseDriver {
    /// Modes 0..=31 (25..=31 do not exist), PPS, and two bits no mode has.
    const MODE_BITS: [u32; 16] = [
        0x1,
        0x2,
        0x4,
        0x8,
        0x10,
        0x80,
        0x1,
        0x2,
        0x4,
        0x8,
        0x10,
        0x80,
        0x1,
        0x4,
        0x100,
        0x8000_0000,
    ];

    fn rules(config: &DriverConfig) -> Rules {
        Rules {
            must_start: clock_info(config.fudge.mode & 0x7f).is_some()
                && config.fudge.mode & !0xff == 0
                && formats::for_mode((config.fudge.mode & 0x7f) as u8, &config.basedate).is_some(),
            ..Rules::default()
        }
    }

    fn checker(config: &DriverConfig) -> Box<dyn Checker<Self>> {
        Box::new(ParseChecks {
            unit: config.unit,
            started: false,
        })
    }
}

/// PARSE's own properties under the script runner.
#[derive(Debug)]
pub struct ParseChecks {
    unit: u8,
    started: bool,
}

impl Checker<ParseDriver> for ParseChecks {
    fn check(&mut self, clock: &Clock<ParseDriver>, call: &Call<'_>, actions: &[Action]) {
        if !self.started {
            self.started = true;
            let info = clock.driver().clock_info();
            let ports = clock.ports();
            assert_eq!(ports.list.len(), 1, "one device");
            let kind = &ports.list[0].kind;
            let path = PathBuf::from(format!("/dev/refclock-{}", self.unit));
            assert_eq!(kind.path(), Some(path.as_path()));
            assert_eq!(kind.serial_config(), Some(&info.serial));
            let pps = clock.state().fudge.mode & 0x80 != 0;
            assert_eq!(ports.pps.is_some(), pps, "PPS only with mode + 128");
        }
        let samples = actions
            .iter()
            .filter(|a| matches!(a, Action::Sample(_)))
            .count();
        if samples > 0 {
            assert!(
                matches!(call, Call::Receive { .. }),
                "a sample from {call:?}"
            );
        }
        for a in actions {
            if let Action::Sample(s) = a {
                assert_ne!(s.leap, refclock_core::Leap::NotInSync, "{s:?}");
                assert!(!s.pulse, "PARSE samples name their second");
            }
        }
    }
}
