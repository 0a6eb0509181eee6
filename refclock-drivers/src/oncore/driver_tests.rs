//! The driver on scripted input: the start-up handshake against the
//! simulated receiver, PPS samples with the sawtooth correction,
//! serial-only samples, leap seconds, damaged input.

use refclock_core::calendar::Basedate;
use refclock_core::port::{PpsEdge, PpsEdgeKind};
use refclock_core::sim::{DeviceModel, Epoch, LeapWarning, Message, Timeline};
use refclock_core::{
    Clock, ClockEvent, DriverConfig, Leap, PortEvent, PortId, Refclock, Sample, Timestamp,
};

use super::device::{sawtooth_of, SimulatedOncore};
use super::*;
use crate::testkit::Outcome;

struct Plain;
impl Timeline for Plain {
    fn epoch(&self, wall: i64) -> Epoch {
        Epoch::at(wall)
    }
}

/// A clock reading the configuration `text`, serial-only or not.
pub(super) fn clock(text: &str, serial_only: bool, tag: &str) -> Clock<OncoreDriver> {
    let path = std::env::temp_dir().join(format!("oncore-{}-{tag}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let mut options = vec![("config".to_string(), Some(path.display().to_string()))];
    if serial_only {
        options.push(("serial-only".to_string(), None));
    }
    let c = Clock::<OncoreDriver>::start(DriverConfig {
        basedate: Basedate::from_ymd(2019, 1, 1).unwrap(),
        // The serial device is the PPS device: no second open.
        device: Some("/dev/null".into()),
        pps_device: Some("/dev/null".into()),
        options,
        ..DriverConfig::default()
    })
    .expect("starts");
    std::fs::remove_file(&path).unwrap();
    c
}

/// A receiver and a clock, run second by second.
pub(super) struct Bench {
    pub clock: Clock<OncoreDriver>,
    pub device: SimulatedOncore,
    pub out: Outcome,
    /// PPS edges: none, or with the sawtooth error (ns) of each pulse.
    pub pps: Option<bool>,
    pub leap: LeapWarning,
    pub valid: bool,
    /// The next second to run.
    pub now: i64,
}

impl Bench {
    pub fn new(clock: Clock<OncoreDriver>, chan: u8) -> Bench {
        let mut b = Bench {
            clock,
            device: SimulatedOncore::new(chan),
            out: Outcome::default(),
            pps: None,
            leap: LeapWarning::None,
            valid: true,
            now: START,
        };
        b.clock.port_event(PortId::MAIN, PortEvent::Opened);
        b.exchange(Timestamp::from_secs(START));
        b
    }

    fn exchange(&mut self, at: Timestamp) {
        loop {
            let actions = self.clock.take_actions();
            let o = Outcome::of(actions.clone());
            let mut answers = Vec::new();
            for (_, data) in &o.writes {
                self.device.input(data, at, &Plain, &mut answers);
            }
            self.out.samples.extend(o.samples);
            self.out.events.extend(o.events);
            self.out.logs.extend(o.logs);
            self.out.writes.extend(o.writes);
            self.out.filtered.extend(o.filtered);
            self.out.port_actions.extend(o.port_actions);
            if answers.is_empty() {
                return;
            }
            for m in answers {
                self.clock.receive(PortId::MAIN, &m.bytes, at);
            }
        }
    }

    /// Runs `n` seconds; returns the samples they gave.
    pub fn run(&mut self, n: i64) -> Vec<Sample> {
        let before = self.out.samples.len();
        for _ in 0..n {
            let s = self.now;
            let mut e = Epoch::at(s);
            e.leap = self.leap;
            e.valid = self.valid;
            let mut msgs: Vec<Message> = Vec::new();
            self.device.second(&e, &mut msgs);
            if let Some(with_saw) = self.pps {
                let err = if with_saw {
                    i128::from(sawtooth_of(s - 1))
                } else {
                    0
                };
                self.clock.pps(PpsEdge {
                    time: Timestamp::from_nanos(i128::from(s) * 1_000_000_000 + err),
                    sequence: s as u32,
                    kind: PpsEdgeKind::Assert,
                });
            }
            let rec = Timestamp::new(s, 30_000_000);
            for m in msgs {
                self.clock.receive(PortId::MAIN, &m.bytes, rec);
            }
            self.exchange(Timestamp::new(s, 500_000_000));
            self.clock.timer(Timestamp::new(s, 900_000_000));
            self.exchange(Timestamp::new(s, 900_000_000));
            self.now += 1;
        }
        self.out.samples[before..].to_vec()
    }
}

/// 2026-01-21 07:33:00 UTC.
pub(super) const START: i64 = 1_768_980_780;

impl std::ops::Deref for Bench {
    type Target = Clock<OncoreDriver>;
    fn deref(&self) -> &Self::Target {
        &self.clock
    }
}

fn driver(c: &Clock<OncoreDriver>) -> &OncoreDriver {
    c.driver()
}

fn written_ids(o: &Outcome) -> Vec<String> {
    o.writes
        .iter()
        .map(|(_, w)| String::from_utf8_lossy(&w[2..4]).into_owned())
        .collect()
}

#[test]
fn handshake_m12_mode0_runs_with_traim_and_pps() {
    let mut b = Bench::new(clock("MODE 0\n", false, "hs12"), 12);
    assert_eq!(written_ids(&b.out)[..5], ["Cg", "Cj", "Ba", "Ea", "Ha"]);
    assert_eq!(driver(&b).state(), State::CheckChan);
    b.pps = Some(true);
    b.run(6);
    assert_eq!(driver(&b).channels(), 12);
    // Mode 0: no reset; self test, @@Cj, configuration.
    let ids = written_ids(&b.out);
    assert!(ids.contains(&"Ia".to_string()) && !ids.contains(&"Cf".to_string()));
    assert_eq!(driver(&b).state(), State::Almanac);
    let s = b.run(20);
    assert_eq!(driver(&b).state(), State::Run);
    assert_eq!(driver(&b).traim(), 1);
    assert_eq!(driver(&b).survey(), Survey::Done);
    assert!(s.len() >= 10, "{} samples; logs {:?}", s.len(), b.out.logs);
    // The sawtooth each @@Hn gave is taken off the next pulse: exact.
    for x in &s {
        assert!(x.offset.abs() < 1e-12, "{x:?}");
        assert_eq!(x.leap, Leap::NoWarning);
    }
    assert_eq!(driver(&b).tally().bad_checksum, 0);
}

#[test]
fn sawtooth_correction_removes_the_jitter() {
    let jitter = |traim: &str| {
        let mut b = Bench::new(clock(&format!("MODE 0\nTRAIM {traim}\n"), false, traim), 12);
        b.pps = Some(true);
        b.run(60);
        let s: Vec<f64> = b.out.samples.iter().map(|x| x.offset).collect();
        assert!(s.len() > 30, "{}", s.len());
        let mean = s.iter().sum::<f64>() / s.len() as f64;
        (s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
    };
    let with = jitter("ON");
    let without = jitter("OFF");
    println!("PPS jitter: {with:e} s rms with the sawtooth correction, {without:e} s without");
    assert!(with < 1e-12, "{with}");
    assert!(without > 20e-9, "{without}");
}

#[test]
fn handshake_mode4_resets_and_surveys() {
    for chan in [8u8, 12] {
        let mut b = Bench::new(clock("MODE 4\n", true, &format!("m4-{chan}")), chan);
        b.run(40);
        let ids = written_ids(&b.out);
        assert!(ids.contains(&"Cf".to_string()), "{ids:?}");
        let survey = if chan == 12 { "Gd" } else { "At" };
        assert!(ids.contains(&survey.to_string()));
        assert_eq!(driver(&b).state(), State::Run);
        // The receiver's survey (20 s) ends: position hold, still samples.
        b.run(30);
        assert_eq!(driver(&b).survey(), Survey::Done, "{:?}", b.out.logs);
        let s = b.run(5);
        assert_eq!(s.len(), 5);
        for x in &s {
            // Serial-only: the message's first byte 30 ms after the second.
            assert!((x.offset + 0.030).abs() < 1e-9, "{x:?}");
        }
    }
}

#[test]
fn basic_six_channels_software_survey_gives_samples() {
    let mut b = Bench::new(clock("MODE 2\n", true, "basic"), 6);
    let s = b.run(40);
    assert_eq!(driver(&b).channels(), 6);
    assert_eq!(driver(&b).survey(), Survey::Software);
    assert!(!s.is_empty());
    assert!(written_ids(&b.out).contains(&"Ca".to_string()));
}

#[test]
fn no_sample_without_a_fresh_pulse_or_while_invalid() {
    let mut b = Bench::new(clock("MODE 0\n", false, "nopps"), 12);
    b.run(40);
    assert!(b.out.samples.is_empty());
    assert!(driver(&b).tally().no_pulse > 10);
    let mut b = Bench::new(clock("MODE 0\n", true, "invalid"), 12);
    b.valid = false;
    b.run(40);
    assert!(b.out.samples.is_empty());
    assert_eq!(driver(&b).state(), State::Almanac);
    b.valid = true;
    assert!(!b.run(20).is_empty());
}

#[test]
fn leap_second_from_gj_and_bj() {
    // 2026-06-30 23:58:00: @@Gj answered, the leap second this month.
    let mut b = Bench::new(clock("MODE 0\n", true, "leap"), 12);
    b.now = 1_782_863_880;
    b.leap = LeapWarning::Insert;
    let s = b.run(40);
    assert!(written_ids(&b.out).contains(&"Gj".to_string()));
    assert_eq!(s.last().unwrap().leap, Leap::AddSecond);
    // The Basic has no @@Gj: @@Bj in June.
    let mut b = Bench::new(clock("MODE 0\n", true, "leapbj"), 6);
    b.now = 1_782_863_880;
    b.leap = LeapWarning::Insert;
    let s = b.run(40);
    assert!(
        written_ids(&b.out).contains(&"Bj".to_string()),
        "{:?}",
        b.out.logs
    );
    assert_eq!(s.last().unwrap().leap, Leap::AddSecond);
}

#[test]
fn no_answer_to_cj_gives_up_after_four_polls() {
    let mut c = clock("MODE 0\n", true, "silent");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    let mut cj = 0;
    for s in 0..80 {
        c.timer(Timestamp::from_secs(START + s));
        cj += Outcome::of(c.take_actions())
            .writes
            .iter()
            .filter(|(_, w)| w.starts_with(b"@@Cj"))
            .count();
    }
    assert_eq!(cj, 4);
    assert_eq!(driver(&c).state(), State::Dead);
}

#[test]
fn damaged_input_is_counted_and_gives_no_sample() {
    let mut b = Bench::new(clock("MODE 0\n", true, "damaged"), 12);
    b.run(30);
    let n = b.out.samples.len();
    let e = Epoch::at(b.now);
    let mut m = b.device.position(&e);
    m[40] ^= 1;
    b.clock
        .receive(PortId::MAIN, &m, Timestamp::new(b.now, 30_000_000));
    let good = b.device.position(&e);
    b.clock
        .receive(PortId::MAIN, &good[..90], Timestamp::new(b.now, 30_000_000));
    b.clock.receive(
        PortId::MAIN,
        b"@@Hazz\r\n",
        Timestamp::new(b.now, 40_000_000),
    );
    // The TRAIM message after the lost @@Ha: no sample from the last one.
    let hn = super::codec::encode_traim(&super::codec::Traim {
        chan: 12,
        status: 0,
        sawtooth: 3,
    });
    b.clock
        .receive(PortId::MAIN, &hn, Timestamp::new(b.now, 200_000_000));
    let o = Outcome::of(b.clock.take_actions());
    assert!(o.samples.is_empty());
    assert!(o.events.contains(&ClockEvent::BadReply));
    assert_eq!(driver(&b).tally().bad_checksum, 1);
    assert_eq!(b.out.samples.len(), n);
}

#[test]
fn start_needs_the_pps_device_unless_serial_only() {
    let path = std::env::temp_dir().join(format!("oncore-{}-pps", std::process::id()));
    std::fs::write(&path, "MODE 0\n").unwrap();
    let cfg = |serial_only: bool| DriverConfig {
        device: Some("/dev/null".into()),
        pps_device: Some("/nonexistent/oncore.pps.0".into()),
        options: [("config".to_string(), Some(path.display().to_string()))]
            .into_iter()
            .chain(serial_only.then(|| ("serial-only".to_string(), None)))
            .collect(),
        ..DriverConfig::default()
    };
    let e = Clock::<OncoreDriver>::start(cfg(false)).unwrap_err();
    assert!(e.to_string().contains("serial-only"), "{e}");
    let c = Clock::<OncoreDriver>::start(cfg(true)).unwrap();
    assert!(c.ports().pps.is_none());
    // Same device: one descriptor, the serial port's own PPS.
    let c = clock("MODE 0\n", false, "same");
    let pps = c.ports().pps.clone().unwrap();
    assert_eq!((pps.path, pps.fallback_port), (None, Some(PortId::MAIN)));
    // A bad configuration file stops the start, naming file and line.
    std::fs::write(&path, "MODE 9\n").unwrap();
    let e = Clock::<OncoreDriver>::start(cfg(true)).unwrap_err();
    assert!(e.to_string().contains(":1: \"9\""), "{e}");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn polls_every_16_seconds_whatever_the_host_says() {
    let mut b = Bench::new(clock("MODE 0\n", true, "poll"), 12);
    b.run(64);
    let polls = b.clock.state().counters.polls;
    assert!((4..=5).contains(&polls), "{polls}");
    assert!(b.out.filtered.is_empty());
    // The host's poll counts nothing; the next sample filters.
    b.clock.poll(Timestamp::from_secs(b.now));
    assert_eq!(b.clock.state().counters.polls, polls);
    b.run(2);
    assert_eq!(b.out.filtered.len(), 1);
}

/// The driver, running, fed gpsd's captures one message at a time:
/// the seconds its samples name are gpsd's TPV times, unfolded by one GPS
/// era for the UT+ of the 1990s; no sample where the receiver is not in
/// position hold after the position is known (as ntpd) or has no UTC
/// offset yet.
#[test]
fn the_running_driver_on_gpsd_captures() {
    use crate::testkit::Testdata;
    use refclock_core::framing::{Framer, OncoreFramer};
    let Some(data) = Testdata::locate(env!("CARGO_MANIFEST_DIR")) else {
        return;
    };
    let era = 7168 * 86_400;
    // The M12 capture has no @@Hn: TRAIM off, a sample per @@Ha.
    for (name, chan, shift, cfg, expect_samples) in [
        ("oncore-binary-pos-hold.log", 8u8, era, "MODE 0\n", true),
        ("oncore-m12.log", 12, 0, "MODE 0\nTRAIM NO\n", true),
        ("oncore-binary.log", 8, era, "MODE 0\n", false),
        ("oncore-binary-no-utc-offset.log", 8, era, "MODE 0\n", false),
    ] {
        let c = data.capture(name).unwrap();
        let mut b = Bench::new(clock(cfg, true, name), chan);
        b.run(25);
        assert_eq!(driver(&b).state(), State::Run, "{name}");
        b.clock.take_actions();
        let mut msgs = Vec::new();
        OncoreFramer::new().feed(c.body(), Timestamp::EPOCH, |f| msgs.push(f.data.to_vec()));
        let mut got = Vec::new();
        let mut at = Timestamp::EPOCH;
        for m in &msgs {
            if matches!(&m[2..4], b"Ea" | b"Ha") {
                let p = super::codec::decode_position(m).unwrap();
                at = Timestamp::from_secs(p.timestamp().secs() + shift).add_secs_f64(0.05);
            }
            b.clock.receive(PortId::MAIN, m, at);
            let o = Outcome::of(b.clock.take_actions());
            got.extend(o.samples.iter().map(|s| {
                assert!((s.offset + 0.05).abs() < 1e-9, "{name}: {s:?}");
                s.time.secs() - shift
            }));
        }
        let mut tpv = c.tpv_times();
        // gpsd has no time for the M12's first @@Ha (it precedes @@Bo,
        // the UTC offset gpsd waits for): 2026-01-21 07:33:29.
        tpv.insert(1_768_980_809);
        if expect_samples {
            assert!(got.len() >= 5, "{name}: {got:?}");
            assert!(
                got.iter().all(|t| tpv.contains(t)),
                "{name}: {got:?} vs {tpv:?}"
            );
        } else {
            assert!(got.is_empty(), "{name}: {got:?}");
        }
    }
}
