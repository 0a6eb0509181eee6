//! Tests of the Spectracom codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Sample,
    Timestamp,
};

use super::codec::{self, Format, SpectracomError, Timecode};
use super::*;
use crate::testkit::Outcome;
use refclock_core::Refclock;

/// 1991-08-04 15:36:43 UTC, the second of ntp's README.timecodes.
const REAL_SECS: i64 = 681_320_203;
const REAL2: &[u8] = b"  92 216 15:36:43.640  D";
const REAL0: &[u8] = b"   216 15:36:43  TZ=0";

fn ts(secs: i64, ms: u32) -> Timestamp {
    Timestamp::new(secs, ms * 1_000_000)
}

fn clock_with(fudge: Fudge) -> Clock<SpectracomDriver> {
    let mut c = Clock::<SpectracomDriver>::start(DriverConfig {
        fudge,
        ..DriverConfig::default()
    })
    .expect("starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c
}

fn clock() -> Clock<SpectracomDriver> {
    clock_with(Fudge::default())
}

fn feed(c: &mut Clock<SpectracomDriver>, data: &[u8], rec: Timestamp) -> Vec<Action> {
    c.receive(PortId::MAIN, data, rec);
    c.take_actions()
}

fn samples(actions: &[Action]) -> Vec<Sample> {
    Outcome::of(actions.to_vec()).samples
}

fn events(actions: &[Action]) -> Vec<ClockEvent> {
    Outcome::of(actions.to_vec()).events
}

fn code_at(format: Format, secs: i64, sync: u8, leap: u8) -> Vec<u8> {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    codec::encode(&Timecode {
        format,
        sync,
        quality: b' ',
        year: if format == Format::F0 {
            None
        } else {
            Some(t.year as u16)
        },
        day: t.yday(),
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        millis: 0,
        leap,
        dst: b'S',
        zone: 0,
    })
}

#[test]
fn real_format2_timecode() {
    let t = codec::decode(REAL2).unwrap();
    assert_eq!(t.format, Format::F2);
    assert_eq!(
        (t.year, t.day, t.hour, t.minute, t.second, t.millis),
        (Some(92), 216, 15, 36, 43, 640)
    );
    assert!(t.in_sync());
    assert!(!t.leap_warning());
    assert_eq!(t.dst, b'D');
    assert_eq!(codec::encode(&t), REAL2);
}

#[test]
fn readme_format0_lacks_a_zone_digit() {
    // ntp's README shows "TZ=0": 21 characters, which the driver refuses;
    // the clock sends two digits.
    assert_eq!(codec::decode(REAL0), Err(SpectracomError::Length(21)));
    let t = codec::decode(b"   216 15:36:43  TZ=00").unwrap();
    assert_eq!(t.format, Format::F0);
    assert_eq!((t.day, t.hour, t.minute, t.second), (216, 15, 36, 43));
    assert_eq!(codec::encode(&t), b"   216 15:36:43  TZ=00");
    assert_eq!(
        codec::decode(b"   216 15:36:43  TZ=05"),
        Err(SpectracomError::Zone(5))
    );
}

#[test]
fn format3_is_accepted() {
    let t = codec::decode(b"0003  19910804 153643+0000SL#").unwrap();
    assert_eq!(t.format, Format::F3);
    assert_eq!((t.year, t.day, t.hour), (Some(1991), 216, 15));
    assert!(t.leap_warning());
    assert_eq!(codec::encode(&t), b"0003  19910804 153643+0000SL#");
}

#[test]
fn errors_name_the_field() {
    assert_eq!(
        codec::decode(b"short").unwrap_err().event(),
        ClockEvent::BadReply
    );
    let e = codec::decode(b"  92 216 15;36:43.640  D").unwrap_err();
    assert!(
        matches!(
            e,
            SpectracomError::Field {
                field: "separator",
                ..
            }
        ),
        "{e}"
    );
    let e = codec::decode(b"  92 216 25:36:43.640  D").unwrap_err();
    assert_eq!(
        e,
        SpectracomError::Range {
            field: "hour",
            value: 25
        }
    );
    assert_eq!(e.event(), ClockEvent::BadTime);
    let e = codec::decode(b"  92 367 15:36:43.640  D").unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadTime);
    let e = codec::decode(b"0003  19910231 153643+0000SL#").unwrap_err();
    assert_eq!(
        e,
        SpectracomError::Range {
            field: "day",
            value: 31
        }
    );
    let e = codec::decode(b"0004  19910804 153643+0000SL#").unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadReply);
}

