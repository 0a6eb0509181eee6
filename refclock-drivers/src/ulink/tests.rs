//! The three Ultralink layouts, the `N` lines, the CR stamps in
//! canonical and raw reads, and the driver on scripted input.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortId, Refclock, Timestamp,
};

use super::codec::{self, LeapWarning, Model, UlinkError, UlinkTime};
use super::*;

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

const M33X: &[u8] = b"S9 1 Lk 2024+015UTCS 12:45:30 +0";
const M325: &[u8] = b"R5 1C00%2024+015UTCS 12:45:30 +0";
const M320: &[u8] = b"S5R2024015+12:45:30.25  ";

#[test]
fn layouts() {
    let t = codec::decode(M33X).unwrap();
    let want = UlinkTime {
        model: Model::M33x,
        signal: b'S',
        year: 2024,
        day: 15,
        hour: 12,
        minute: 45,
        second: 30,
        hundredths: 0,
        sync: true,
        leap: LeapWarning::None,
    };
    assert_eq!(t, want);
    assert_eq!(codec::encode(&t), M33X);
    let t = codec::decode(M325).unwrap();
    assert_eq!(
        t,
        UlinkTime {
            model: Model::M325,
            signal: b'R',
            ..want
        }
    );
    assert_eq!(codec::encode(&t), M325);
    let t = codec::decode(M320).unwrap();
    assert_eq!(
        t,
        UlinkTime {
            model: Model::M320,
            hundredths: 25,
            ..want
        }
    );
    assert_eq!(codec::encode(&t), M320);
}

#[test]
fn sync_and_leap_characters() {
    let mut l = M33X.to_vec();
    l[23] = b'?';
    assert!(!codec::decode(&l).unwrap().sync);
    l[29] = b'+';
    assert_eq!(codec::decode(&l).unwrap().leap, LeapWarning::Insert);
    l[29] = b'-';
    assert_eq!(codec::decode(&l).unwrap().leap, LeapWarning::Delete);
    let mut l = M325.to_vec();
    l[29] = b'I';
    assert_eq!(codec::decode(&l).unwrap().leap, LeapWarning::Insert);
    l[29] = b'+';
    assert_eq!(codec::decode(&l).unwrap().leap, LeapWarning::None);
    let mut l = M320.to_vec();
    l[0] = b'?';
    l[22] = b'D';
    let t = codec::decode(&l).unwrap();
    assert!(!t.sync);
    assert_eq!(t.leap, LeapWarning::Delete);
    // The N (noisy) 33x line is a 33x line.
    let mut n = M33X.to_vec();
    n[0] = b'N';
    let t = codec::decode(&n).unwrap();
    assert_eq!((t.model, t.signal, t.sync), (Model::M33x, b'N', true));
}

#[test]
fn errors() {
    assert_eq!(codec::decode(b"S9+1"), Err(UlinkError::Length { found: 4 }));
    let mut x = M33X.to_vec();
    x[0] = b'X';
    assert_eq!(codec::decode(&x), Err(UlinkError::Model { found: 'X' }));
    let mut x = M33X.to_vec();
    x[25] = b'x';
    assert!(matches!(
        codec::decode(&x),
        Err(UlinkError::Field {
            field: "minute",
            ..
        })
    ));
    let mut x = M320.to_vec();
    x[19] = b':';
    assert!(matches!(codec::decode(&x), Err(UlinkError::Field { .. })));
    // Found by the fuzzer: a 320 line opening with a byte beyond ASCII.
    let mut x = M320.to_vec();
    x[0] = 0xe9;
    assert!(matches!(
        codec::decode(&x),
        Err(UlinkError::Field {
            field: "sync state",
            ..
        })
    ));
    let mut x = M33X.to_vec();
    x[13..16].copy_from_slice(b"367");
    let e = codec::decode(&x).unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadTime);
    assert_eq!(
        UlinkError::Length { found: 0 }.event(),
        ClockEvent::BadReply
    );
}

