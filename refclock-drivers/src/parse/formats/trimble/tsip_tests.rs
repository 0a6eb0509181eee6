//! Tests of TSIP (mode 10): ntpd's dialogue, libparse's state from 0x46
//! and 0x4F, the samples from 0x41, and gpsd's Lassen iQ captures
//! through the driver.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::{
    Clock, ClockEvent, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock, Timestamp,
};

use super::tsip::{gps_time_at, setup_packets, utc_params_at, QUERY};
use crate::parse::ParseDriver;
use crate::testkit::{check_chunking, Outcome, Testdata};
use crate::tsip::{self, GpsTime, Health, UtcParams};

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn config() -> DriverConfig {
    DriverConfig {
        fudge: Fudge {
            mode: 10,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    }
}

/// A UTC second (GPS − UTC 18) and its leap warning.
#[derive(Clone, Copy)]
struct Epoch {
    secs: i64,
    leap: i8,
}

fn epoch(secs: i64) -> Epoch {
    Epoch { secs, leap: 0 }
}

fn utc_params_for(e: &Epoch) -> UtcParams {
    utc_params_at(Timestamp::from_secs(e.secs), 18, e.leap)
}

fn time_packet(secs: i64) -> Vec<u8> {
    let g = gps_time_at(Timestamp::from_secs(secs), 18);
    tsip::encode(tsip::ID_GPS_TIME, &g.encode())
}

fn utc_packet(e: &Epoch) -> Vec<u8> {
    tsip::encode(tsip::ID_UTC_PARAMS, &utc_params_for(e).encode())
}

fn health(status: u8) -> Vec<u8> {
    tsip::encode(tsip::ID_HEALTH, &Health { status, errors: 0 }.encode())
}

const T0: (i32, u8, u8, u8, u8, u8) = (2026, 11, 29, 22, 0, 0);

fn t0() -> Timestamp {
    let (y, mo, d, h, mi, s) = T0;
    ts(y, mo, d, h, mi, s)
}

/// A clock whose port opened and whose first second passed at `t0`.
fn clock() -> (Clock<ParseDriver>, Outcome) {
    let mut c = Clock::<ParseDriver>::start(config()).expect("mode 10 starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.timer(t0());
    let o = Outcome::of(c.take_actions());
    (c, o)
}

fn feed(c: &mut Clock<ParseDriver>, data: &[u8], rec: Timestamp) -> Outcome {
    c.receive(PortId::MAIN, data, rec);
    Outcome::of(c.take_actions())
}

fn written(o: &Outcome) -> Vec<u8> {
    o.writes.iter().flat_map(|(_, b)| b.clone()).collect()
}

#[test]
fn setup_at_start_then_the_query_every_second_and_poll() {
    let (mut c, o) = clock();
    // ntpd's set-up, byte for byte (the 0x2C floats: 5° in radians, 4,
    // 12, 8).
    let want: Vec<u8> = [
        &[0x10, 0x1F, 0x10, 0x03][..],
        &[
            0x10, 0x2C, 0x04, 0x3D, 0xB2, 0xB8, 0xC2, 0x40, 0x80, 0x00, 0x00,
        ],
        &[0x41, 0x40, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00, 0x10, 0x03],
        &[0x10, 0x22, 0x01, 0x10, 0x03],
        &[0x10, 0x28, 0x10, 0x03],
        &[0x10, 0x8E, 0x02, 0x10, 0x03],
        &[0x10, 0x35, 0x13, 0x00, 0x03, 0x00, 0x10, 0x03],
        &[0x10, 0x2F, 0x10, 0x03],
    ]
    .concat();
    assert_eq!(setup_packets(), want);
    let mut all = want.clone();
    all.extend_from_slice(QUERY);
    assert_eq!(written(&o), all);
    c.timer(t0() + 1.0);
    assert_eq!(written(&Outcome::of(c.take_actions())), QUERY);
    c.poll(t0() + 1.0);
    assert_eq!(written(&Outcome::of(c.take_actions())), QUERY);
}

#[test]
fn time_only_after_utc_parameters_and_health() {
    let (mut c, _) = clock();
    let s = t0().secs();
    // 0x41 before 0x4F: refused as a bad date, no sample.
    let o = feed(&mut c, &time_packet(s + 1), t0() + 1.0);
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::BadDate]);
    // 0x4F with t0t = 0: still unknown.
    let mut none = utc_params_for(&epoch(s));
    none.t0t = 0.0;
    feed(
        &mut c,
        &tsip::encode(tsip::ID_UTC_PARAMS, &none.encode()),
        t0() + 1.5,
    );
    assert!(feed(&mut c, &time_packet(s + 2), t0() + 2.0)
        .samples
        .is_empty());
    // Known parameters, but no 0x46 yet: power-up.
    feed(&mut c, &utc_packet(&epoch(s)), t0() + 2.5);
    let o = feed(&mut c, &time_packet(s + 3), t0() + 3.0);
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::Fault]);
    // Doing fixes: samples, the time of the opening DLE, 20 ms base delay.
    feed(&mut c, &health(0x00), t0() + 3.5);
    let o = feed(&mut c, &time_packet(s + 4), t0() + 4.001);
    assert_eq!(o.samples.len(), 1);
    assert!((o.samples[0].offset - (-0.001 + 0.020)).abs() < 1e-6);
    assert_eq!(c.state().leap, Leap::NoWarning);
    // Three satellites: not confirmed, no sample (trust time 0).
    feed(&mut c, &health(0x0B), t0() + 4.5);
    let o = feed(&mut c, &time_packet(s + 5), t0() + 5.0);
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::Prop]);
    assert_eq!(c.state().leap, Leap::NotInSync);
    // No usable satellites: power-up.
    feed(&mut c, &health(0x08), t0() + 5.5);
    assert!(feed(&mut c, &time_packet(s + 6), t0() + 6.0)
        .samples
        .is_empty());
    feed(&mut c, &health(0x00), t0() + 6.5);
    assert_eq!(
        feed(&mut c, &time_packet(s + 7), t0() + 7.0).samples.len(),
        1
    );
}

