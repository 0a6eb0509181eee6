//! `nmea_driver`'s own properties, on top of the script runner's generic
//! ones ([`run_script`](crate::testkit::run_script)):
//!
//! * the clock asks for the device at the speed of the mode's bits, and
//!   for a PPS source exactly with `flag1`; it never writes, opens,
//!   closes or sets modem lines;
//! * a sample comes only from a read; its leap indicator is "no warning"
//!   (NMEA never announces a leap second); its time is the read's receive
//!   time minus `time2` exactly, or, with `flag1`, a time less than 1 s
//!   from it on the phase of the last PPS edge of the configured kind
//!   (minus `time1`);
//! * its reference time (time + offset) lies in the era window of the base
//!   date and that read's receive time ([`EraWindow::new`]) unless mode
//!   0x40000 trusts the receiver's date; with it, in 1980-01-01 − 12 h ..
//!   10000-01-01 + 12 h (four-digit years up to 9999, time-only sentences
//!   within ±12 h of a date or the receive time), widened to the sample
//!   times. Hence |offset| stays below the window's distance from the
//!   receive times, which is checked too;
//! * each poll writes one clockstats line and clears the per-poll tally;
//!   no clockstats line comes outside a poll without mode 0x80;
//! * the driver's totals never decrease and add up (`total` = accepted +
//!   rejected + malformed + filtered + unknown), the tally never exceeds
//!   them, `pps_used` ≤ `accepted`, there is exactly one sample per
//!   accepted sentence (so none from a rejected, malformed or filtered
//!   one), and the driver sees no more lines than the bytes read hold.

use refclock_core::calendar::{days_from_civil, Basedate, SECS_PER_DAY};
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::gps::{EraWindow, NANOS_PER_WEEK, WEEKS_PER_ERA};
use refclock_core::port::{PpsEdge, PpsEdgeKind};
use refclock_core::{
    Action, Clock, ClockFlags, DriverConfig, Leap, PortId, Refclock, Sample, Timestamp,
};

use crate::nmea::{baud_rate, NmeaDriver, Tally, MODE_DATETRUST, MODE_DELAYMEAS};
use crate::testkit::{Call, Checker};

const NANOS: i128 = 1_000_000_000;

/// The window `[lo, hi)` (nanoseconds since the epoch) that every
/// reference time of a sentence received at `rectime` must fall in, for a
/// driver with `mode` and `basedate`, given sample times in `[t_lo, t_hi]`
/// (nanoseconds).
///
/// * Without [`MODE_DATETRUST`] every result goes through the GPS era
///   mapping: the 1024 weeks of [`EraWindow::new`].
/// * With it, a date is taken as sent: a two-digit year within 50 years
///   of the receive time or the base date (1980..=2079 while both are
///   before 2030; 2080 for 1-5 January 1980), a four-digit year 1981..=9999,
///   a GPS week still era-mapped; the time of day (up to 86 401 s with a
///   leap second, −1 s for ZDG) is then placed within ±12 h of that date or
///   of the sample time.
pub fn ref_window(
    mode: u32,
    basedate: &Basedate,
    rectime: Timestamp,
    t_lo: i128,
    t_hi: i128,
) -> (i128, i128) {
    let day_ns = i128::from(SECS_PER_DAY) * NANOS;
    if mode & MODE_DATETRUST == 0 {
        let start = EraWindow::new(basedate, rectime).start().as_nanos();
        return (start, start + i128::from(WEEKS_PER_ERA) * NANOS_PER_WEEK);
    }
    let slack = day_ns / 2 + 2 * NANOS;
    let lo = i128::from(days_from_civil(1980, 1, 1)) * day_ns;
    let hi = i128::from(days_from_civil(10000, 1, 1)) * day_ns;
    (lo.min(t_lo) - slack, hi.max(t_hi) + slack)
}

/// What the NMEA checks know about the run so far.
#[derive(Debug)]
pub struct NmeaChecks {
    mode: u32,
    basedate: Basedate,
    flag1: bool,
    time1: f64,
    time2: f64,
    edge_kind: PpsEdgeKind,
    last_edge: Option<PpsEdge>,
    rec_lo: i128,
    rec_hi: i128,
    samples: u64,
    totals: Tally,
    /// Frames every byte read, to count the lines the driver can see.
    framer: LineFramer,
    lines: u64,
}

impl NmeaChecks {
    /// For a run with `config`.
    pub fn new(config: &DriverConfig) -> NmeaChecks {
        let flags = config.fudge.flags;
        NmeaChecks {
            mode: config.fudge.mode,
            basedate: config.basedate,
            flag1: flags.contains(ClockFlags::FLAG1),
            time1: config.fudge.time1(),
            time2: config.fudge.time2(),
            edge_kind: if flags.contains(ClockFlags::FLAG2) {
                PpsEdgeKind::Clear
            } else {
                PpsEdgeKind::Assert
            },
            last_edge: None,
            rec_lo: i128::MAX,
            rec_hi: i128::MIN,
            samples: 0,
            totals: Tally::default(),
            framer: LineFramer::new(),
            lines: 0,
        }
    }

    fn check_start(&self, clock: &Clock<NmeaDriver>) {
        let ports = &clock.ports();
        assert_eq!(ports.list.len(), 1, "one device");
        let serial = ports.list[0].kind.serial_config().expect("a serial device");
        assert_eq!(serial.baud, baud_rate(self.mode));
        assert_eq!(ports.pps.is_some(), self.flag1, "PPS exactly with flag1");
    }

