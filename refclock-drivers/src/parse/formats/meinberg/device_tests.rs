//! The simulated Meinberg receivers: zones, status characters, answers,
//! corruption.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceModel, DeviceSetup, Epoch, LeapWarning, Timeline};
use refclock_core::Timestamp;

use super::super::binary;
use super::super::codec::{decode_gps, decode_standard, STX};
use super::*;
use crate::parse::time::Status;

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> i64 {
    CivilTime::new(y, mo, d, h, mi, s)
        .to_timestamp()
        .unwrap()
        .secs()
}

fn device(mode: u32, options: &[(&str, &str)]) -> Box<dyn DeviceModel> {
    new(&DeviceSetup::new(mode, options)).unwrap()
}

fn one(d: &mut dyn DeviceModel, epoch: &Epoch) -> Vec<u8> {
    let mut out = Vec::new();
    d.second(epoch, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].on_time, 0);
    assert_eq!(out[0].bytes[0], STX);
    out.remove(0).bytes
}

struct NoTimeline;
impl Timeline for NoTimeline {
    fn epoch(&self, wall: i64) -> Epoch {
        Epoch::at(wall)
    }
}

#[test]
fn summer_time_in_2027() {
    // Last Sundays: 28 March and 31 October 2027, 01:00 UTC.
    assert!(!cest(ts(2027, 3, 28, 0, 59, 59)));
    assert!(cest(ts(2027, 3, 28, 1, 0, 0)));
    assert!(cest(ts(2027, 10, 31, 0, 59, 59)));
    assert!(!cest(ts(2027, 10, 31, 1, 0, 0)));
    assert!(!cest(ts(2027, 1, 1, 0, 0, 0)));
}

#[test]
fn dcf77_strings_in_cet_and_cest_decode_to_the_epoch() {
    for (mode, opts) in [
        (0, &[][..]),
        (2, &[("string", "extended")][..]),
        (22, &[("zone", "utc")][..]),
    ] {
        let mut d = device(mode, opts);
        for t in [
            ts(2027, 1, 1, 0, 0, 0),
            ts(2027, 3, 28, 0, 30, 0),
            ts(2027, 7, 1, 12, 0, 0),
            ts(2027, 12, 31, 23, 59, 59),
        ] {
            let e = Epoch::at(t);
            let s = one(d.as_mut(), &e);
            let p = decode_standard(&s).unwrap();
            let got = p
                .to_timestamp(e.named, &refclock_core::calendar::Basedate::RELEASE)
                .unwrap();
            assert_eq!(
                got,
                e.named,
                "mode {mode} {opts:?} {:?}",
                String::from_utf8_lossy(&s)
            );
            assert!(p.status.in_sync());
        }
    }
    // Within the hour before the change: `!`.
    let mut d = device(0, &[]);
    let s = one(d.as_mut(), &Epoch::at(ts(2027, 3, 28, 0, 30, 0)));
    assert!(decode_standard(&s).unwrap().status.has(Status::ANNOUNCE));
}

#[test]
fn invalid_epochs_and_leap_warnings() {
    let t = ts(2027, 6, 30, 23, 59, 0);
    let invalid = Epoch {
        valid: false,
        ..Epoch::at(t)
    };
    // DCF77: never synchronised: `#*`; after sync: `*` only.
    let mut d = device(0, &[]);
    let st = |s: &[u8]| decode_standard(s).unwrap().status;
    assert_eq!(
        st(&one(d.as_mut(), &invalid)),
        Status(Status::POWERUP | Status::NOSYNC | Status::DST)
    );
    one(d.as_mut(), &Epoch::at(t));
    assert_eq!(
        st(&one(d.as_mut(), &invalid)),
        Status(Status::NOSYNC | Status::DST)
    );
    d.reset();
    assert!(st(&one(d.as_mut(), &invalid)).powerup());
    // GPS: `#*` before the first sync, `#` after.
    let mut g = device(7, &[]);
    let gst = |s: &[u8]| decode_gps(s).unwrap().status;
    assert!(gst(&one(g.as_mut(), &invalid)).has(Status::POWERUP | Status::NOSYNC));
    one(g.as_mut(), &Epoch::at(t));
    let s = gst(&one(g.as_mut(), &invalid));
    assert!(s.powerup() && !s.has(Status::NOSYNC));
    // Leap warnings and the leap second.
    let warn = |leap| Epoch {
        leap,
        ..Epoch::at(t)
    };
    assert!(st(&one(d.as_mut(), &warn(LeapWarning::Insert))).leap_add());
    assert!(st(&one(d.as_mut(), &warn(LeapWarning::Delete))).leap_del());
    assert!(gst(&one(g.as_mut(), &warn(LeapWarning::Insert))).leap_add());
    assert!(gst(&one(g.as_mut(), &warn(LeapWarning::Delete))).leap_del());
    let sixty = Epoch::new(CivilTime::new(2027, 6, 30, 23, 59, 60));
    let s = one(g.as_mut(), &sixty);
    assert!(gst(&s).has(Status::LEAPSECOND));
    assert!(String::from_utf8_lossy(&s).contains("23:59:60"));
    let s = one(d.as_mut(), &sixty);
    assert!(String::from_utf8_lossy(&s).contains("U:01.59.60"), "CEST");
}

#[test]
fn the_gps_receiver_answers_queries() {
    let mut g = device(7, &[]);
    let mut out = Vec::new();
    let queries: Vec<u8> = binary::QUERY_SEQUENCE
        .iter()
        .flat_map(|&c| binary::query(c))
        .collect();
    // Split anywhere: the same answers.
    for cut in [0, 4, 13] {
        out.clear();
        g.input(&queries[..cut], Timestamp::EPOCH, &NoTimeline, &mut out);
        g.input(&queries[cut..], Timestamp::EPOCH, &NoTimeline, &mut out);
        let cmds: Vec<u16> = out
            .iter()
            .map(|m| u16::from_le_bytes([m.bytes[1], m.bytes[2]]))
            .collect();
        assert_eq!(
            cmds,
            vec![
                binary::GPS_SW_REV,
                binary::GPS_BVAR_STAT,
                binary::GPS_ASCII_MSG,
                binary::GPS_ANT_INFO
            ]
        );
    }
    // A corrupt answer fails its data checksum; a corrupt string its layout.
    let mut m = out.remove(0);
    assert!(g.corrupt(&mut m));
    assert!(matches!(
        binary::decode(&m.bytes),
        binary::Message::BadChecksum(_)
    ));
    let mut s = Vec::new();
    g.second(&Epoch::at(ts(2027, 1, 1, 0, 0, 0)), &mut s);
    assert!(g.corrupt(&mut s[0]));
    assert!(decode_gps(&s[0].bytes).is_err());
    // The DCF77 receivers answer nothing; unknown options are refused.
    let mut d = device(0, &[]);
    out.clear();
    d.input(&queries, Timestamp::EPOCH, &NoTimeline, &mut out);
    assert!(out.is_empty());
    assert!(new(&DeviceSetup::new(7, &[("string", "extended")])).is_err());
    assert!(new(&DeviceSetup::new(0, &[("colour", "red")])).is_err());
    assert_eq!(device(18, &[]).baud(), 19_200);
    assert_eq!(device(1, &[]).baud(), 9600);
}
