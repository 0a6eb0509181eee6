//! The local time zone, for clocks that send local time (Chronolog,
//! Dumbclock).
//!
//! ntpd's drivers for those clocks call `mktime()` and `localtime()`, so
//! the zone is the process's: the `TZ` environment variable as the C
//! library reads it —
//!
//! - unset: `/etc/localtime`;
//! - empty: UTC (what glibc does);
//! - `:PATH` or a name: the TZif file at `PATH`, or under
//!   `/usr/share/zoneinfo` (also `/share/zoneinfo`, `/etc/zoneinfo`);
//! - otherwise a POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3`.
//!
//! A [`Zone`] is read into memory once, when the driver starts (before the
//! host's chroot and privilege drop), so it keeps working inside an empty
//! `-r` directory where `/etc/localtime` cannot be opened.
//!
//! TZif versions 1 to 4 are read, including the footer TZ string that
//! rules times past the table, by the `tz-rs` crate (used behind this small
//! interface; the files and strings it parses are checked against the
//! system's zoneinfo and glibc in the tests). Only [`Zone::from_env`],
//! [`Zone::from_option`] and [`Zone::from_tz_value`] read the environment
//! and files (through `std`, in every build: a driver calls them in its
//! `start`); [`Zone::offset_at`] and [`Zone::local_to_utc`] are pure.
//!
//! A local civil time maps to zero, one or two UTC times: in the hour
//! skipped when clocks go forward there is none ([`LocalTime::Skipped`]),
//! in the hour repeated when they go back there are two
//! ([`LocalTime::Ambiguous`]). The caller decides what to do; `mktime()`
//! with `tm_isdst = -1` silently picks one.

use crate::calendar::{days_from_civil, CivilTime};
use thiserror::Error;

/// Why a zone could not be set up.
#[derive(Debug, Error)]
pub enum ZoneError {
    /// The TZif file could not be read.
    #[error("time zone file {path}: {reason}")]
    Read {
        /// The file tried.
        path: String,
        /// The error.
        reason: String,
    },
    /// The TZ value is neither a readable zone file nor a valid POSIX TZ
    /// string, or the TZif data are invalid.
    #[error("time zone {what:?}: {reason}")]
    Invalid {
        /// The TZ value or file.
        what: String,
        /// The parser's complaint.
        reason: String,
    },
}

/// A time zone held in memory.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: tz::TimeZone,
    name: String,
}

