//! Tests of the PST codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Clock, ClockEvent, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock, Timestamp,
};

use super::codec::{self, PstError};
use super::*;
use crate::testkit::Outcome;

/// The real answer of README.timecodes, line by line as the driver reads
/// it, and the instant it names.
const TIME: &[u8] = b" 15:36:43.640 \r";
const DATE: &[u8] = b"91/08/04/216\r";
const STATUS: &[u8] = b"O3@055281824C00000394\r";

fn named() -> Timestamp {
    let mut c = CivilTime::new(1991, 8, 4, 15, 36, 43);
    c.nanos = 640_000_000;
    c.to_timestamp().unwrap()
}

fn at(t: Timestamp, ns: i128) -> Timestamp {
    Timestamp::from_nanos(t.as_nanos() + ns)
}

fn clock() -> Clock<PstDriver> {
    let mut c = Clock::<PstDriver>::start(DriverConfig::default()).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c
}

/// The three lines, the time line's CR at `t`.
fn answer(c: &mut Clock<PstDriver>, t: Timestamp, lines: [&[u8]; 3]) -> Outcome {
    c.receive(PortId::MAIN, lines[0], t);
    c.receive(PortId::MAIN, lines[1], at(t, 15_000_000));
    c.receive(PortId::MAIN, lines[2], at(t, 40_000_000));
    Outcome::of(c.take_actions())
}

#[test]
fn decodes_the_real_answer() {
    let strip = |l: &'static [u8]| &l[..l.len() - 1];
    let (t, d, s) = codec::decode(strip(TIME), strip(DATE), strip(STATUS)).unwrap();
    assert_eq!((t.hour, t.minute, t.second, t.millis), (15, 36, 43, 640));
    assert_eq!(d.yday, 216);
    assert_eq!(&s.info, b"O3@055281824C");
    assert_eq!(s.minutes, 0);
    assert!(s.in_sync());
    assert!(!s.wwvh());
    assert_eq!(codec::encode_time(&t), TIME);
    assert_eq!(codec::encode_date(&d), DATE);
    assert_eq!(codec::encode_status(&s), STATUS);
    // What ntpd's scanf reads: the lines joined in the driver's order.
    assert_eq!(
        codec::join(&[strip(TIME), strip(DATE), strip(STATUS)]),
        b" 15:36:43.640  91/08/04/216 O3@055281824C00000394 "
    );
}

#[test]
fn the_real_answer_gives_its_sample() {
    let mut c = clock();
    c.poll(at(named(), -100_000_000));
    let polled = Outcome::of(c.take_actions());
    assert_eq!(polled.writes, vec![(PortId::MAIN, POLL.to_vec())]);
    let out = answer(&mut c, named(), [TIME, DATE, STATUS]);
    assert_eq!(out.samples.len(), 1);
    assert!(out.samples[0].offset.abs() < 1e-9);
    assert_eq!(out.samples[0].time, named());
    assert_eq!(c.state().leap, Leap::NoWarning);
    c.poll(at(named(), 64_000_000_000));
    let out = Outcome::of(c.take_actions());
    assert_eq!(out.filtered.len(), 1);
    assert_eq!(
        out.clockstats,
        vec![" 15:36:43.640  91/08/04/216 O3@055281824C00000394 ".to_string()]
    );
}

#[test]
fn answers_before_the_first_poll_are_used() {
    // ntpd writes them through a null pointer.
    let mut c = clock();
    let out = answer(&mut c, named(), [TIME, DATE, STATUS]);
    assert_eq!(out.samples.len(), 1);
}

#[test]
fn one_alarm_does_not_stick() {
    let mut c = clock();
    let alarm = b"O3@055281024C00100394\r";
    let out = answer(&mut c, named(), [TIME, DATE, alarm]);
    assert!(out.samples.is_empty());
    assert_eq!(c.state().leap, Leap::NotInSync);
    c.poll(at(named(), 1_000_000_000));
    let out = Outcome::of(c.take_actions());
    assert!(!out.events.contains(&ClockEvent::Timeout));
    let out = answer(&mut c, named(), [TIME, DATE, STATUS]);
    assert_eq!(out.samples.len(), 1);
    assert_eq!(out.samples[0].leap, Leap::NoWarning);
}