fn clock(flags: ClockFlags) -> Clock<UlinkDriver> {
    Clock::<UlinkDriver>::start(DriverConfig {
        fudge: Fudge {
            flags,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap()
}

fn samples(actions: &[Action]) -> Vec<refclock_core::Sample> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

/// The 33x stream as canonical reads: each line ends with the next
/// second's CR (a NL), then the LF alone. Every sample is stamped with
/// the CR before its line.
#[test]
fn continuous_33x_in_canonical_reads() {
    let mut c = clock(ClockFlags::empty());
    let base = ts(2024, 1, 15, 12, 45, 30).secs();
    let line = |s: u8| {
        let t = UlinkTime {
            second: s,
            ..codec::decode(M33X).unwrap()
        };
        codec::encode(&t)
    };
    let mut got = Vec::new();
    for k in 0..5u8 {
        let cr = Timestamp::new(base + i64::from(k), 1_000_000);
        let mut read = if k == 0 { Vec::new() } else { line(29 + k) };
        read.push(b'\n');
        c.receive(PortId::MAIN, &read, cr);
        c.receive(PortId::MAIN, b"\n", Timestamp::new(cr.secs(), 2_000_000));
        got.extend(samples(&c.take_actions()));
    }
    assert_eq!(got.len(), 4, "{got:?}");
    for s in got {
        assert!((s.offset + 0.001).abs() < 1e-9, "{s:?}");
        assert_eq!(s.leap, Leap::NoWarning);
    }
}

/// Raw bytes in one read (as replayed): the CR is still the mark.
#[test]
fn raw_reads_split_anywhere() {
    let base = ts(2024, 1, 15, 12, 45, 30).secs();
    let mut stream = Vec::new();
    for s in [30u8, 31, 32] {
        stream.extend_from_slice(b"\r\n");
        stream.extend_from_slice(&codec::encode(&UlinkTime {
            second: s,
            ..codec::decode(M33X).unwrap()
        }));
    }
    stream.extend_from_slice(b"\r\n");
    for cut in 0..stream.len() {
        let mut c = clock(ClockFlags::empty());
        c.receive(PortId::MAIN, &stream[..cut], Timestamp::from_secs(base));
        c.receive(PortId::MAIN, &stream[cut..], Timestamp::from_secs(base));
        let n = samples(&c.take_actions()).len();
        // A line whose CR came in the second read is stamped with it:
        // all three give a sample at offset 0 (one second's lines).
        assert_eq!(n, 3, "cut at {cut}");
    }
}

#[test]
fn noisy_lines_give_right_samples() {
    let mut c = clock(ClockFlags::empty());
    let rec = ts(2024, 1, 15, 12, 45, 30);
    let mut n = M33X.to_vec();
    n[0] = b'N';
    let mut s = b"\r\n".to_vec();
    s.extend_from_slice(&n);
    s.extend_from_slice(b"\r\n");
    c.receive(PortId::MAIN, &s, rec);
    let got = samples(&c.take_actions());
    assert_eq!(got.len(), 1);
    assert!(got[0].offset.abs() < 1e-9, "{got:?}");
}

#[test]
fn polled_320_with_hundredths() {
    let mut c = clock(ClockFlags::FLAG1);
    let rec = Timestamp::new(ts(2024, 1, 15, 12, 45, 30).secs(), 250_000_000);
    c.poll(rec);
    let a = c.take_actions();
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::Write { data, .. } if data == b"T")));
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::Event(ClockEvent::Timeout))));
    c.receive(PortId::MAIN, b"\n", rec);
    c.receive(PortId::MAIN, b"\n", rec);
    let mut l = M320.to_vec();
    l.push(b'\n');
    c.receive(PortId::MAIN, &l, Timestamp::new(rec.secs(), 277_000_000));
    let got = samples(&c.take_actions());
    assert_eq!(got.len(), 1);
    assert!(got[0].offset.abs() < 1e-9, "{got:?}");
    c.poll(rec);
    let a = c.take_actions();
    assert!(a.iter().any(|a| matches!(a, Action::Filtered(_))));
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::ClockStats(l) if l.as_bytes() == M320)));
}

#[test]
fn not_in_sync_and_leap() {
    let rec = ts(2024, 1, 15, 12, 45, 30);
    let run = |line: &[u8]| {
        let mut c = clock(ClockFlags::empty());
        let mut s = b"\r\n".to_vec();
        s.extend_from_slice(line);
        s.extend_from_slice(b"\r\n");
        c.receive(PortId::MAIN, &s, rec);
        let n = samples(&c.take_actions()).len();
        c.poll(rec);
        let timeout = c
            .take_actions()
            .iter()
            .any(|a| matches!(a, Action::Event(ClockEvent::Timeout)));
        (n, c.state().leap, timeout)
    };
    let mut l = M33X.to_vec();
    l[23] = b'?';
    assert_eq!(run(&l), (0, Leap::NotInSync, false));
    let mut l = M33X.to_vec();
    l[29] = b'+';
    assert_eq!(run(&l), (1, Leap::AddSecond, false));
    assert_eq!(run(b"garbage"), (0, Leap::NotInSync, true));
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_receivers() {
    use refclock_core::sim::{DeviceSetup, Epoch, Timeline};
    struct Plain;
    impl Timeline for Plain {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }
    let secs = ts(2024, 1, 15, 12, 45, 30).secs();
    let mut dev = device::new(&DeviceSetup::new(0, &[("noisy", "2")])).unwrap();
    let mut out = Vec::new();
    dev.second(&Epoch::at(secs), &mut out);
    dev.second(&Epoch::at(secs + 1), &mut out);
    assert_eq!(&out[0].bytes[..2], b"\r\n");
    assert_eq!(out[0].bytes[2], b'S');
    assert_eq!(out[1].bytes[2], b'N');
    assert!(codec::decode(&out[1].bytes[2..]).unwrap().sync);
    for (model, hundredths) in [("320", 26), ("325", 0)] {
        let mut dev = device::new(&DeviceSetup::new(0, &[("model", model)])).unwrap();
        let mut out = Vec::new();
        dev.second(&Epoch::at(secs), &mut out);
        assert!(out.is_empty());
        let now = Timestamp::new(secs, 255_000_000);
        dev.input(b"T", now, &Plain, &mut out);
        assert_eq!(out.len(), 1);
        let m = &out[0];
        let line: Vec<u8> = m.bytes[2..m.bytes.len() - 1]
            .iter()
            .map(|b| b & 0x7f)
            .collect();
        let t = codec::decode(&line).unwrap();
        assert_eq!(t.hundredths, hundredths, "{model}");
        assert_eq!(
            m.named.unwrap().subsec_nanos(),
            u32::from(hundredths) * 10_000_000
        );
        let mut bad = m.clone();
        assert!(dev.corrupt(&mut bad));
        let line: Vec<u8> = bad.bytes[2..bad.bytes.len() - 1]
            .iter()
            .map(|b| b & 0x7f)
            .collect();
        assert!(codec::decode(&line).is_err(), "{model}");
    }
    assert!(device::new(&DeviceSetup::new(0, &[("model", "999")])).is_err());
}
