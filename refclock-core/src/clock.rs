//! The state of one reference clock, in the spirit of ntpd's
//! `struct refclockproc`: the last timecode and its decoded fields, last
//! reference and receive times, leap indicator, error counters, status, the
//! sample ring, and the queue of actions the host drains.

use std::collections::VecDeque;

use crate::calendar::{clocktime, CalendarError, YearStart};
use crate::driver::Action;
use crate::event::ClockEvent;
use crate::filter::{FilterOutput, SampleBuffer};
use crate::fudge::Fudge;
use crate::sample::{Leap, Sample};
use crate::time::Timestamp;

/// Longest timecode kept (`BMAX`).
pub const BMAX: usize = 128;

/// A clock's address, 127.127.TYPE.UNIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClockId {
    /// Driver type number (ntpd's refclock type).
    pub kind: u8,
    /// Unit number.
    pub unit: u8,
}

impl std::fmt::Display for ClockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "127.127.{}.{}", self.kind, self.unit)
    }
}

/// Fields a driver decoded from its last timecode (`pp->year` .. `pp->nsec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DecodedFields {
    /// Year, when the timecode has one (0 otherwise).
    pub year: i32,
    /// Day of year, 1..=366.
    pub day: u16,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second (60 during a leap second).
    pub second: u8,
    /// Nanoseconds.
    pub nsec: u32,
}

/// Error tallies (`pp->polls`, `noreply`, `badformat`, `baddata`), plus the
/// number of raw samples taken (`coderecv` as a count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Counters {
    /// Polls sent / poll intervals elapsed.
    pub polls: u64,
    /// No reply from the clock ([`ClockEvent::Timeout`]).
    pub noreply: u64,
    /// Malformed timecodes ([`ClockEvent::BadReply`]).
    pub badformat: u64,
    /// Bad dates or times ([`ClockEvent::BadDate`], [`ClockEvent::BadTime`]).
    pub baddata: u64,
    /// Raw samples produced.
    pub samples: u64,
}

/// Per-clock state shared by every driver.
#[derive(Debug)]
pub struct ClockState {
    /// Address of the clock.
    pub id: ClockId,
    /// Fudge values and mode.
    pub fudge: Fudge,
    /// Fields of the last decoded timecode.
    pub fields: DecodedFields,
    /// Reference time of the last sample.
    pub lastref: Option<Timestamp>,
    /// System (receive) time of the last sample.
    pub lastrec: Option<Timestamp>,
    /// Current leap indicator (starts as not in sync).
    pub leap: Leap,
    /// Error tallies.
    pub counters: Counters,
    /// Current status.
    pub status: ClockEvent,
    /// Last event other than nominal.
    pub last_event: ClockEvent,
    /// Year start cache for [`clocktime`].
    pub year_start: YearStart,
    /// Floor for the filter's jitter, seconds (ntpd: 2^sys_precision).
    pub min_jitter: f64,
    timecode: [u8; BMAX],
    timecode_len: usize,
    samples: SampleBuffer,
    actions: VecDeque<Action>,
}

impl ClockState {
    /// Fresh state: not in sync, no samples (`refclock_newpeer`).
    pub fn new(id: ClockId, fudge: Fudge) -> Self {
        ClockState {
            id,
            fudge,
            fields: DecodedFields::default(),
            lastref: None,
            lastrec: None,
            leap: Leap::NotInSync,
            counters: Counters::default(),
            status: ClockEvent::Nominal,
            last_event: ClockEvent::Nominal,
            year_start: None,
            min_jitter: 2f64.powi(-20),
            timecode: [0; BMAX],
            timecode_len: 0,
            samples: SampleBuffer::new(),
            actions: VecDeque::new(),
        }
    }

    /// The last timecode saved (`pp->a_lastcode`), as text.
    pub fn timecode(&self) -> &str {
        std::str::from_utf8(&self.timecode[..self.timecode_len]).unwrap_or("")
    }

