//! Tests of the PARSE driver's common logic (`parse_process`,
//! `parse_poll`) with a toy format: one line `YYYY MM DD hh mm ss SSSS`
//! (status bits in hex) per timecode, the on-time byte first.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::fudge::ClockFlags;
use refclock_core::port::{PpsEdge, PpsEdgeKind};
use refclock_core::{
    Action, Clock, ClockEvent, Context, Driver, DriverConfig, DriverInfo, Fudge, Leap, PortEvent,
    PortId, Ports, Refclock, Sample, StartError, Timestamp,
};

use super::format::{frame_text, Decoded, Format};
use super::time::{ParseError, ParseTime, Status, When, Year};
use super::ParseDriver;

#[derive(Debug, Default)]
struct Toy {
    line: Vec<u8>,
    first: Option<Timestamp>,
}

impl Format for Toy {
    fn name(&self) -> &'static str {
        "toy"
    }

    fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>) {
        for &b in data {
            if b != b'\n' {
                self.first.get_or_insert(rectime);
                self.line.push(b);
                continue;
            }
            let text = frame_text(&self.line);
            let rectime = self.first.take().unwrap_or(rectime);
            let f: Vec<u32> = String::from_utf8_lossy(&self.line)
                .split(' ')
                .enumerate()
                .filter_map(|(i, w)| u32::from_str_radix(w, if i == 6 { 16 } else { 10 }).ok())
                .collect();
            self.line.clear();
            out.push(if f.len() != 7 {
                Decoded::Error {
                    error: ParseError::format("toy", "7 fields"),
                    text,
                }
            } else {
                Decoded::Time {
                    time: ParseTime {
                        when: When::Civil {
                            year: Year::Full(f[0] as i32),
                            month: f[1] as u8,
                            day: f[2] as u8,
                            hour: f[3] as u8,
                            minute: f[4] as u8,
                            second: f[5] as u8,
                            nanos: 0,
                            utc_offset: 0,
                        },
                        status: Status(f[6]),
                    },
                    rectime,
                    text,
                }
            });
        }
    }

    fn reset(&mut self) {
        self.line.clear();
        self.first = None;
    }

    fn on_poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.write(PortId::MAIN, b"P".to_vec());
    }

    fn on_event(&mut self, ctx: &mut Context<'_>, event: ClockEvent, _now: Timestamp) {
        ctx.log(format!("toy saw event {event:?}"));
    }
}

/// The PARSE driver with the toy format instead of its mode's.
#[derive(Debug)]
struct ToyParse(ParseDriver);

impl Driver for ToyParse {
    const INFO: DriverInfo = super::INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let (d, p) = ParseDriver::start_with(config, ctx, Some(Box::new(Toy::default())))?;
        Ok((ToyParse(d), p))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, port: PortId, data: &[u8], rectime: Timestamp) {
        self.0.receive(ctx, port, data, rectime)
    }

    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        Driver::pps(&mut self.0, ctx, edge)
    }

    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        Driver::poll(&mut self.0, ctx, now)
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, port: PortId, event: PortEvent) {
        Driver::port_event(&mut self.0, ctx, port, event)
    }
}

const T0: i64 = 1_795_000_000; // 2026-11-18

fn clock(mode: u32, fudge: Fudge) -> Clock<ToyParse> {
    Clock::start(DriverConfig {
        fudge: Fudge { mode, ..fudge },
        basedate: Basedate::RELEASE,
        ..DriverConfig::default()
    })
    .expect("starts")
}

fn line(secs: i64, status: u32) -> Vec<u8> {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    format!(
        "{} {} {} {} {} {} {:x}\n",
        t.year, t.month, t.day, t.hour, t.minute, t.second, status
    )
    .into_bytes()
}

/// Feeds the timecode of `secs` received 20 ms after it; its samples.
fn feed(c: &mut Clock<ToyParse>, secs: i64, status: u32) -> Vec<Sample> {
    let rec = Timestamp::from_secs(secs).add_secs_f64(0.020);
    c.receive(PortId::MAIN, &line(secs, status), rec);
    samples(c)
}

fn samples(c: &mut Clock<ToyParse>) -> Vec<Sample> {
    c.take_actions()
        .into_iter()
        .filter_map(|a| match a {
            Action::Sample(s) => Some(s),
            _ => None,
        })
        .collect()
}

const SYNC: u32 = 0;
const NOSYNC: u32 = Status::NOSYNC;
const POWERUP: u32 = Status::POWERUP;

