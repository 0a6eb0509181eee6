//! `hpgps_driver`'s own properties, on top of the script runner's generic
//! ones ([`run_script`](crate::testkit::run_script)). A model of the
//! dialogue, written from the module documentation, follows every call
//! and says what the driver must do:
//!
//! * the clock asks for one serial device, 19200 baud 7O1 for mode 1 and
//!   9600 baud 8N1 for any other mode, canonical, without PPS;
//! * it writes exactly what the model writes, nothing else, in order: the
//!   start queries once per opening; per poll while open the time zone
//!   query once a timecode came without a zone known since the opening
//!   (until the zone is known), then one timecode
//!   query (counted as a poll), nothing while closed; per line read, the
//!   status clear after a prompt that reports an error, and with flag4
//!   the status screen query after each sample;
//! * a sample only from a read, exactly one per timecode line the model
//!   takes: not while the first line after an opening or a status screen
//!   is expected, only once the zone is known, not with an unknown leap
//!   character while in sync, and only when the timecode's day of the year
//!   and time, in UTC (the zone taken off by the minute, second 60 kept),
//!   fall within 4 h of the receive time in some year; its time is the
//!   receive time, its offset that UTC second − the receive time + time1,
//!   its leap indicator "not in sync" for `V` ≠ `0`, else the warning in
//!   June and December (UTC) only;
//! * the filter runs only right after a sample in sync, once per poll
//!   interval;
//! * one clockstats record per line the model logs (the status screen's
//!   lines that fit ntpd's buffer once its last line came), none
//!   elsewhere; a timeout counted at a poll exactly when two polls passed
//!   without a line.

use refclock_core::calendar::{days_from_civil, year_of, CLOSETIME, SECS_PER_DAY};
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{DataBits, InputMode, Parity, PortEvent};
use refclock_core::{Action, Clock, DriverConfig, Leap, PortId, Refclock, Timestamp};

use crate::hpgps::codec::{
    decode_reply, prompt_reports_error, split_prompt, LeapFlag, Reply, Timecode, CLEAR_STATUS,
    START_QUERY, STATUS_SCREEN_QUERY, TIMECODE_QUERY, ZONE_QUERY,
};
use crate::hpgps::{HpgpsDriver, SCREEN_MAX};
use crate::testkit::{Call, Checker};

/// What one call must produce.
#[derive(Debug, Default)]
struct Expect {
    writes: Vec<&'static [u8]>,
    /// (time, offset, leap) of each sample.
    samples: Vec<(Timestamp, f64, Leap)>,
    filtered: usize,
    clockstats: usize,
}

/// The model of the dialogue (see the module documentation).
#[derive(Debug)]
pub struct HpgpsChecks {
    mode: u32,
    flag4: bool,
    time1: f64,
    framer: LineFramer,
    open: bool,
    /// Lines still to be logged only (the identification, a screen).
    linecnt: u16,
    /// Lines of the screen kept, and the bytes they take with newlines.
    screen: (usize, usize),
    /// Local time − UTC in minutes, once answered since the opening.
    zone: Option<i64>,
    /// A timecode came while the zone was unknown since the opening.
    zone_wanted: bool,
    pollcnt: u8,
    filtered: bool,
    noreply: u64,
    polls: u64,
}

impl HpgpsChecks {
    /// For a run with `config`.
    pub fn new(config: &DriverConfig) -> HpgpsChecks {
        HpgpsChecks {
            mode: config.fudge.mode,
            flag4: config
                .fudge
                .flags
                .contains(refclock_core::ClockFlags::FLAG4),
            time1: config.fudge.time1(),
            framer: LineFramer::new(),
            open: false,
            linecnt: 0,
            screen: (0, 0),
            zone: None,
            zone_wanted: false,
            pollcnt: 2,
            filtered: false,
            noreply: 0,
            polls: 0,
        }
    }

    fn check_start(&self, clock: &Clock<HpgpsDriver>) {
        let ports = clock.ports();
        assert_eq!(ports.list.len(), 1, "one device");
        assert!(ports.pps.is_none(), "no PPS");
        let serial = ports.list[0].kind.serial_config().expect("a serial device");
        let (baud, bits, parity) = if self.mode == 1 {
            (19_200, DataBits::Seven, Parity::Odd)
        } else {
            (9600, DataBits::Eight, Parity::None)
        };
        assert_eq!(
            (serial.baud, serial.data_bits, serial.parity, serial.input),
            (baud, bits, parity, InputMode::Canonical),
            "mode {}",
            self.mode
        );
    }

    /// The sample a timecode read at `rectime` gives, if any.
    fn sample(&self, code: &Timecode, zone: i64, rectime: Timestamp) -> Option<(f64, Leap)> {
        let t = code.local;
        let local = days_from_civil(t.year, t.month, t.day) * 1440
            + i64::from(t.hour) * 60
            + i64::from(t.minute);
        let utc = local - zone;
        let day = utc.div_euclid(1440);
        let (year, month) = {
            let c = refclock_core::calendar::civil_from_days(day);
            (c.0, c.1)
        };
        let leap = if code.sync != b'0' {
            Leap::NotInSync
        } else {
            match code.leap {
                LeapFlag::Other(_) => return None,
                LeapFlag::Insert if month == 6 || month == 12 => Leap::AddSecond,
                LeapFlag::Delete if month == 6 || month == 12 => Leap::DelSecond,
                _ => Leap::NoWarning,
            }
        };
        // Seconds into its UTC year, placed in the year that puts them
        // within 4 h of the receive time, if any does.
        let into_year = (utc - days_from_civil(year, 1, 1) * 1440) * 60 + i64::from(t.second);
        let rec = rectime.secs();
        let year_start = |y: i32| days_from_civil(y, 1, 1) * SECS_PER_DAY;
        let this = year_of(rectime);
        let reference = (this - 1..=this + 1)
            .map(|y| year_start(y) + into_year)
            .find(|r| (r - rec).abs() < CLOSETIME)?;
        let offset = (Timestamp::from_secs(reference) - rectime) + self.time1;
        Some((offset, leap))
    }