    /// Saves a timecode, keeping printable ASCII only and at most
    /// `BMAX − 1` bytes (`refclock_save_lcode`).
    pub fn save_timecode(&mut self, code: &[u8]) {
        let mut n = 0;
        for &b in code {
            if n == BMAX - 1 {
                break;
            }
            let b = b & 0x7f;
            if (0x20..0x7f).contains(&b) {
                self.timecode[n] = b;
                n += 1;
            }
        }
        self.timecode_len = n;
    }

    /// Records an event (`refclock_report`): counts it, and on a change of
    /// status queues [`Action::Event`].
    pub fn report(&mut self, event: ClockEvent) {
        match event {
            ClockEvent::Timeout => self.counters.noreply += 1,
            ClockEvent::BadReply => self.counters.badformat += 1,
            ClockEvent::BadDate | ClockEvent::BadTime => self.counters.baddata += 1,
            _ => {}
        }
        if event != ClockEvent::Nominal {
            self.last_event = event;
        }
        if self.status != event {
            self.status = event;
            self.actions.push_back(Action::Event(event));
        }
    }

    /// Adds a raw sample `reftime − rectime + fudge` taken at `rectime`
    /// (`refclock_process_offset`) and queues it as [`Action::Sample`].
    pub fn process_offset(&mut self, reftime: Timestamp, rectime: Timestamp, fudge: f64) -> Sample {
        let offset = reftime.diff(rectime) + fudge;
        self.lastref = Some(reftime);
        self.push_sample(rectime, offset)
    }

    /// Adds a raw sample with a precomputed offset (true − system) taken at
    /// `rectime`; the building block of every other `process_*`.
    pub fn push_sample(&mut self, rectime: Timestamp, offset: f64) -> Sample {
        self.lastrec = Some(rectime);
        let _ = self.samples.push(offset);
        self.counters.samples += 1;
        let sample = Sample {
            time: rectime,
            offset,
            leap: self.leap,
        };
        self.actions.push_back(Action::Sample(sample));
        sample
    }

    /// `refclock_process_f`: builds the reference time from the decoded
    /// day-of-year and time fields (the year is ignored, as ntpd does) around
    /// the receive time `rectime`, and adds a sample with `fudge`.
    /// On failure reports [`ClockEvent::BadTime`] and returns the error.
    pub fn process_fields(
        &mut self,
        rectime: Timestamp,
        fudge: f64,
    ) -> Result<Sample, CalendarError> {
        let f = self.fields;
        match clocktime(
            f.day,
            f.hour,
            f.minute,
            f.second,
            0,
            rectime,
            &mut self.year_start,
        ) {
            Ok(secs) => Ok(self.process_offset(Timestamp::new(secs, f.nsec), rectime, fudge)),
            Err(e) => {
                self.report(ClockEvent::BadTime);
                Err(e)
            }
        }
    }

    /// `refclock_process`: [`ClockState::process_fields`] with `time1`.
    pub fn process(&mut self, rectime: Timestamp) -> Result<Sample, CalendarError> {
        let t1 = self.fudge.time1();
        self.process_fields(rectime, t1)
    }

    /// `refclock_pps`'s sample: a PPS edge at `edge` marks a whole second;
    /// the offset is minus the fraction of the edge (folded to ±0.5 s) plus
    /// `fudge`. Returns the sample (time = the edge).
    pub fn process_pps(&mut self, edge: Timestamp, fudge: f64) -> Sample {
        let mut frac = edge.subsec_nanos() as f64 * 1e-9;
        if frac > 0.5 {
            frac -= 1.0;
        }
        self.push_sample(edge, -frac + fudge)
    }

    /// Pending (unfiltered) samples.
    pub fn pending(&self) -> &SampleBuffer {
        &self.samples
    }

    /// Drops up to `n` of the oldest pending samples.
    pub fn expire_samples(&mut self, n: usize) -> usize {
        self.samples.expire(n)
    }