#[test]
fn time1_defaults_to_the_base_delay_and_refid_to_the_modes() {
    let mut c = clock(2, Fudge::default());
    let s = feed(&mut c, T0, SYNC);
    assert_eq!(s.len(), 1);
    // offset = reference − receive time + time1 (mode 2: 10 ms).
    assert!((s[0].offset - (-0.020 + 0.010)).abs() < 1e-9, "{:?}", s[0]);
    assert_eq!(s[0].leap, Leap::NoWarning);
    let c7 = clock(7, Fudge::default());
    assert_eq!(c7.driver().0.clock_info().refid, *b"GPS\0");
    let mut c = clock(
        2,
        Fudge {
            time1: Some(0.5),
            ..Fudge::default()
        },
    );
    let s = feed(&mut c, T0, SYNC);
    assert!((s[0].offset - 0.480).abs() < 1e-9);
}

#[test]
fn never_in_sync_gives_no_sample() {
    let mut c = clock(2, Fudge::default());
    for i in 0..5 {
        assert!(feed(&mut c, T0 + i, NOSYNC).is_empty());
        assert!(feed(&mut c, T0 + 10 + i, POWERUP).is_empty());
    }
    assert_eq!(c.state().leap, Leap::NotInSync);
    assert!(c.state().counters.samples == 0);
}

#[test]
fn trust_time_after_loss_of_sync() {
    // Mode 2 trusts its oscillator for 30 min.
    let mut c = clock(2, Fudge::default());
    assert_eq!(feed(&mut c, T0, SYNC).len(), 1);
    assert_eq!(feed(&mut c, T0 + 1800, NOSYNC).len(), 1);
    assert!(feed(&mut c, T0 + 1801, NOSYNC).is_empty());
    assert_eq!(c.state().leap, Leap::NotInSync);
    // And it waits for sync again.
    assert!(feed(&mut c, T0 + 1802, NOSYNC).is_empty());
    assert_eq!(feed(&mut c, T0 + 1803, SYNC).len(), 1);
    // flag1: time2 is the trust time.
    let mut c = clock(
        2,
        Fudge {
            time2: Some(60.0),
            flags: ClockFlags::FLAG1,
            ..Fudge::default()
        },
    );
    assert_eq!(c.driver().0.trust_time(), 60.0);
    assert_eq!(feed(&mut c, T0, SYNC).len(), 1);
    assert_eq!(feed(&mut c, T0 + 60, NOSYNC).len(), 1);
    assert!(feed(&mut c, T0 + 61, NOSYNC).is_empty());
    // Raw DCF77 (maxunsync 0): not a second without sync.
    let mut c = clock(5, Fudge::default());
    assert_eq!(feed(&mut c, T0, SYNC).len(), 1);
    assert!(feed(&mut c, T0 + 1, NOSYNC).is_empty());
}

#[test]
fn powerup_is_trusted_only_by_modes_22_and_23() {
    for (mode, trusted) in [(2, false), (22, true), (7, false), (23, true)] {
        let mut c = clock(mode, Fudge::default());
        assert_eq!(feed(&mut c, T0, SYNC).len(), 1);
        assert_eq!(
            feed(&mut c, T0 + 1, POWERUP).len(),
            usize::from(trusted),
            "mode {mode}"
        );
        // Never without sync seen first.
        let mut c = clock(mode, Fudge::default());
        assert!(feed(&mut c, T0, POWERUP).is_empty());
    }
}

#[test]
fn leap_warnings() {
    let cases = [
        (Status::LEAPADD, ClockFlags::empty(), Leap::AddSecond),
        (Status::LEAPADD, ClockFlags::FLAG4, Leap::DelSecond),
        (Status::LEAPDEL, ClockFlags::empty(), Leap::DelSecond),
        (
            Status::LEAPADD | Status::LEAPDEL,
            ClockFlags::empty(),
            Leap::NoWarning,
        ),
        (
            Status::DST | Status::ANNOUNCE,
            ClockFlags::empty(),
            Leap::NoWarning,
        ),
    ];
    for (status, flags, leap) in cases {
        let mut c = clock(
            0,
            Fudge {
                flags,
                ..Fudge::default()
            },
        );
        let s = feed(&mut c, T0, status);
        assert_eq!(s[0].leap, leap, "status {status:#x}");
    }
}