#[test]
fn round_trips_over_many_dates() {
    let mut secs = 946_684_800 - 86_400 * 3; // 1999-12-29
    while secs < 4_200_000_000 {
        for f in [Format::F0, Format::F2, Format::F3] {
            let code = code_at(f, secs, b' ', b' ');
            let t = codec::decode(&code)
                .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&code)));
            assert_eq!(codec::encode(&t), code);
            let civil = CivilTime::from_timestamp(Timestamp::from_secs(secs));
            assert_eq!(
                (t.day, t.hour, t.minute, t.second),
                (civil.yday(), civil.hour, civil.minute, civil.second)
            );
        }
        secs += 86_400 * 37 + 3_607;
    }
    // Second 60 and day 366.
    let t = codec::decode(b"  16 366 23:59:60.000 LS").unwrap();
    assert_eq!((t.day, t.second), (366, 60));
    assert!(t.leap_warning());
}

/// Format 2 as the clock sends it: CR LF and the timecode; the line ends
/// at the next second's CR.
#[test]
fn format2_is_stamped_with_the_cr_before_it() {
    let mut c = clock();
    // The first CR LF: the on-time mark of second REAL_SECS.
    assert!(feed(&mut c, b"\r", ts(REAL_SECS, 2)).is_empty());
    feed(&mut c, b"\n", ts(REAL_SECS, 3));
    feed(&mut c, REAL2, ts(REAL_SECS, 30));
    // The next second's CR ends it.
    let a = feed(&mut c, b"\r", ts(REAL_SECS + 1, 2));
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].time, ts(REAL_SECS, 2));
    assert!(
        (s[0].offset - (0.640 - 0.002)).abs() < 1e-9,
        "{}",
        s[0].offset
    );
    assert_eq!(s[0].leap, Leap::NoWarning);
    // Its LF is not a CR; the next timecode takes the CR that ended the
    // last one.
    feed(&mut c, b"\n", ts(REAL_SECS + 1, 3));
    let next = code_at(Format::F2, REAL_SECS + 1, b' ', b'L');
    let mut data = next.clone();
    data.push(b'\r');
    let a = feed(&mut c, &data, ts(REAL_SECS + 2, 2));
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].time, ts(REAL_SECS + 1, 2));
    assert!((s[0].offset + 0.002).abs() < 1e-9);
    assert_eq!(s[0].leap, Leap::AddSecond);
}

#[test]
fn format0_and_time2() {
    let mut c = clock_with(Fudge {
        time2: Some(0.010),
        ..Fudge::default()
    });
    let mut samples_all = Vec::new();
    for i in 0..4 {
        let secs = REAL_SECS + i;
        let mut data = b"\r\n".to_vec();
        data.extend(code_at(Format::F0, secs, b' ', b' '));
        data.extend(b"\r\n");
        samples_all.extend(samples(&feed(&mut c, &data, ts(secs, 5))));
    }
    assert_eq!(samples_all.len(), 4);
    for (i, s) in samples_all.iter().enumerate() {
        assert_eq!(s.time, ts(REAL_SECS + i as i64, 5));
        assert!((s.offset - (0.010 - 0.005)).abs() < 1e-9);
    }
}

#[test]
fn any_chunking_gives_the_same_samples() {
    let mut stream = Vec::new();
    for i in 0..5 {
        stream.extend(b"\r\n");
        stream.extend(code_at(Format::F0, REAL_SECS + i, b' ', b' '));
        stream.extend(b"\r\n");
    }
    // One read per line end, as in canonical mode, each at the second of
    // the CR that opens its second.
    let whole = {
        let mut c = clock();
        let mut out = Vec::new();
        let mut start = 0;
        let mut sec = REAL_SECS - 1;
        for (i, &b) in stream.iter().enumerate() {
            if b == b'\r' || b == b'\n' {
                if b == b'\r'
                    && i + 1 < stream.len()
                    && stream[i + 1] == b'\n'
                    && (i == 0 || stream[i - 1] == b'\n')
                {
                    sec += 1;
                }
                out.extend(samples(&feed(&mut c, &stream[start..=i], ts(sec, 1))));
                start = i + 1;
            }
        }
        out
    };
    assert_eq!(whole.len(), 5);
    for (i, s) in whole.iter().enumerate() {
        assert_eq!(s.time, ts(REAL_SECS + i as i64, 1));
    }
}

