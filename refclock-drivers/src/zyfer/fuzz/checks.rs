//! `zyfer_driver`'s own properties, on top of the script runner's generic
//! ones ([`run_script`](crate::testkit::run_script)). The checker reads
//! every byte handed to the driver with a framer of its own (a `!` starts
//! a record, 29 bytes end it, a `!` inside one cuts it short; a lost port
//! forgets the record under way) and expects, record by record:
//!
//! * one clockstats line, the record's printable bytes;
//! * a record that does not decode: one log line (`bad timecode '...'`)
//!   and `badformat` (layout) or `baddata` (length, range) counted once;
//!   a decoded one whose time mode is not 2 (UTC): `baddata` once;
//! * a UTC one not time locked: no sample, the leap indicator "not in
//!   sync" (no event, as ntpd);
//! * a locked UTC one: exactly one sample, taken at the receive time of
//!   the read that held its `!`, leap "no warning", not a pulse, whose
//!   reference time (time + offset − time1) is the stated instant moved
//!   by whole eras of 1024 weeks into the era window of that receive time
//!   ([`EraWindow::new`]); the leap indicator "no warning" again (the
//!   recovery ntpd lacks); and, when a poll came since the last sample,
//!   one filtered result.
//!
//! Besides: the port is `/dev/zyferU` at 9600 8N1 raw whatever the mode,
//! with no PPS; the driver never writes, opens, closes or reconfigures;
//! samples and filtered results come only from reads; a poll counts down
//! two polls after each sample and then reports a timeout each time
//! (`noreply`), and arms the filtering; nothing else changes a counter.

use std::path::PathBuf;

use refclock_core::calendar::Basedate;
use refclock_core::clock::Counters;
use refclock_core::gps::{EraWindow, NANOS_PER_WEEK, WEEKS_PER_ERA};
use refclock_core::port::{PortEvent, SerialConfig};
use refclock_core::{Action, Clock, ClockEvent, DriverConfig, Leap, PortId, Refclock, Timestamp};

use crate::testkit::{Call, Checker};
use crate::zyfer::codec::{self, LEN, ON_TIME, OP_LOCKED, TIME_MODE_UTC};
use crate::zyfer::ZyferDriver;

/// The instant `stated` moved by whole eras into the window that starts
/// at `start`.
fn into_window(stated: Timestamp, start: Timestamp) -> i128 {
    let era = i128::from(WEEKS_PER_ERA) * NANOS_PER_WEEK;
    start.as_nanos() + (stated.as_nanos() - start.as_nanos()).rem_euclid(era)
}

/// What one read should give.
#[derive(Debug, Default)]
struct Expected {
    clockstats: Vec<String>,
    logs: usize,
    badformat: u64,
    baddata: u64,
    /// (time, reference time in ns) of each sample.
    samples: Vec<(Timestamp, i128)>,
    filtered: usize,
}

/// What the Zyfer checks know about the run so far.
#[derive(Debug)]
pub struct ZyferChecks {
    basedate: Basedate,
    unit: u8,
    time1: f64,
    /// The record under way and the receive time of its `!`.
    record: Vec<u8>,
    first: Option<Timestamp>,
    leap: Leap,
    pollcnt: u8,
    polled: bool,
    counters: Counters,
}

impl ZyferChecks {
    /// For a run with `config`.
    pub fn new(config: &DriverConfig) -> ZyferChecks {
        ZyferChecks {
            basedate: config.basedate,
            unit: config.unit,
            time1: config.fudge.time1(),
            record: Vec::new(),
            first: None,
            leap: Leap::NotInSync,
            pollcnt: 2,
            polled: false,
            counters: Counters::default(),
        }
    }

    fn check_start(&self, clock: &Clock<ZyferDriver>) {
        let ports = clock.ports();
        assert_eq!(ports.list.len(), 1, "one device");
        assert_eq!(ports.pps, None, "no PPS");
        let kind = &ports.list[0].kind;
        let path = PathBuf::from(format!("/dev/zyfer{}", self.unit));
        assert_eq!(kind.path(), Some(path.as_path()));
        assert_eq!(kind.serial_config(), Some(&SerialConfig::raw_8n1(9600)));
        assert_eq!(clock.state().leap, Leap::NotInSync);
    }

    /// Frames `data` read at `rectime` into whole or cut records.
    fn frame(&mut self, data: &[u8], rectime: Timestamp) -> Vec<(Vec<u8>, Timestamp)> {
        let mut out = Vec::new();
        for &b in data {
            if b == ON_TIME {
                if !self.record.is_empty() {
                    out.push((std::mem::take(&mut self.record), self.first.take().unwrap()));
                }
                self.first = Some(rectime);
            }
            if self.first.is_some() {
                self.record.push(b);
                if self.record.len() == LEN {
                    out.push((std::mem::take(&mut self.record), self.first.take().unwrap()));
                }
            }
        }
        out
    }