#[test]
fn a_poll_filters_at_the_next_timecode_and_a_missed_one_needs_sync_again() {
    let mut c = clock(1, Fudge::default());
    feed(&mut c, T0, SYNC);
    c.poll(Timestamp::from_secs(T0 + 1));
    let actions = c.take_actions();
    assert!(actions
        .iter()
        .any(|a| matches!(a, Action::Write { data, .. } if data == b"P")));
    c.receive(
        PortId::MAIN,
        &line(T0 + 2, SYNC),
        Timestamp::from_secs(T0 + 2),
    );
    let actions = c.take_actions();
    assert!(
        actions.iter().any(|a| matches!(a, Action::Filtered(_))),
        "{actions:?}"
    );
    // A poll interval without a timecode: a time-out ...
    c.poll(Timestamp::from_secs(T0 + 18));
    c.poll(Timestamp::from_secs(T0 + 34));
    assert_eq!(c.state().counters.noreply, 1);
    // ... after which a not-confirmed timecode is not trusted (it would
    // be, within the trust time, without the miss) ...
    assert!(feed(&mut c, T0 + 40, NOSYNC).is_empty());
    // ... until the clock is seen in sync again.
    assert_eq!(feed(&mut c, T0 + 41, SYNC).len(), 1);
    assert_eq!(feed(&mut c, T0 + 42, NOSYNC).len(), 1);
}

#[test]
fn bad_timecodes_are_counted_and_give_no_sample() {
    let mut c = clock(0, Fudge::default());
    c.receive(
        PortId::MAIN,
        b"2026 11 18 garbage\n",
        Timestamp::from_secs(T0),
    );
    assert!(samples(&mut c).is_empty());
    assert_eq!(c.state().counters.badformat, 1);
    // A date that does not exist.
    c.receive(
        PortId::MAIN,
        b"2026 2 30 10 0 0 0\n",
        Timestamp::from_secs(T0),
    );
    assert!(samples(&mut c).is_empty());
    assert_eq!(c.state().counters.baddata, 1);
    c.receive(
        PortId::MAIN,
        b"2026 2 3 24 0 0 0\n",
        Timestamp::from_secs(T0),
    );
    assert!(samples(&mut c).is_empty());
    assert_eq!(c.state().counters.baddata, 2);
}

#[test]
fn pps_marks_the_second_when_the_timecode_is_within_half_a_second() {
    let fudge = Fudge {
        time2: Some(0.001),
        ..Fudge::default()
    };
    let mut c = clock(0x80, fudge.clone());
    let edge = |secs: i64, frac: f64, sequence| PpsEdge {
        time: Timestamp::from_secs(secs).add_secs_f64(frac),
        sequence,
        kind: PpsEdgeKind::Assert,
    };
    c.pps(edge(T0, 0.0003, 1));
    let s = feed(&mut c, T0, SYNC);
    assert_eq!(s.len(), 1);
    // Offset from the edge with time2 as the phase adjustment.
    assert!((s[0].offset - (-0.0003 + 0.001)).abs() < 1e-9, "{:?}", s[0]);
    assert_eq!(s[0].time, edge(T0, 0.0003, 1).time);
    // The same edge is not used twice: the serial timecode with time1.
    let s = feed(&mut c, T0 + 1, SYNC);
    assert!(
        (s[0].offset - (-0.020 + 0.001968)).abs() < 1e-9,
        "{:?}",
        s[0]
    );
    // An edge just before the second rounds up to it.
    c.pps(edge(T0 + 1, 0.9999, 2));
    let s = feed(&mut c, T0 + 2, SYNC);
    assert!((s[0].offset - (0.0001 + 0.001)).abs() < 1e-9, "{:?}", s[0]);
    // Without mode + 128 an edge is ignored.
    let mut c = clock(0, fudge);
    c.pps(edge(T0, 0.0003, 1));
    let s = feed(&mut c, T0, SYNC);
    assert!((s[0].offset - (-0.020 + 0.001968)).abs() < 1e-9);
}

#[test]
fn modes_and_ports() {
    for bad in [25, 0x80 + 25, 0x100, 1000] {
        let e = Clock::<ParseDriver>::start(DriverConfig {
            fudge: Fudge {
                mode: bad,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        })
        .unwrap_err();
        assert!(matches!(e, StartError::BadMode { .. }), "{bad}: {e}");
    }
    let c = clock(0x80 + 5, Fudge::default());
    let ports = c.ports();
    let main = ports.get(PortId::MAIN).unwrap();
    assert_eq!(main.kind.path().unwrap().to_str(), Some("/dev/refclock-0"));
    assert_eq!(main.kind.serial_config().unwrap().baud, 50);
    let pps = ports.pps.as_ref().expect("PPS asked for");
    assert_eq!(
        pps.path.as_deref().unwrap().to_str(),
        Some("/dev/refclockpps-0")
    );
    assert!(clock(5, Fudge::default()).ports().pps.is_none());
}
