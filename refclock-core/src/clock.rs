//! The state of one reference clock, in the spirit of ntpd's
//! `struct refclockproc`: the last timecode and its decoded fields, last
//! reference and receive times, leap indicator, error counters, status and
//! the sample ring. The actions a driver queues go through its
//! [`Context`](crate::driver::Context), which updates this state as it
//! queues them.

use crate::calendar::{clocktime, CalendarError, YearStart};
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
    /// The reachability register (`peer->reach`): shifted left at each
    /// poll, its low bit set by each in-sync `refclock_receive`.
    pub reach: u8,
    /// A poll is in progress (`pp->inpoll`): set at each poll, cleared by
    /// `refclock_receive`.
    pub inpoll: bool,
    /// `refclock_checkburst` asked for the next poll at the next tick.
    poll_soon: bool,
    timecode: [u8; BMAX],
    timecode_len: usize,
    samples: SampleBuffer,
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
            reach: 0,
            inpoll: false,
            poll_soon: false,
            timecode: [0; BMAX],
            timecode_len: 0,
            samples: SampleBuffer::new(),
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

    /// Records an event (`refclock_report`): counts it and sets the
    /// status; returns whether the status changed (then the driver's
    /// context queues [`Action::Event`](crate::Action::Event)).
    pub fn record_event(&mut self, event: ClockEvent) -> bool {
        match event {
            ClockEvent::Timeout => self.counters.noreply += 1,
            ClockEvent::BadReply => self.counters.badformat += 1,
            ClockEvent::BadDate | ClockEvent::BadTime => self.counters.baddata += 1,
            _ => {}
        }
        if event != ClockEvent::Nominal {
            self.last_event = event;
        }
        let changed = self.status != event;
        self.status = event;
        changed
    }

    /// Adds a raw sample (true − system time `offset`, taken at
    /// `rectime`) to the ring and counts it; returns it with the current
    /// leap indicator. `pulse`: the sample is a PPS phase only.
    pub fn record_sample(&mut self, rectime: Timestamp, offset: f64, pulse: bool) -> Sample {
        self.lastrec = Some(rectime);
        let _ = self.samples.push(offset);
        self.counters.samples += 1;
        self.check_burst();
        Sample {
            time: rectime,
            offset,
            leap: self.leap,
            pulse,
        }
    }

    /// The reference time of the decoded day-of-year and time fields
    /// (`clocktime()` around `rectime`; the year is ignored, as ntpd's
    /// `refclock_process_f` ignores it).
    pub fn fields_reftime(&mut self, rectime: Timestamp) -> Result<Timestamp, CalendarError> {
        let f = self.fields;
        let secs = clocktime(
            f.day,
            f.hour,
            f.minute,
            f.second,
            0,
            rectime,
            &mut self.year_start,
        )?;
        Ok(Timestamp::new(secs, f.nsec))
    }

    /// `refclock_checkburst`: while the reach register is not full and no
    /// poll is in progress, enough pending samples (the reach register's
    /// population count, 3 to 6) ask for the next poll at the next tick.
    /// ntpd (and so the C program) brings its polls forward this way
    /// after a start or a gap; the host takes the request with
    /// [`ClockState::take_poll_request`]. (ntpd also stops when the peer's
    /// dispersion is within MAXDISTANCE, which the C program's peer,
    /// never filtered, always is.)
    fn check_burst(&mut self) {
        if self.inpoll || self.reach == 0xff {
            return;
        }
        let needs = self.reach.count_ones().clamp(3, 6) as usize;
        if self.samples.len() >= needs {
            self.poll_soon = true;
        }
    }

    /// The poll bookkeeping of `refclock_transmit`, before the driver's
    /// poll: the reach register shifts, a poll is in progress.
    pub fn transmit(&mut self) {
        self.reach <<= 1;
        self.inpoll = true;
    }

    /// Whether the next poll was asked for at the next tick (see
    /// `check_burst`); the request is cleared.
    pub fn take_poll_request(&mut self) -> bool {
        std::mem::take(&mut self.poll_soon)
    }

    /// Pending (unfiltered) samples.
    pub fn pending(&self) -> &SampleBuffer {
        &self.samples
    }

    /// Drops up to `n` of the oldest pending samples.
    pub fn expire_samples(&mut self, n: usize) -> usize {
        self.samples.expire(n)
    }

    /// `refclock_receive`: the poll in progress ends; when the clock is in
    /// sync, the reach register takes a 1 and the pending samples are
    /// filtered and the buffer emptied; when it is not, they stay queued
    /// and `None` is returned.
    pub fn filter(&mut self) -> Option<FilterOutput> {
        self.inpoll = false;
        if self.leap == Leap::NotInSync {
            return None;
        }
        self.reach = (self.reach << (self.reach & 1)) | 1;
        self.samples.take_filtered(self.min_jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ClockState {
        ClockState::new(ClockId { kind: 20, unit: 0 }, Fudge::default())
    }

    #[test]
    fn events_are_counted_and_changes_reported() {
        let mut s = state();
        let changes: Vec<bool> = [
            ClockEvent::BadReply,
            ClockEvent::BadReply,
            ClockEvent::BadTime,
            ClockEvent::BadDate,
            ClockEvent::Timeout,
            ClockEvent::Fault,
        ]
        .into_iter()
        .map(|e| s.record_event(e))
        .collect();
        assert_eq!(changes, vec![true, false, true, true, true, true]);
        assert_eq!(s.counters.badformat, 2);
        assert_eq!(s.counters.baddata, 2);
        assert_eq!(s.counters.noreply, 1);
        assert_eq!(s.last_event, ClockEvent::Fault);
        assert!(s.record_event(ClockEvent::Nominal));
        assert_eq!(s.last_event, ClockEvent::Fault);
    }

    #[test]
    fn samples_take_the_leap_and_the_receive_time() {
        let mut s = state();
        s.leap = Leap::AddSecond;
        let rec = Timestamp::new(1000, 100_000_000);
        let smp = s.record_sample(rec, -0.05, false);
        assert_eq!(smp.time, rec);
        assert_eq!(smp.leap, Leap::AddSecond);
        assert_eq!(s.lastrec, Some(rec));
        assert_eq!(s.counters.samples, 1);
        assert_eq!(s.pending().len(), 1);
    }

    #[test]
    fn fields_use_clocktime() {
        let mut s = state();
        // 2024-03-01 (yday 61) 12:00:00.
        let rec = Timestamp::new(1_709_294_400, 200_000_000);
        s.fields = DecodedFields {
            year: 0,
            day: 61,
            hour: 12,
            minute: 0,
            second: 0,
            nsec: 0,
        };
        assert_eq!(
            s.fields_reftime(rec),
            Ok(Timestamp::from_secs(1_709_294_400))
        );
        s.fields.hour = 20;
        assert!(s.fields_reftime(rec).is_err());
    }

    #[test]
    fn filter_waits_for_sync() {
        let mut s = state();
        for i in 0..5 {
            s.record_sample(Timestamp::from_secs(i), i as f64, false);
        }
        assert_eq!(s.filter(), None);
        assert_eq!(s.pending().len(), 5);
        s.leap = Leap::NoWarning;
        let r = s.filter().unwrap();
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