#[test]
fn leap_warnings_from_utc_parameters() {
    for (leap, want) in [
        (1, Leap::AddSecond),
        (-1, Leap::DelSecond),
        (0, Leap::NoWarning),
    ] {
        let (mut c, _) = clock();
        let s = ts(2026, 12, 20, 12, 0, 0).secs();
        let mut e = epoch(s);
        e.leap = leap;
        feed(&mut c, &utc_packet(&e), Timestamp::from_secs(s));
        feed(&mut c, &health(0), Timestamp::from_secs(s));
        let o = feed(&mut c, &time_packet(s + 1), Timestamp::from_secs(s + 1));
        assert_eq!(o.samples.len(), 1, "{leap:?}");
        assert_eq!(c.state().leap, want, "{leap:?}");
    }
    // A change five weeks or more ahead is no warning yet.
    let (mut c, _) = clock();
    let s = ts(2026, 11, 29, 12, 0, 0).secs();
    let mut u = utc_params_for(&epoch(s));
    u.wnlsf += 5;
    u.dtlsf += 1;
    feed(
        &mut c,
        &tsip::encode(tsip::ID_UTC_PARAMS, &u.encode()),
        Timestamp::from_secs(s),
    );
    feed(&mut c, &health(0), Timestamp::from_secs(s));
    feed(&mut c, &time_packet(s + 1), Timestamp::from_secs(s + 1));
    assert_eq!(c.state().leap, Leap::NoWarning);
}

#[test]
fn bad_replies_reset_the_receiver_not_within_300_s() {
    let (mut c, _) = clock();
    let nan = tsip::encode(
        tsip::ID_GPS_TIME,
        &GpsTime {
            tow: f32::NAN,
            week: 0,
            utc_offset: 18.0,
        }
        .encode(),
    );
    let o = feed(&mut c, &nan, t0() + 10.0);
    assert_eq!(o.events, vec![ClockEvent::BadReply]);
    assert!(o.writes.is_empty(), "within the hold-off");
    // Another status, then a bad reply after the hold-off: set up again.
    feed(&mut c, &time_packet(t0().secs() + 20), t0() + 20.0);
    let o = feed(&mut c, &nan, t0() + 301.0);
    assert_eq!(o.events, vec![ClockEvent::BadReply]);
    assert_eq!(written(&o), setup_packets());
    // Short reports are bad replies too.
    feed(&mut c, &time_packet(t0().secs() + 302), t0() + 302.0);
    let o = feed(&mut c, &tsip::encode(0x41, &[1, 2, 3]), t0() + 303.0);
    assert_eq!(o.events, vec![ClockEvent::BadReply]);
    let o = feed(&mut c, &tsip::encode(0x4F, &[0; 20]), t0() + 304.0);
    assert!(o.samples.is_empty());
}

