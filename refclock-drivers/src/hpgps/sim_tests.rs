//! The simulated HP answering the driver's own writes in a small
//! in-memory loop: bytes paced at the serial speed, delivered a line at a
//! time at the arrival of its CR or LF, as canonical input delivers them.

use std::collections::VecDeque;

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceModel, DeviceSetup, Due, Epoch, LeapWarning, Message, Timeline};
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Sample, Timestamp,
};

use super::codec::{CLEAR_STATUS, STATUS_SCREEN_QUERY};
use super::device;
use super::{HpgpsDriver, Receiver};

/// Every second valid (or not), with a leap warning or not; optionally
/// a leap second 23:59:60 in wall second `leap_second` (the midnight
/// after it), the warning dropped after it.
pub(super) struct Sky {
    pub(super) valid: bool,
    pub(super) leap: LeapWarning,
    pub(super) leap_second: Option<i64>,
}

impl Timeline for Sky {
    fn epoch(&self, wall: i64) -> Epoch {
        match self.leap_second {
            Some(at) if wall == at => {
                let mut t = CivilTime::from_timestamp(Timestamp::from_secs(at - 1));
                t.second = 60;
                Epoch {
                    valid: self.valid,
                    leap: self.leap,
                    ..Epoch::new(t)
                }
            }
            Some(at) if wall > at => Epoch {
                valid: self.valid,
                ..Epoch::at(wall - 1)
            },
            _ => Epoch {
                valid: self.valid,
                leap: self.leap,
                ..Epoch::at(wall)
            },
        }
    }
}

pub(super) const SKY: Sky = Sky {
    valid: true,
    leap: LeapWarning::None,
    leap_second: None,
};

pub(super) fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

pub(super) fn setup(mode: u32, options: &[(&str, &str)]) -> DeviceSetup {
    DeviceSetup::new(mode, options)
}

/// The driver and the device on one line.
struct Loop {
    clock: Clock<HpgpsDriver>,
    device: Box<dyn DeviceModel>,
    sky: Sky,
    char_time: f64,
    /// When the line from the device is free again.
    free: Timestamp,
    /// Bytes on their way to the driver, with the time each has arrived.
    wire: VecDeque<(u8, Timestamp)>,
    /// What the kernel holds until a line end.
    line: Vec<u8>,
    /// Break the checksum of the next timecode.
    corrupt_next: bool,
    /// Every action the driver took, but writes.
    log: Vec<Action>,
    /// Everything the driver wrote.
    written: Vec<Vec<u8>>,
}

