//! The NMEA driver on a treadmill: a cycle of sentences, each fed to
//! [`NmeaDriver`] through [`Refclock::receive`] as a serial read would
//! deliver it (with CR LF) and with a receive time just after the second
//! it names, so that each step produces one sample.

use refclock_core::calendar::{days_from_civil, Basedate};
use refclock_core::{Action, Clock, DriverConfig, PortId, Refclock, Sample, Timestamp};
use refclock_drivers::nmea::parse::{self, ParseError};
use refclock_drivers::nmea::NmeaDriver;

/// How long after the named second each sentence is received, seconds;
/// every sample's offset is minus this.
pub const RECEIVE_DELAY: f64 = 0.1;

/// An [`NmeaDriver`] (mode 0: every sentence type; no fudge) and the
/// sentences it is fed in turn.
#[derive(Debug)]
pub struct DriverRig {
    driver: Clock<NmeaDriver>,
    /// Each sentence with CR LF, and its receive time.
    feed: Vec<(Vec<u8>, Timestamp)>,
    next: usize,
}

impl DriverRig {
    /// A rig feeding `sentences` (without CR LF) round and round. Each is
    /// received [`RECEIVE_DELAY`] after its own time of day on the day
    /// starting at `midnight` (UTC). The GPS base date is 2010-01-01.
    ///
    /// Sentences with different times must follow each other: the driver
    /// ignores a sentence naming the same second as the one before.
    /// Fails when a sentence does not decode.
    pub fn new(sentences: &[&str], midnight: Timestamp) -> Result<DriverRig, ParseError> {
        let mut feed = Vec::with_capacity(sentences.len());
        for s in sentences {
            let tod = parse::parse(s.as_bytes())?.time.nanos_of_day();
            let at = Timestamp::from_nanos(midnight.as_nanos() + i128::from(tod))
                .add_secs_f64(RECEIVE_DELAY);
            let mut bytes = s.as_bytes().to_vec();
            bytes.extend_from_slice(b"\r\n");
            feed.push((bytes, at));
        }
        let driver = Clock::<NmeaDriver>::start(DriverConfig {
            basedate: Basedate::from_unix_day(days_from_civil(2010, 1, 1)),
            ..Default::default()
        })
        .expect("the NMEA driver starts with its defaults");
        Ok(DriverRig {
            driver,
            feed,
            next: 0,
        })
    }

    /// Feeds the next sentence and drains every action the driver queued,
    /// as a host would. Returns the last sample among them.
    pub fn step(&mut self) -> Option<Sample> {
        let (bytes, at) = &self.feed[self.next];
        self.next = (self.next + 1) % self.feed.len();
        self.driver.receive(PortId::MAIN, bytes, *at);
        let mut sample = None;
        while let Some(action) = self.driver.next_action() {
            if let Action::Sample(s) = action {
                sample = Some(s);
            }
        }
        sample
    }

    /// The clock: the driver and its state, for the counters.
    pub fn clock(&self) -> &Clock<NmeaDriver> {
        &self.driver
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{BY_TYPE, MT3339_MIDNIGHT};
    use refclock_core::Leap;

    #[test]
    fn every_step_yields_one_sample_with_the_receive_delay() {
        for (name, lines) in BY_TYPE {
            let mut rig = DriverRig::new(lines, MT3339_MIDNIGHT).unwrap();
            // Twice round: the wrap back to the first sentence must not be
            // taken for a repeat.
            for i in 0..2 * lines.len() {
                let s = rig.step().unwrap_or_else(|| panic!("{name} step {i}"));
                assert!((s.offset + RECEIVE_DELAY).abs() < 1e-9, "{name}: {s:?}");
                assert_eq!(s.leap, Leap::NoWarning, "{name}");
                let expected = MT3339_MIDNIGHT.secs() + 20 * 3600 + 26 * 60 + 40;
                assert_eq!(s.time.secs(), expected + (i % lines.len()) as i64);
            }
            let c = rig.clock().state().counters;
            assert_eq!(c.samples, 2 * lines.len() as u64, "{name}");
            assert_eq!((c.badformat, c.baddata), (0, 0), "{name}");
            assert_eq!(
                rig.clock().driver().tally().accepted,
                2 * lines.len() as u64
            );
        }
    }

    #[test]
    fn a_sentence_that_does_not_decode_is_refused() {
        let bad = "$GPRMC,202640.000,A,4404.1306,N,12118.8515,W,0.03,225.97,130415,,,D*00";
        assert!(matches!(
            DriverRig::new(&[bad], MT3339_MIDNIGHT),
            Err(ParseError::ChecksumMismatch { .. })
        ));
    }
}