#[test]
fn garbled_lines_are_counted_never_samples() {
    let mut c = clock();
    feed(&mut c, b"\r\n", ts(REAL_SECS, 1));
    let a = feed(&mut c, b"  92 216 15:36x43.640  D\r\n", ts(REAL_SECS, 30));
    assert!(samples(&a).is_empty());
    assert_eq!(events(&a), vec![ClockEvent::BadReply]);
    feed(&mut c, b"\r\n", ts(REAL_SECS + 1, 1));
    let a = feed(&mut c, b"garbage\r\n", ts(REAL_SECS + 1, 30));
    assert!(samples(&a).is_empty());
    assert_eq!(c.state().counters.badformat, 2);
    feed(&mut c, b"\r\n", ts(REAL_SECS + 2, 1));
    let a = feed(&mut c, b"  92 216 15:36:99.640  D\r", ts(REAL_SECS + 2, 30));
    assert!(samples(&a).is_empty());
    assert_eq!(events(&a), vec![ClockEvent::BadTime]);
}

#[test]
fn out_of_sync_and_quality() {
    let mut c = clock();
    feed(&mut c, b"\r\n", ts(REAL_SECS, 1));
    let a = feed(&mut c, b"?X92 216 15:36:43.000  D\r", ts(REAL_SECS + 1, 1));
    let s = samples(&a);
    assert_eq!(s.len(), 1, "ntpd takes the sample and the filter waits");
    assert_eq!(s[0].leap, Leap::NotInSync);
    assert_eq!(
        events(&a),
        vec![ClockEvent::BadReply],
        "unknown quality counted"
    );
}

#[test]
fn poll_filters_or_times_out() {
    let mut c = clock();
    c.poll(ts(REAL_SECS, 0));
    let a = c.take_actions();
    assert_eq!(events(&a), vec![ClockEvent::Timeout]);
    feed(&mut c, b"\r\n", ts(REAL_SECS, 1));
    feed(&mut c, REAL2, ts(REAL_SECS, 30));
    feed(&mut c, b"\r", ts(REAL_SECS + 1, 1));
    c.poll(ts(REAL_SECS + 1, 500));
    let o = Outcome::of(c.take_actions());
    assert_eq!(o.filtered.len(), 1);
    assert_eq!(
        o.clockstats,
        vec![String::from_utf8_lossy(REAL2).into_owned()]
    );
}

#[test]
fn timer_polls_with_t() {
    let mut c = clock();
    c.timer(ts(REAL_SECS, 0));
    let writes: Vec<_> = Outcome::of(c.take_actions())
        .writes
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    assert_eq!(writes, vec![b"T".to_vec()]);
}

#[test]
fn pps_takes_control_with_flag1() {
    let mut c = clock_with(Fudge {
        flags: ClockFlags::FLAG1,
        time1: Some(0.004),
        ..Fudge::default()
    });
    assert!(c.ports().pps.is_some());
    c.pps(refclock_core::port::PpsEdge {
        time: ts(REAL_SECS, 1),
        sequence: 1,
        kind: refclock_core::port::PpsEdgeKind::Assert,
    });
    let s = samples(&c.take_actions());
    assert_eq!(s.len(), 1);
    assert!(s[0].pulse);
    assert!(c.driver().pps_in_control());
    feed(&mut c, b"\r\n", ts(REAL_SECS, 1));
    feed(&mut c, REAL2, ts(REAL_SECS, 30));
    let a = feed(&mut c, b"\r", ts(REAL_SECS + 1, 1));
    assert!(samples(&a).is_empty(), "the PPS is in control");
    c.poll(ts(REAL_SECS + 1, 500));
    c.take_actions();
    c.poll(ts(REAL_SECS + 2, 500));
    assert!(!c.driver().pps_in_control());
}

#[cfg(feature = "sim")]
#[test]
fn device_streams_decode() {
    use refclock_core::sim::{DeviceModel, Epoch};
    for f in [Format::F0, Format::F2, Format::F3] {
        let mut d = device::SpectracomDevice::with_format(f);
        let mut c = clock();
        let mut got = Vec::new();
        for i in 0..4 {
            let mut out = Vec::new();
            d.second(&Epoch::at(REAL_SECS + i), &mut out);
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].bytes[out[0].on_time], b'\r');
            // Split at each line end, as canonical reads are.
            let bytes = out[0].bytes.clone();
            let mut start = 0;
            for (j, &b) in bytes.iter().enumerate() {
                if b == b'\r' || b == b'\n' {
                    got.extend(samples(&feed(
                        &mut c,
                        &bytes[start..=j],
                        ts(REAL_SECS + i, 1),
                    )));
                    start = j + 1;
                }
            }
            if start < bytes.len() {
                feed(&mut c, &bytes[start..], ts(REAL_SECS + i, 20));
            }
        }
        assert_eq!(got.len(), 3 + usize::from(f == Format::F0), "{f:?}");
        for s in &got {
            assert!((s.offset + 0.001).abs() < 1e-9, "{f:?} {}", s.offset);
        }
    }
}