    /// `refclock_receive`: once per poll. When the clock is not in sync the
    /// samples stay queued and `None` is returned; otherwise the pending
    /// samples are filtered, the buffer emptied, and the result queued as
    /// [`Action::Filtered`].
    pub fn receive(&mut self) -> Option<FilterOutput> {
        if self.leap == Leap::NotInSync {
            return None;
        }
        let out = self.samples.take_filtered(self.min_jitter)?;
        self.actions.push_back(Action::Filtered(out));
        Some(out)
    }

    /// Queues an action for the host.
    pub fn push_action(&mut self, action: Action) {
        self.actions.push_back(action);
    }

    /// Takes the oldest queued action.
    pub fn next_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ClockState {
        ClockState::new(ClockId { kind: 20, unit: 0 }, Fudge::default())
    }

    #[test]
    fn report_counts_and_queues_on_change() {
        let mut s = state();
        s.report(ClockEvent::BadReply);
        s.report(ClockEvent::BadReply);
        s.report(ClockEvent::BadTime);
        s.report(ClockEvent::BadDate);
        s.report(ClockEvent::Timeout);
        s.report(ClockEvent::Fault);
        assert_eq!(s.counters.badformat, 2);
        assert_eq!(s.counters.baddata, 2);
        assert_eq!(s.counters.noreply, 1);
        let mut events = vec![];
        while let Some(a) = s.next_action() {
            if let Action::Event(e) = a {
                events.push(e);
            }
        }
        assert_eq!(
            events,
            vec![
                ClockEvent::BadReply,
                ClockEvent::BadTime,
                ClockEvent::BadDate,
                ClockEvent::Timeout,
                ClockEvent::Fault
            ]
        );
        assert_eq!(s.last_event, ClockEvent::Fault);
    }

    #[test]
    fn process_offset_sign_and_action() {
        let mut s = state();
        s.leap = Leap::NoWarning;
        let rec = Timestamp::new(1000, 100_000_000);
        let smp = s.process_offset(Timestamp::from_secs(1000), rec, 0.05);
        assert!((smp.offset - (-0.05)).abs() < 1e-12);
        assert_eq!(smp.time, rec);
        assert_eq!(s.next_action(), Some(Action::Sample(smp)));
        assert_eq!(s.lastref, Some(Timestamp::from_secs(1000)));
    }

    #[test]
    fn process_fields_uses_clocktime() {
        let mut s = state();
        // 2024-03-01 (yday 61) 12:00:00 received 0.2 s late.
        let rec = Timestamp::new(1_709_294_400, 200_000_000);
        s.fields = DecodedFields {
            year: 0,
            day: 61,
            hour: 12,
            minute: 0,
            second: 0,
            nsec: 0,
        };
        let smp = s.process(rec).unwrap();
        assert!((smp.offset + 0.2).abs() < 1e-9);
        s.fields.hour = 20;
        assert!(s.process(rec).is_err());
        assert_eq!(s.counters.baddata, 1);
    }

    #[test]
    fn pps_fraction_folding() {
        let mut s = state();
        let smp = s.process_pps(Timestamp::new(50, 999_000_000), 0.0);
        assert!((smp.offset - 0.001).abs() < 1e-12);
        let smp = s.process_pps(Timestamp::new(51, 2_000_000), 0.0);
        assert!((smp.offset + 0.002).abs() < 1e-12);
    }

    #[test]
    fn receive_waits_for_sync() {
        let mut s = state();
        for i in 0..5 {
            s.push_sample(Timestamp::from_secs(i), i as f64);
        }
        assert_eq!(s.receive(), None);
        assert_eq!(s.pending().len(), 5);
        s.leap = Leap::NoWarning;
        let r = s.receive().unwrap();
        assert_eq!(r.n, 5);
        assert!(s.pending().is_empty());
    }

    #[test]
    fn timecode_is_bounded_and_printable() {
        let mut s = state();
        s.save_timecode(b"$GPRMC,\x01abc\r\n");
        assert_eq!(s.timecode(), "$GPRMC,abc");
        s.save_timecode(&[b'x'; 300]);
        assert_eq!(s.timecode().len(), BMAX - 1);
    }
}