    /// One line, as the driver must take it.
    fn line(&mut self, text: &[u8], rectime: Timestamp, expect: &mut Expect) {
        if text.is_empty() {
            return;
        }
        if self.linecnt > 0 {
            self.linecnt -= 1;
            if self.screen.1 + text.len() + 2 <= SCREEN_MAX {
                self.screen = (self.screen.0 + 1, self.screen.1 + text.len() + 1);
            }
            if self.linecnt == 0 {
                expect.clockstats += self.screen.0;
                self.screen = (0, 0);
            }
            return;
        }
        expect.clockstats += 1;
        self.screen = (0, 0);
        self.pollcnt = 2;
        let (prompt, reply) = split_prompt(text);
        if prompt_reports_error(prompt) {
            expect.writes.push(CLEAR_STATUS);
        }
        match decode_reply(reply) {
            Ok(Reply::TimeZone(z)) => self.zone = Some(z.offset_minutes()),
            Ok(Reply::Timecode(code)) => {
                let Some(zone) = self.zone else {
                    self.zone_wanted = true;
                    return;
                };
                let Some((offset, leap)) = self.sample(&code, zone, rectime) else {
                    return;
                };
                expect.samples.push((rectime, offset, leap));
                if !self.filtered && leap != Leap::NotInSync {
                    self.filtered = true;
                    expect.filtered += 1;
                }
                if self.flag4 {
                    self.linecnt = 22;
                    expect.writes.push(STATUS_SCREEN_QUERY);
                }
            }
            Err(_) => {}
        }
    }

    /// What `call` must produce; updates the model.
    fn expect(&mut self, call: &Call<'_>) -> Expect {
        let mut expect = Expect::default();
        match call {
            Call::Receive { data, rectime, .. } => {
                let mut lines = Vec::new();
                self.framer
                    .feed(data, *rectime, |l| lines.push((l.data.to_vec(), l.last)));
                for (text, last) in lines {
                    self.line(&text, last, &mut expect);
                }
            }
            Call::Poll(_) => {
                self.filtered = false;
                if self.pollcnt == 0 {
                    self.noreply += 1;
                } else {
                    self.pollcnt -= 1;
                }
                if self.open {
                    if self.zone.is_none() && self.zone_wanted {
                        expect.writes.push(ZONE_QUERY);
                    }
                    expect.writes.push(TIMECODE_QUERY);
                    self.polls += 1;
                }
            }
            Call::Port { event, .. } => match event {
                PortEvent::Opened => {
                    self.open = true;
                    self.framer.reset();
                    self.screen = (0, 0);
                    self.zone = None;
                    self.zone_wanted = false;
                    self.linecnt = 1;
                    expect.writes.push(START_QUERY);
                }
                PortEvent::Closed(_) => {
                    self.open = false;
                    self.framer.reset();
                }
                _ => {}
            },
            _ => {}
        }
        expect
    }
}

impl Checker<HpgpsDriver> for HpgpsChecks {
    fn check(&mut self, clock: &Clock<HpgpsDriver>, call: &Call<'_>, actions: &[Action]) {
        if matches!(call, Call::Start) {
            self.check_start(clock);
        }
        let expect = self.expect(call);
        let mut writes = Vec::new();
        let mut samples = Vec::new();
        let (mut filtered, mut clockstats) = (0, 0);
        for action in actions {
            match action {
                Action::Write { port, data } => {
                    assert_eq!(*port, PortId::MAIN);
                    writes.push(&data[..]);
                }
                Action::Sample(s) => {
                    assert!(!s.pulse);
                    samples.push(*s);
                }
                Action::Filtered(_) => {
                    assert!(
                        !samples.is_empty(),
                        "filtered before any sample of the call"
                    );
                    filtered += 1;
                }
                Action::ClockStats(_) => clockstats += 1,
                Action::Event(_) | Action::Log(_) => {}
                other => panic!("the HP driver asked for {other:?} after {call:?}"),
            }
        }
        assert_eq!(writes, expect.writes, "writes after {call:?}");
        assert_eq!(
            samples.len(),
            expect.samples.len(),
            "samples after {call:?}: {samples:?}, expected {:?}",
            expect.samples
        );
        for (s, (time, offset, leap)) in samples.iter().zip(&expect.samples) {
            assert_eq!(s.time, *time);
            assert!(
                (s.offset - offset).abs() < 1e-6,
                "offset {} expected {offset}",
                s.offset
            );
            assert_eq!(s.leap, *leap);
        }
        assert_eq!(filtered, expect.filtered, "filtered after {call:?}");
        assert_eq!(clockstats, expect.clockstats, "clockstats after {call:?}");
        let c = clock.state().counters;
        assert_eq!((c.noreply, c.polls), (self.noreply, self.polls));
        assert_eq!(clock.driver().time_zone_known(), self.zone.is_some());
        assert_eq!(clock.driver().screen_lines_expected(), self.linecnt);
    }
}