/// The UTC times a local civil time stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalTime {
    /// Exactly one (Unix seconds).
    Unique(i64),
    /// Two, in the hour repeated when the clocks go back: the earlier
    /// (still summer time) and the later (already standard time).
    Ambiguous(i64, i64),
    /// None: the hour skipped when the clocks go forward.
    Skipped,
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            tz: tz::TimeZone::utc(),
            name: "UTC".into(),
        }
    }

    /// A fixed offset east of UTC, in seconds.
    pub fn fixed(offset: i32) -> Result<Zone, ZoneError> {
        let tz = tz::TimeZone::fixed(offset).map_err(|e| ZoneError::Invalid {
            what: format!("UTC{offset:+}s"),
            reason: e.to_string(),
        })?;
        Ok(Zone {
            tz,
            name: format!("UTC{offset:+}s"),
        })
    }

    /// A zone from the contents of a TZif file.
    pub fn from_tzif(name: &str, bytes: &[u8]) -> Result<Zone, ZoneError> {
        let tz = tz::TimeZone::from_tz_data(bytes).map_err(|e| ZoneError::Invalid {
            what: name.into(),
            reason: e.to_string(),
        })?;
        Ok(Zone {
            tz,
            name: name.into(),
        })
    }

    /// A zone from a POSIX TZ string (`EST5EDT,M3.2.0,M11.1.0`); reads no
    /// file.
    pub fn from_posix(s: &str) -> Result<Zone, ZoneError> {
        let settings = tz::timezone::TimeZoneSettings::new(&[], |_| Err("no files".into()));
        let s = s.strip_prefix(':').unwrap_or(s);
        let tz = settings.parse_posix_tz(s).map_err(|e| ZoneError::Invalid {
            what: s.into(),
            reason: e.to_string(),
        })?;
        Ok(Zone { tz, name: s.into() })
    }

    /// The process's zone, from the `TZ` environment variable as the C
    /// library reads it (see the module doc).
    pub fn from_env() -> Result<Zone, ZoneError> {
        Zone::from_tz_value(std::env::var("TZ").ok().as_deref())
    }

    /// The zone a driver option names (the same forms as `TZ`), or the
    /// process's zone without one.
    pub fn from_option(value: Option<&str>) -> Result<Zone, ZoneError> {
        match value {
            Some(v) => Zone::from_tz_value(Some(v)),
            None => Zone::from_env(),
        }
    }

    /// The zone a value of `TZ` names (`None`: unset).
    pub fn from_tz_value(value: Option<&str>) -> Result<Zone, ZoneError> {
        let read = |path: &str| -> Result<Zone, ZoneError> {
            let bytes = std::fs::read(path).map_err(|e| ZoneError::Read {
                path: path.into(),
                reason: e.to_string(),
            })?;
            Zone::from_tzif(path, &bytes)
        };
        let Some(value) = value else {
            return read("/etc/localtime");
        };
        if value.is_empty() {
            return Ok(Zone::utc());
        }
        let name = value.strip_prefix(':').unwrap_or(value);
        if name.starts_with('/') {
            return read(name);
        }
        if !name.contains("..") {
            for dir in tz::timezone::TimeZoneSettings::DEFAULT_DIRECTORIES {
                let path = format!("{dir}/{name}");
                if std::path::Path::new(&path).is_file() {
                    return read(&path);
                }
            }
        }
        Zone::from_posix(name)
    }

    /// What the zone was made from (a path, a TZ string, `UTC`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset of local time east of UTC, in seconds, at Unix time
    /// `utc_secs`.
    pub fn offset_at(&self, utc_secs: i64) -> i32 {
        self.tz
            .find_local_time_type(utc_secs)
            .map(|t| t.ut_offset())
            .unwrap_or(0)
    }

    /// Whether summer time is in force at `utc_secs`.
    pub fn is_dst_at(&self, utc_secs: i64) -> bool {
        self.tz
            .find_local_time_type(utc_secs)
            .map(|t| t.is_dst())
            .unwrap_or(false)
    }

    /// The local civil time at Unix time `utc_secs`.
    pub fn to_local(&self, utc_secs: i64) -> CivilTime {
        let local = utc_secs + self.offset_at(utc_secs) as i64;
        CivilTime::from_timestamp(crate::Timestamp::from_secs(local))
    }

    /// The UTC times a local civil time (whole seconds; `second` 0..=59)
    /// stands for. Assumes at most one change of offset within a day of
    /// it, true of every zone in use.
    pub fn local_to_utc(&self, civil: &CivilTime) -> LocalTime {
        let naive = days_from_civil(civil.year, civil.month, civil.day) * 86_400
            + civil.hour as i64 * 3600
            + civil.minute as i64 * 60
            + civil.second as i64;
        let before = self.offset_at(naive - 86_400) as i64;
        let after = self.offset_at(naive + 86_400) as i64;
        let mut found = Vec::with_capacity(2);
        for offset in [before, after] {
            let t = naive - offset;
            if self.offset_at(t) as i64 == offset && !found.contains(&t) {
                found.push(t);
            }
        }
        found.sort_unstable();
        match found[..] {
            [] => LocalTime::Skipped,
            [t] => LocalTime::Unique(t),
            [a, b, ..] => LocalTime::Ambiguous(a, b),
        }
    }
}

/// Why a local time gave no UTC time ([`Zone::local_to_utc_near`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum LocalTimeError {
    /// The time falls in the hour skipped when the clocks go forward: no
    /// such local time exists.
    #[error("local time in the hour skipped by the change to summer time")]
    Skipped,
    /// The time falls in the hour repeated when the clocks go back, and
    /// neither of its two UTC times is within [`AMBIGUOUS_WINDOW`] of the
    /// system time.
    #[error("local time in the repeated hour, neither reading near the system time")]
    Ambiguous,
}

/// How near the system time one reading of a repeated local time must be
/// to be taken (half the usual one-hour change: the other is then more
/// than half an hour away).
pub const AMBIGUOUS_WINDOW: i64 = 1800;

impl Zone {
    /// The UTC time of a local civil time, the repeated hour resolved by
    /// the system time `near_utc`: of its two readings the one within
    /// [`AMBIGUOUS_WINDOW`] of `near_utc` (at most one can be, for a
    /// change of an hour). A time in the skipped hour has none.
    pub fn local_to_utc_near(
        &self,
        civil: &CivilTime,
        near_utc: i64,
    ) -> Result<i64, LocalTimeError> {
        match self.local_to_utc(civil) {
            LocalTime::Unique(t) => Ok(t),
            LocalTime::Skipped => Err(LocalTimeError::Skipped),
            LocalTime::Ambiguous(a, b) => {
                let t = if (a - near_utc).abs() <= (b - near_utc).abs() {
                    a
                } else {
                    b
                };
                if (t - near_utc).abs() < AMBIGUOUS_WINDOW {
                    Ok(t)
                } else {
                    Err(LocalTimeError::Ambiguous)
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "zone_tests.rs"]
mod tests;