#[test]
fn silence_for_300_s_and_bad_io_options_set_up_again() {
    let (mut c, _) = clock();
    c.timer(t0() + 300.0);
    assert_eq!(written(&Outcome::of(c.take_actions())), QUERY);
    c.timer(t0() + 301.0);
    let mut want = setup_packets();
    want.extend_from_slice(QUERY);
    assert_eq!(written(&Outcome::of(c.take_actions())), want);
    // Any report counts as a message.
    feed(&mut c, &health(0), t0() + 500.0);
    c.timer(t0() + 700.0);
    assert_eq!(written(&Outcome::of(c.take_actions())), QUERY);
    // 0x55 with other options: a set-up at the next second.
    feed(
        &mut c,
        &tsip::encode(tsip::ID_IO_OPTIONS, &[0x02, 0, 0x03, 0]),
        t0() + 700.5,
    );
    c.timer(t0() + 701.0);
    assert_eq!(written(&Outcome::of(c.take_actions())), want);
    // The options ntpd sets: nothing.
    feed(
        &mut c,
        &tsip::encode(tsip::ID_IO_OPTIONS, &[0x13, 0, 0x03, 0]),
        t0() + 701.5,
    );
    c.timer(t0() + 702.0);
    assert_eq!(written(&Outcome::of(c.take_actions())), QUERY);
}

#[test]
fn split_reads_and_lost_bytes() {
    let s = t0().secs();
    let mut data = utc_packet(&epoch(s));
    data.extend(health(0));
    for i in 1..6 {
        data.extend(time_packet(s + i));
        data.extend(health(0));
        data.extend_from_slice(&[0x00, 0x03, 0xFF]);
    }
    let (_, o) =
        check_chunking::<ParseDriver, _>(&config(), &data, t0(), 0..20, |c| c.state().leap)
            .unwrap();
    assert_eq!(o.samples.len(), 5);
    // A 0x41 whose DLE ETX was lost is dropped, not merged with the next
    // packet.
    let (mut c, _) = clock();
    feed(&mut c, &utc_packet(&epoch(s)), t0());
    feed(&mut c, &health(0), t0());
    let mut cut = time_packet(s + 1);
    cut.truncate(cut.len() - 2);
    cut.extend(health(0));
    let o = feed(&mut c, &cut, t0() + 1.0);
    assert!(o.samples.is_empty());
    assert_eq!(
        feed(&mut c, &time_packet(s + 2), t0() + 2.0).samples.len(),
        1
    );
}

#[test]
fn week_numbers_unfold_from_the_base_date() {
    let (mut c, _) = clock();
    let s = ts(2038, 5, 1, 0, 0, 0).secs();
    feed(&mut c, &utc_packet(&epoch(s)), Timestamp::from_secs(s));
    feed(&mut c, &health(0), Timestamp::from_secs(s));
    let o = feed(&mut c, &time_packet(s + 1), Timestamp::from_secs(s + 1));
    assert_eq!(o.samples.len(), 1);
    assert!(o.samples[0].offset.abs() < 0.1);
    let _ = UtcParams::LEN;
}

/// gpsd's Lassen iQ captures carry no 0x4F: the driver, as ntpd's,
/// refuses every 0x41 and gives no sample.
#[test]
fn lassen_iq_captures_give_no_sample() {
    let Some(data) = Testdata::locate(env!("CARGO_MANIFEST_DIR")) else {
        eprintln!("gpsd test data not found; skipped");
        return;
    };
    for name in [
        "trimble-lassen_iq.log",
        "trimble-lassen_iq-3dfix.log",
        "trimble-lasseniq-bin2d.log",
    ] {
        let capture = data.capture(name).expect(name);
        let mut c = Clock::<ParseDriver>::start(DriverConfig {
            basedate: Basedate::from_ymd(2006, 1, 1).unwrap(),
            ..config()
        })
        .unwrap();
        c.port_event(PortId::MAIN, PortEvent::Opened);
        c.take_actions();
        let mut samples = 0;
        let mut bad_dates = 0;
        let rec = ts(2019, 11, 1, 23, 37, 40);
        for (i, chunk) in capture.body().chunks(7).enumerate() {
            let o = feed(&mut c, chunk, rec + i as f64 * 0.01);
            samples += o.samples.len();
            bad_dates += o
                .events
                .iter()
                .filter(|e| **e == ClockEvent::BadDate)
                .count();
        }
        assert_eq!(samples, 0, "{name}");
        // The first refusal is reported; later ones keep the status.
        assert!(bad_dates >= 1, "{name}");
        assert_eq!(c.state().status, ClockEvent::BadDate, "{name}");
    }
}
