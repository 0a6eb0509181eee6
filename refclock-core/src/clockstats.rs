//! Clockstats records in ntpd's format: `MJD SECONDS 127.127.T.U TEXT`
//! (`record_clock_stats()` in ntpd/ntp_util.c, and the C ntp-refclock's
//! stub of it): the Modified Julian Day, seconds past UTC midnight rounded
//! to three decimals, the clock's address, the driver's text.

use crate::clock::ClockId;
use crate::time::Timestamp;

/// MJD of the Unix epoch.
pub const MJD_UNIX_EPOCH: i64 = 40_587;

/// Formats one clockstats line (no trailing newline) for `text` logged by
/// clock `id` at system time `now`.
pub fn clockstats_line(now: Timestamp, id: ClockId, text: &str) -> String {
    let day = now.secs().div_euclid(86_400);
    let sod = now.secs().rem_euclid(86_400);
    let secs = sod as f64 + now.subsec_nanos() as f64 * 1e-9;
    format!("{} {:.3} {} {}", day + MJD_UNIX_EPOCH, secs, id, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_matches_ntpd() {
        // 2017-01-01 00:00:01.250 UTC = MJD 57754
        let now = Timestamp::new(1_483_228_801, 250_000_000);
        let id = ClockId { kind: 20, unit: 0 };
        assert_eq!(
            clockstats_line(now, id, "$GPRMC,..."),
            "57754 1.250 127.127.20.0 $GPRMC,..."
        );
    }

    #[test]
    fn seconds_are_rounded_like_printf() {
        let id = ClockId { kind: 20, unit: 0 };
        let now = Timestamp::new(1_483_228_801, 999_600_000);
        assert!(clockstats_line(now, id, "x").starts_with("57754 2.000 "));
    }
}