    fn check_sample(&mut self, s: &Sample, rectime: Timestamp) {
        assert_eq!(s.leap, Leap::NoWarning, "a sample from a clock not in sync");
        assert!(!s.pulse, "a pulse sample");
        let rcv = rectime.add_secs_f64(-self.time2);
        if s.time != rcv {
            assert!(
                self.flag1,
                "sample time {:?}, receive time − time2 {rcv:?}",
                s.time
            );
            let edge = self.last_edge.expect("a PPS-moved sample without an edge");
            let stamp = edge.time.add_secs_f64(-self.time1);
            let moved = s.time.as_nanos() - rcv.as_nanos();
            assert!(moved.abs() < NANOS, "PPS moved the sample by {moved} ns");
            assert_eq!(
                (s.time.as_nanos() - stamp.as_nanos()).rem_euclid(NANOS),
                0,
                "PPS-moved sample {:?} not on the phase of {stamp:?}",
                s.time
            );
        }
        self.samples += 1;

        // The sample times this run can produce, and the reference window.
        // PPS moves a sample by less than 1 s; 1 ms more covers rounding.
        let slack = NANOS + 1_000_000;
        let t2 = (self.time2 * 1e9).round() as i128;
        let t_lo = self.rec_lo - t2 - slack;
        let t_hi = self.rec_hi - t2 + slack;
        assert!((t_lo..=t_hi).contains(&s.time.as_nanos()));
        let (w_lo, w_hi) = ref_window(self.mode, &self.basedate, rectime, t_lo, t_hi);
        let reftime = s.time.as_nanos() + (s.offset * 1e9).round() as i128;
        let tol = 1_000_000; // 1 ms: an f64 offset of 10^11 s is good to ~10 µs
        assert!(
            w_lo - tol <= reftime && reftime < w_hi + tol,
            "reference time {reftime} outside [{w_lo}, {w_hi}) ns (mode {:#x})",
            self.mode
        );
        let bound = (w_hi - t_lo).max(t_hi - w_lo) as f64 / 1e9;
        assert!(
            s.offset.abs() <= bound + 1e-3,
            "|offset| {} > {bound}",
            s.offset
        );
    }

    fn check_tally(&mut self, driver: &NmeaDriver) {
        let fields = |t: &Tally| {
            [
                t.total,
                t.accepted,
                t.rejected,
                t.malformed,
                t.filtered,
                t.pps_used,
                t.unknown,
                t.invalid,
                t.dropped,
            ]
        };
        let t = driver.totals();
        let (new, prev, tally) = (fields(&t), fields(&self.totals), fields(&driver.tally()));
        for k in 0..new.len() {
            assert!(
                new[k] >= prev[k],
                "totals went back: {:?} -> {t:?}",
                self.totals
            );
            assert!(tally[k] <= new[k], "tally above totals");
        }
        assert_eq!(
            t.total,
            t.accepted + t.rejected + t.malformed + t.filtered + t.unknown,
            "totals do not add up: {t:?}"
        );
        assert!(t.pps_used <= t.accepted);
        assert_eq!(t.accepted, self.samples, "one sample per accepted sentence");
        assert!(
            t.dropped + t.invalid + t.total <= self.lines,
            "{t:?}: more lines than the {} read",
            self.lines
        );
        self.totals = t;
    }
}

impl Checker<NmeaDriver> for NmeaChecks {
    fn check(&mut self, clock: &Clock<NmeaDriver>, call: &Call<'_>, actions: &[Action]) {
        let mut rectime = None;
        match call {
            Call::Start => self.check_start(clock),
            Call::Receive {
                port,
                data,
                rectime: t,
            } => {
                assert_eq!(*port, PortId::MAIN);
                self.rec_lo = self.rec_lo.min(t.as_nanos());
                self.rec_hi = self.rec_hi.max(t.as_nanos());
                self.framer.feed(data, *t, |_| self.lines += 1);
                rectime = Some(*t);
            }
            Call::Pps(edge) if edge.kind == self.edge_kind => self.last_edge = Some(*edge),
            _ => {}
        }
        let mut clockstats = 0;
        for action in actions {
            match action {
                Action::Sample(s) => {
                    let t = rectime.unwrap_or_else(|| panic!("sample {s:?} outside a read"));
                    self.check_sample(s, t);
                }
                Action::Filtered(_) => {
                    assert!(matches!(call, Call::Poll(_)), "filtered outside a poll")
                }
                Action::ClockStats(_) => clockstats += 1,
                Action::Event(_) | Action::Log(_) => {}
                other => panic!("the NMEA driver asked for {other:?}"),
            }
        }
        if matches!(call, Call::Poll(_)) {
            assert_eq!(clockstats, 1, "one clockstats line per poll");
            assert_eq!(
                clock.driver().tally(),
                Tally::default(),
                "poll clears the tally"
            );
        } else if self.mode & MODE_DELAYMEAS == 0 {
            assert_eq!(clockstats, 0, "clockstats outside a poll without mode 0x80");
        }
        self.check_tally(clock.driver());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let base = Basedate::from_ymd(2020, 1, 1).unwrap();
        let rec = Timestamp::from_secs(1_600_000_000);
        let (lo, hi) = ref_window(0, &base, rec, 0, 0);
        assert_eq!(hi - lo, 1024 * 7 * 86_400 * NANOS);
        assert!(lo <= 1_577_836_800 * NANOS + 7 * 86_400 * NANOS);
        // A receive time far past the base date moves the window.
        let later = Timestamp::from_secs(4_000_000_000);
        let (lo2, _) = ref_window(0, &base, later, 0, 0);
        assert!(lo2 > lo && lo2 < later.as_nanos());
        let (lo, hi) = ref_window(MODE_DATETRUST, &base, rec, 0, 0);
        assert!(lo < 315_532_800 * NANOS && hi > 253_402_300_800 * NANOS);
    }
}
