//! gpsd's TSIP captures replayed through the driver: every time it
//! decodes is a time gpsd's decoding (the `.chk` TPV records) names.
//!
//! The `trimble-smt-360.log` header says "incorrect time by 2.7 days". Its
//! 8F-AB packets, gpsd's current `.chk` and the header's own date
//! (2019-10-22T18:38:10Z) all agree on 2019-10-22 18:38:11 for the first
//! packet: the note is stale. 2.7 days is about the packets' time of week
//! (239 909 s), which an earlier gpsd apparently showed without its week.
//! The test checks the first time against the header's date as well.

use std::collections::BTreeSet;

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, PortEvent, PortId,
};
use refclock_core::{Refclock, Timestamp};

use super::TrimbleDriver;
use crate::testkit::Testdata;

/// A clock for `mode`, its port opened.
pub(super) fn clock(mode: u32, flags: ClockFlags, basedate: Basedate) -> Clock<TrimbleDriver> {
    let mut c = Clock::start(DriverConfig {
        fudge: Fudge {
            mode,
            flags,
            ..Fudge::default()
        },
        basedate,
        ..DriverConfig::default()
    })
    .expect("starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c
}

/// What a replay gave: the Unix second of each sample's reference time,
/// and the events.
#[derive(Debug, Default)]
pub(super) struct Replay {
    pub(super) seconds: Vec<i64>,
    pub(super) events: Vec<ClockEvent>,
    pub(super) leaps: Vec<refclock_core::Leap>,
}

/// Feeds `bytes` one byte a read at `rec`, polling whenever no poll is
/// pending, so that every good time report gives a sample.
pub(super) fn replay(c: &mut Clock<TrimbleDriver>, bytes: &[u8], rec: Timestamp) -> Replay {
    let mut r = Replay::default();
    c.poll(rec);
    for &b in bytes {
        c.receive(PortId::MAIN, &[b], rec);
        if !c.driver().poll_pending() {
            c.poll(rec);
        }
        for a in c.take_actions() {
            match a {
                Action::Sample(s) => {
                    let reference = s.time.add_secs_f64(s.offset);
                    r.seconds.push(reference.secs());
                    r.leaps.push(s.leap);
                }
                Action::Event(e) => r.events.push(e),
                _ => {}
            }
        }
    }
    r
}

fn ts(y: i32, mo: u8, d: u8) -> Timestamp {
    CivilTime::new(y, mo, d, 12, 0, 0).to_timestamp().unwrap()
}

/// Each capture, the mode (and flags) that read it, the receive date
/// (the capture's), the number of time reports it holds.
/// Capture, mode, flag2, date (y, m, d), time reports.
type Case = (&'static str, u32, bool, (i32, u8, u8), usize);

const CAPTURES: &[Case] = &[
    // Lassen iQ: 0x41 once a second, the ACE III's / Copernicus' report.
    ("trimble-lassen_iq.log", 7, false, (2006, 11, 26), 6),
    ("trimble-lassen_iq.log", 6, true, (2006, 11, 26), 6),
    ("trimble-lassen_iq-3dfix.log", 7, false, (2006, 11, 26), 10),
    ("trimble-lasseniq-bin2d.log", 7, false, (2019, 11, 1), 6),
    // Resolution SMT family: 8F-AB / 8F-AC.
    ("trimble-ressmt360-dr.log", 5, false, (2024, 3, 5), 27),
    ("trimble-smt-360.log", 5, false, (2019, 10, 22), 59),
    ("trimble-smt-360.log", 2, false, (2019, 10, 22), 59),
    ("trimble-smtx.log", 5, false, (2019, 12, 22), 30),
    // RES 720: TSIPv1 A1-00.
    ("trimble-res720.log", 5, false, (2022, 2, 21), 17),
    ("trimble-res720.log", 2, false, (2022, 2, 21), 17),
];

#[test]
fn captures_agree_with_gpsd() {
    let Some(data) = Testdata::locate(env!("CARGO_MANIFEST_DIR")) else {
        return;
    };
    for &(name, mode, flag2, (y, m, d), count) in CAPTURES {
        let capture = data.capture(name).expect(name);
        let tpv: BTreeSet<i64> = capture.tpv_times();
        assert!(!tpv.is_empty(), "{name}");
        let flags = if flag2 {
            ClockFlags::FLAG2
        } else {
            ClockFlags::empty()
        };
        let mut c = clock(mode, flags, Basedate::from_ymd(2000, 1, 1).unwrap());
        // The RES 720 capture starts with gpsd's own JSON lines, and one
        // capture ends with a newline after its last packet: bytes outside
        // any packet, which the driver counts (see `junk_is_counted`).
        let body = capture.body();
        let body = &body[body.iter().position(|&b| b == 0x10).unwrap_or(0)..];
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        let r = replay(&mut c, body, ts(y, m, d));
        assert_eq!(
            r.seconds.len(),
            count,
            "{name} mode {mode}: {:?}",
            r.seconds
        );
        for s in &r.seconds {
            assert!(tpv.contains(s), "{name} mode {mode}: {s} is no TPV time");
        }
        // Distinct seconds, one report each.
        let distinct: BTreeSet<i64> = r.seconds.iter().copied().collect();
        assert_eq!(distinct.len(), count, "{name}");
        assert!(
            !r.events.contains(&ClockEvent::BadReply),
            "{name} mode {mode}: {:?}",
            r.events
        );
        if name == "trimble-smt-360.log" {
            let header = CivilTime::new(2019, 10, 22, 18, 38, 11)
                .to_timestamp()
                .unwrap();
            assert_eq!(r.seconds[0], header.secs());
        }
        if name == "trimble-res720.log" {
            assert!(c.driver().tsip_v1());
        }
        eprintln!(
            "{name} mode {mode}: {count} times, all gpsd TPV times ({} TPV)",
            tpv.len()
        );
    }
}
