//! Samples: what a driver measures, and the leap indicator that goes with it.

use crate::time::Timestamp;

/// NTP leap indicator, as `pp->leap` holds it (include/ntp.h) and as
/// chrony's SOCK protocol carries it (0, 1, 2; chrony drops 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Leap {
    /// No leap second pending (`LEAP_NOWARNING`).
    NoWarning = 0,
    /// A leap second will be inserted at the end of the day (`LEAP_ADDSECOND`).
    AddSecond = 1,
    /// A second will be deleted at the end of the day (`LEAP_DELSECOND`).
    DelSecond = 2,
    /// The clock is not synchronised (`LEAP_NOTINSYNC`).
    #[default]
    NotInSync = 3,
}

impl Leap {
    /// The numeric code (0..=3).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// From the numeric code; values above 3 are not leap indicators.
    pub fn from_code(code: u8) -> Option<Leap> {
        match code {
            0 => Some(Leap::NoWarning),
            1 => Some(Leap::AddSecond),
            2 => Some(Leap::DelSecond),
            3 => Some(Leap::NotInSync),
            _ => None,
        }
    }
}

/// One raw measurement, as ntp-refclock prints and sends it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// System time of the measurement (`pp->lastrec`).
    pub time: Timestamp,
    /// Offset = true (reference) time − system time, in seconds.
    pub offset: f64,
    /// Leap indicator of the clock when the sample was taken.
    pub leap: Leap,
    /// A PPS sample: the offset is only the phase against the nearest
    /// whole second (chrony's SOCK `pulse`), which second it is comes from
    /// another source.
    pub pulse: bool,
}

impl Sample {
    /// The `SAMPLE: time=S.U offset=O leap=L` line ntp-refclock prints
    /// (without the newline).
    pub fn to_line(&self) -> String {
        let (s, us) = self.time.to_timeval();
        format!(
            "SAMPLE: time={}.{:06} offset={:+.9} leap={}",
            s,
            us,
            self.offset,
            self.leap.code()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_line_matches_c_format() {
        let s = Sample {
            time: Timestamp::new(1_500_000_000, 123_456_789),
            offset: -0.0123,
            leap: Leap::NoWarning,
            pulse: false,
        };
        assert_eq!(
            s.to_line(),
            "SAMPLE: time=1500000000.123457 offset=-0.012300000 leap=0"
        );
        let s = Sample {
            offset: 0.5,
            leap: Leap::NotInSync,
            ..s
        };
        assert!(s.to_line().ends_with("offset=+0.500000000 leap=3"));
    }

    #[test]
    fn leap_codes_round_trip() {
        for c in 0..4 {
            assert_eq!(Leap::from_code(c).unwrap().code(), c);
        }
        assert_eq!(Leap::from_code(4), None);
    }
}