impl Loop {
    fn new(mode: u32, flags: ClockFlags, time1: Option<f64>, options: &[(&str, &str)]) -> Loop {
        let clock = Clock::start(DriverConfig {
            fudge: Fudge {
                mode,
                flags,
                time1,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        })
        .unwrap();
        let char_time = Receiver::from_mode(mode).serial_config().char_time();
        Loop {
            clock,
            device: device::new(&setup(mode, options)).unwrap(),
            sky: SKY,
            char_time,
            free: Timestamp::EPOCH,
            wire: VecDeque::new(),
            line: Vec::new(),
            corrupt_next: false,
            log: Vec::new(),
            written: Vec::new(),
        }
    }

    /// Carries out the driver's actions; a write reaches the device when
    /// its last byte has gone out.
    fn act(&mut self, now: Timestamp) {
        while let Some(action) = self.clock.next_action() {
            let Action::Write { data, .. } = action else {
                self.log.push(action);
                continue;
            };
            let at = now + data.len() as f64 * self.char_time;
            let mut out = Vec::new();
            self.device.input(&data, at, &self.sky, &mut out);
            self.written.push(data);
            self.send(out, at);
        }
    }

    /// Puts the device's messages on the line, each at its time.
    fn send(&mut self, messages: Vec<Message>, now: Timestamp) {
        for mut m in messages {
            if m.kind == "TCODE" && std::mem::take(&mut self.corrupt_next) {
                assert!(self.device.corrupt(&mut m));
            }
            let start = match m.due {
                Due::At(t) => {
                    // The device times its answer for a free line.
                    assert!(t >= self.free, "{} due at {t:?}, line busy", m.text());
                    t
                }
                Due::Next => now.max(self.free),
            };
            for (i, &b) in m.bytes.iter().enumerate() {
                let arrived = start + (i + 1) as f64 * self.char_time;
                self.wire.push_back((b, arrived));
            }
            self.free = start + m.bytes.len() as f64 * self.char_time;
        }
    }

    /// Delivers every line whose end has arrived by `until`.
    fn run(&mut self, until: Timestamp) {
        while let Some(&(b, t)) = self.wire.front() {
            if t > until {
                break;
            }
            self.wire.pop_front();
            self.line.push(b);
            if b == b'\r' || b == b'\n' {
                let data = std::mem::take(&mut self.line);
                self.clock.receive(PortId::MAIN, &data, t);
                self.act(t);
            }
        }
    }

    fn open(&mut self, now: Timestamp) {
        self.clock.port_event(PortId::MAIN, PortEvent::Opened);
        self.act(now);
        self.run(now + 1.0);
    }

    /// Polls at `now` and lets the answers arrive for 5 s.
    fn poll(&mut self, now: Timestamp) {
        self.run(now);
        Refclock::poll(&mut self.clock, now);
        self.act(now);
        self.run(now + 5.0);
    }

    /// Polls at `now` without letting time run on.
    fn poll_now(&mut self, now: Timestamp) {
        self.run(now);
        Refclock::poll(&mut self.clock, now);
        self.act(now);
    }

    fn samples(&self) -> Vec<Sample> {
        self.log
            .iter()
            .filter_map(|a| match a {
                Action::Sample(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    fn stats(&self) -> Vec<&str> {
        self.log
            .iter()
            .filter_map(|a| match a {
                Action::ClockStats(s) => Some(s.as_str()),
                _ => None,
            })
            .collect()
    }

    fn events(&self) -> Vec<ClockEvent> {
        self.log
            .iter()
            .filter_map(|a| match a {
                Action::Event(e) => Some(*e),
                _ => None,
            })
            .collect()
    }
}

/// Polls every 16 s from 12:00:00.3 UTC on 1 March 2024.
fn run_polls(l: &mut Loop, polls: usize) -> Timestamp {
    let start = ts(2024, 3, 1, 12, 0, 0) + 0.3;
    l.open(start);
    for i in 0..polls {
        l.poll(start + 2.0 + 16.0 * i as f64);
    }
    start
}

#[test]
fn uncalibrated_the_hp_reads_955_ms_ahead() {
    let mut l = Loop::new(0, ClockFlags::empty(), None, &[]);
    run_polls(&mut l, 8);
    let s = l.samples();
    assert_eq!(s.len(), 8);
    for x in &s {
        // T at S − 0.980, CR 24 characters (25 ms) later.
        assert!((x.offset - 0.955).abs() < 1e-6, "{}", x.offset);
        assert_eq!(x.leap, Leap::NoWarning);
        let frac = f64::from(x.time.subsec_nanos()) * 1e-9;
        assert!((frac - 0.045).abs() < 1e-6, "{:?}", x.time);
    }
    assert!(l.events().is_empty(), "{:?}", l.events());
    assert_eq!(l.clock.state().counters.noreply, 0);
    // The identification went to clockstats; then the zone and each line.
    let stats = l.stats();
    assert_eq!(stats[0], "HEWLETT-PACKARD,58503A,3626A01234,3704-C");
    assert_eq!(stats[1], "scpi > +0,+0");
    assert!(
        stats[2].starts_with("scpi > T22024030112000"),
        "{}",
        stats[2]
    );
}

#[test]
fn time1_minus_955_ms_calibrates_it() {
    for (mode, time1) in [(0, -0.955), (1, -0.9675)] {
        let mut l = Loop::new(mode, ClockFlags::empty(), Some(time1), &[]);
        run_polls(&mut l, 5);
        let s = l.samples();
        assert_eq!(s.len(), 5, "mode {mode}");
        for x in s {
            assert!(x.offset.abs() < 1e-6, "mode {mode}: {}", x.offset);
        }
    }
}

#[test]
fn a_receiver_on_local_time() {
    for tz in ["-8,0", "+5,30", "-3,-30", "13,0"] {
        let mut l = Loop::new(0, ClockFlags::empty(), Some(-0.955), &[("tz", tz)]);
        // Around New Year, so that local and UTC dates differ.
        let start = ts(2023, 12, 31, 23, 59, 0);
        l.open(start);
        for i in 0..8 {
            l.poll(start + 2.0 + 16.0 * i as f64);
        }
        let s = l.samples();
        assert_eq!(s.len(), 8, "tz {tz}: {:?}", l.events());
        assert!(
            s.iter().all(|x| x.offset.abs() < 1e-6),
            "tz {tz}: {s:?} {:?}",
            l.stats()
        );
    }
}

#[test]
fn flag4_screens_go_to_clockstats_a_record_a_line() {
    let mut l = Loop::new(0, ClockFlags::FLAG4, None, &[]);
    run_polls(&mut l, 4);
    assert_eq!(l.samples().len(), 4);
    assert!(l.events().is_empty(), "{:?}", l.events());
    let stats = l.stats();
    let heads: Vec<usize> = (0..stats.len())
        .filter(|&i| stats[i].contains("Receiver Status"))
        .collect();
    assert_eq!(heads.len(), 4);
    for i in heads {
        // The first line follows the prompt of the timecode's answer; the
        // 22 lines are consecutive records, each without a line break.
        assert!(stats[i].starts_with("scpi > ---"), "{}", stats[i]);
        let screen = &stats[i..i + 22];
        assert!(screen.iter().all(|r| !r.contains(['\n', '\r'])));
        assert!(screen[19].contains("[ OK ]"), "{screen:?}");
        assert_eq!(screen[21].trim(), "(simulated)");
    }
    let asked = l
        .written
        .iter()
        .filter(|w| w == &STATUS_SCREEN_QUERY)
        .count();
    assert_eq!(asked, 4);
}

#[test]
fn timecodes_wait_for_the_line_and_stay_on_time() {
    // The opening queries' answers (73 ms at 9600 baud) are still going
    // out at the on-time point after the first poll's query, and each
    // status screen (flag4: 1.8 s) at the one after the next: those
    // timecodes go out at the first on-time point after them (the loop
    // asserts that none is late).
    let mut l = Loop::new(0, ClockFlags::FLAG4, Some(-0.955), &[]);
    let start = ts(2024, 3, 1, 12, 0, 0) + 0.95;
    l.clock.port_event(PortId::MAIN, PortEvent::Opened);
    l.act(start);
    l.poll_now(start + 0.01);
    for i in 0..7 {
        l.poll_now(start + 1.55 + 2.0 * f64::from(i));
    }
    l.run(start + 20.0);
    let s = l.samples();
    assert_eq!(s.len(), 8, "{s:?}");
    for x in &s {
        assert!(x.offset.abs() < 1e-6, "{x:?}");
    }
    // Each timecode names a different second.
    let named: Vec<f64> = s.iter().map(|x| x.time.as_secs_f64() + 0.955).collect();
    assert!(named.windows(2).all(|w| w[1] - w[0] > 0.5), "{named:?}");
    assert!(l.events().is_empty(), "{:?}", l.events());
}

#[test]
fn a_corrupted_timecode_is_a_bad_reply() {
    let mut l = Loop::new(0, ClockFlags::empty(), None, &[]);
    let start = ts(2024, 3, 1, 12, 0, 0);
    l.open(start);
    l.poll(start + 2.0);
    l.corrupt_next = true;
    l.poll(start + 18.0);
    l.poll(start + 34.0);
    assert_eq!(l.samples().len(), 2);
    assert_eq!(l.events(), vec![ClockEvent::BadReply]);
    assert_eq!(l.clock.state().counters.badformat, 1);
}

#[test]
fn an_invalid_receiver_gives_samples_not_in_sync() {
    let mut l = Loop::new(0, ClockFlags::empty(), None, &[]);
    l.sky.valid = false;
    run_polls(&mut l, 3);
    let s = l.samples();
    assert_eq!(s.len(), 3);
    assert!(s.iter().all(|x| x.leap == Leap::NotInSync));
    assert!(!l.log.iter().any(|a| matches!(a, Action::Filtered(_))));
}

#[test]
fn a_leap_warning_in_june() {
    let mut l = Loop::new(0, ClockFlags::empty(), None, &[]);
    l.sky.leap = LeapWarning::Insert;
    let start = ts(2015, 6, 30, 12, 0, 0);
    l.open(start);
    l.poll(start + 2.0);
    assert_eq!(l.samples()[0].leap, Leap::AddSecond);
}

#[test]
fn a_leap_second_is_named_and_taken_as_posix_time() {
    // 2016-12-31 23:59:60, polled every second from 23:59:55: the
    // timecode naming it gives the following midnight (as POSIX time has
    // it), with the warning; the system clock here inserts no second, so
    // from the midnight on the truth is 1 s behind it.
    let midnight = ts(2017, 1, 1, 0, 0, 0);
    let mut l = Loop::new(0, ClockFlags::empty(), Some(-0.955), &[]);
    l.sky = Sky {
        leap: LeapWarning::Insert,
        leap_second: Some(midnight.secs()),
        ..SKY
    };
    let start = midnight + -6.5;
    l.open(start);
    for i in 0..8 {
        l.poll_now(start + 1.0 + f64::from(i));
    }
    l.run(start + 12.0);
    let s = l.samples();
    let stats = l.stats();
    assert!(
        stats.iter().any(|r| r.contains("T22016123123596030+")),
        "{stats:?}"
    );
    let got: Vec<(i64, i64, Leap)> = s
        .iter()
        .map(|x| {
            (
                x.time.secs() - midnight.secs(),
                x.offset.round() as i64,
                x.leap,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (-5, 0, Leap::AddSecond),
            (-4, 0, Leap::AddSecond),
            (-3, 0, Leap::AddSecond),
            (-2, 0, Leap::AddSecond),
            (-1, 0, Leap::AddSecond),
            (0, -1, Leap::NoWarning),
            (1, -1, Leap::NoWarning),
            (2, -1, Leap::NoWarning),
        ],
        "{s:?}"
    );
    for x in &s {
        assert!((x.offset - x.offset.round()).abs() < 1e-6, "{x:?}");
    }
}

#[test]
fn an_error_prompt_is_cleared_once() {
    let mut l = Loop::new(0, ClockFlags::empty(), None, &[]);
    let start = ts(2024, 3, 1, 12, 0, 0);
    l.open(start);
    l.poll(start + 2.0);
    // Something else talked to the receiver: an unknown command.
    let mut out = Vec::new();
    l.device.input(b"BOGUS?\r", start + 3.0, &SKY, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].bytes, b"E-113> ");
    l.send(out, start + 3.0);
    for i in 1..5 {
        l.poll(start + 2.0 + 16.0 * f64::from(i));
    }
    assert_eq!(l.samples().len(), 5);
    let clears = l.written.iter().filter(|w| w == &CLEAR_STATUS).count();
    assert_eq!(clears, 1);
    assert!(l.events().is_empty());
}

#[test]
fn silence_after_two_polls_is_a_timeout() {
    let mut l = Loop::new(0, ClockFlags::empty(), None, &[]);
    let start = ts(2024, 3, 1, 12, 0, 0);
    l.open(start);
    l.poll(start + 2.0);
    // The device is gone: writes go nowhere.
    l.device = Box::new(Mute);
    for i in 1..5 {
        l.poll(start + 2.0 + 16.0 * f64::from(i));
    }
    assert_eq!(l.events(), vec![ClockEvent::Timeout]);
    assert_eq!(l.clock.state().counters.noreply, 2);
}

/// A device that answers nothing.
struct Mute;

impl DeviceModel for Mute {
    fn describe(&self) -> String {
        "mute".into()
    }
    fn baud(&self) -> u32 {
        9600
    }
    fn second(&mut self, _: &Epoch, _: &mut Vec<Message>) {}
}