    /// What the records of one read should give, updating the model.
    fn expect(&mut self, records: Vec<(Vec<u8>, Timestamp)>) -> Expected {
        let mut e = Expected::default();
        for (bytes, first) in records {
            let printable: String = bytes
                .iter()
                .map(|&b| b & 0x7f)
                .filter(|b| (0x20..0x7f).contains(b))
                .map(char::from)
                .collect();
            e.clockstats.push(printable);
            let t = match codec::decode(&bytes) {
                Ok(t) => t,
                Err(err) => {
                    e.logs += 1;
                    match err.event() {
                        ClockEvent::BadReply => e.badformat += 1,
                        _ => e.baddata += 1,
                    }
                    continue;
                }
            };
            if t.time_mode != TIME_MODE_UTC {
                e.baddata += 1;
            } else if t.op_mode != OP_LOCKED {
                self.leap = Leap::NotInSync;
            } else {
                self.leap = Leap::NoWarning;
                let start = EraWindow::new(&self.basedate, first).start();
                e.samples.push((first, into_window(t.timestamp(), start)));
                self.pollcnt = 2;
                if self.polled {
                    self.polled = false;
                    e.filtered += 1;
                }
            }
        }
        e
    }

    fn check_read(&mut self, clock: &Clock<ZyferDriver>, e: Expected, actions: &[Action]) {
        let mut samples = Vec::new();
        let (mut stats, mut logs, mut filtered) = (Vec::new(), 0, 0);
        for a in actions {
            match a {
                Action::Sample(s) => samples.push(*s),
                Action::ClockStats(line) => stats.push(line.clone()),
                Action::Log(line) => {
                    assert!(line.starts_with("bad timecode '"), "{line}");
                    logs += 1;
                }
                Action::Filtered(_) => filtered += 1,
                Action::Event(ev) => assert!(
                    matches!(ev, ClockEvent::BadReply | ClockEvent::BadTime),
                    "{ev:?} from a read"
                ),
                other => panic!("the Zyfer driver asked for {other:?}"),
            }
        }
        assert_eq!(stats, e.clockstats, "one clockstats line per record");
        assert_eq!(logs, e.logs, "one log line per undecodable record");
        assert_eq!(filtered, e.filtered, "filtered results");
        assert_eq!(
            samples.len(),
            e.samples.len(),
            "{samples:?} vs {:?}",
            e.samples
        );
        for (s, &(time, reftime)) in samples.iter().zip(&e.samples) {
            assert_eq!(s.time, time, "the receive time of the read with the '!'");
            assert_eq!((s.leap, s.pulse), (Leap::NoWarning, false));
            // offset = reference time − receive time + time1; |offset| is
            // below an era (6·10^8 s), so f64 keeps it to a microsecond.
            let want = (reftime - time.as_nanos()) as f64 * 1e-9 + self.time1;
            assert!(
                (s.offset - want).abs() < 1e-6,
                "offset {} for a reference time in the era window {reftime} ns: want {want}",
                s.offset
            );
        }
        let c = clock.state().counters;
        let old = self.counters;
        assert_eq!(c.badformat - old.badformat, e.badformat, "badformat");
        assert_eq!(c.baddata - old.baddata, e.baddata, "baddata");
        assert_eq!(c.noreply, old.noreply, "a read reports no timeout");
    }
}

impl Checker<ZyferDriver> for ZyferChecks {
    fn check(&mut self, clock: &Clock<ZyferDriver>, call: &Call<'_>, actions: &[Action]) {
        match call {
            Call::Start => self.check_start(clock),
            Call::Receive {
                port,
                data,
                rectime,
            } => {
                assert_eq!(*port, PortId::MAIN);
                let records = self.frame(data, *rectime);
                let e = self.expect(records);
                self.check_read(clock, e, actions);
            }
            Call::Poll(_) => {
                let c = clock.state().counters;
                let timeout = self.pollcnt == 0;
                self.pollcnt = self.pollcnt.saturating_sub(1);
                self.polled = true;
                assert_eq!(c.noreply - self.counters.noreply, u64::from(timeout));
                assert_eq!(c.polls - self.counters.polls, 1);
                for a in actions {
                    assert_eq!(*a, Action::Event(ClockEvent::Timeout), "a poll's action");
                }
            }
            Call::Port { event, .. } => {
                if let PortEvent::Closed(_) = event {
                    self.record.clear();
                    self.first = None;
                }
                assert!(actions.is_empty(), "{actions:?} after {event:?}");
            }
            _ => assert!(actions.is_empty(), "{actions:?} after {call:?}"),
        }
        let state = clock.state();
        assert_eq!(state.leap, self.leap, "the leap indicator after {call:?}");
        let c = state.counters;
        if !matches!(call, Call::Poll(_)) {
            assert_eq!(c.polls, self.counters.polls, "polls counted outside a poll");
        }
        let driver = clock.driver();
        assert_eq!(driver.polls_left(), self.pollcnt, "polls left");
        assert_eq!(driver.polled(), self.polled, "filtering armed");
        self.counters = c;
    }
}