#[test]
fn wwvh_sets_the_refid_unless_one_was_given() {
    let mut c = clock();
    answer(&mut c, named(), [TIME, DATE, b"O3@055281824H00000394\r"]);
    assert_eq!(c.state().fudge.refid, Some(*b"WWVH"));
    answer(&mut c, named(), [TIME, DATE, STATUS]);
    assert_eq!(c.state().fudge.refid, Some(*b"WWV\0"));
    let mut c = Clock::<PstDriver>::start(DriverConfig {
        fudge: Fudge {
            refid: Some(*b"XYZ\0"),
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap();
    answer(&mut c, named(), [TIME, DATE, b"O3@055281824H00000394\r"]);
    assert_eq!(c.state().fudge.refid, Some(*b"XYZ\0"));
}

#[test]
fn a_silent_clock_times_out() {
    let mut c = clock();
    c.poll(named());
    assert_eq!(
        Outcome::of(c.take_actions()).events,
        vec![ClockEvent::Timeout]
    );
    assert_eq!(c.state().counters.polls, 1);
}

#[test]
fn bad_answers_are_counted_never_a_sample() {
    let mut c = clock();
    for lines in [
        [TIME, b"91/08/04/2x6\r".as_slice(), STATUS],
        [TIME, DATE, b"O3@055281824C00x00394\r".as_slice()],
        [TIME, b"91/08/04/367\r".as_slice(), STATUS],
        [TIME, b"9/8/4/216\r".as_slice(), b"O3@0552818\r".as_slice()],
        [b" 15:36:4x.640 \r".as_slice(), DATE, STATUS],
        [b" 25:36:43.640 \r".as_slice(), DATE, STATUS],
    ] {
        let out = answer(&mut c, named(), lines);
        assert!(out.samples.is_empty(), "{lines:?}");
        assert!(out.events.contains(&ClockEvent::BadReply) || c.state().counters.badformat > 0);
    }
    assert!(c.state().counters.badformat >= 6);
    // A fourth line is not appended to the answer (ntpd decodes it again).
    let mut c = clock();
    let out = answer(&mut c, named(), [TIME, DATE, STATUS]);
    assert_eq!(out.samples.len(), 1);
    c.receive(PortId::MAIN, b"O3@055281824C00000394\r", named());
    let out = Outcome::of(c.take_actions());
    assert!(out.samples.is_empty());
    assert_eq!(out.events, vec![ClockEvent::BadReply]);
}

#[test]
fn a_time_line_reopens_a_group() {
    let mut c = clock();
    c.receive(PortId::MAIN, TIME, at(named(), -1_000_000_000));
    let out = answer(&mut c, named(), [TIME, DATE, STATUS]);
    assert_eq!(out.samples.len(), 1);
    assert!(out.samples[0].offset.abs() < 1e-9);
}

#[test]
fn one_read_or_many() {
    let mut all = TIME.to_vec();
    all.extend_from_slice(DATE);
    all.extend_from_slice(STATUS);
    for split in 0..all.len() {
        let mut c = clock();
        c.receive(PortId::MAIN, &all[..split], named());
        c.receive(PortId::MAIN, &all[split..], named());
        let out = Outcome::of(c.take_actions());
        assert_eq!(out.samples.len(), 1, "split at {split}");
    }
}

#[test]
fn short_answers_are_refused() {
    assert!(matches!(
        codec::decode(b" 1:3:4.6", b"91/08/04/216", b"O3@055281824C0000"),
        Err(PstError::Short { .. })
    ));
}

#[cfg(feature = "sim")]
mod sim {
    use refclock_core::sim::{DeviceSetup, Epoch, Message, Timeline};

    use super::*;

    struct Plain;
    impl Timeline for Plain {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }

    #[test]
    fn the_device_answers_the_poll() {
        let mut d = device::new(&DeviceSetup::new(0, &[])).unwrap();
        let mut out: Vec<Message> = Vec::new();
        let now = at(named(), -100_000_000);
        d.input(POLL, now, &Plain, &mut out);
        assert_eq!(out.len(), 3);
        let m = &out[0];
        assert_eq!(m.bytes[m.on_time], b'\r');
        let when = m.named.unwrap();
        let mut c = clock();
        let o = answer(&mut c, when, [&m.bytes, &out[1].bytes, &out[2].bytes]);
        assert_eq!(o.samples.len(), 1);
        assert!(o.samples[0].offset.abs() < 1e-9);
        assert!(device::new(&DeviceSetup::new(0, &[("station", "x")])).is_err());
    }
}
