//! GPSD JSON objects <-> fields, both ways, no I/O.
//!
//! A line from gpsd is one JSON object whose `class` names it. The driver
//! reads five of them (gpsd's `gpsd_json(5)`; ntpd's `gpsd_parse`):
//!
//! * `VERSION`: `release`, `rev`, `proto_major`, `proto_minor`;
//! * `WATCH`: `device`, `enable`, `json` (the answer to our `?WATCH`);
//! * `TPV`: `mode` (0/1 no fix, 2 = 2D, 3 = 3D), `time` (ISO 8601 UTC,
//!   `2024-03-01T12:00:00.000Z`), `ept` (estimated time error, s);
//! * `PPS` and `TOFF`: `real_sec`/`real_nsec` (the GPS time of the second
//!   or fix) and `clock_sec`/`clock_nsec` (gpsd's system time when it saw
//!   the pulse or the serial data), protocol 3.9 on; before 3.9 a PPS has
//!   `real_musec`/`clock_musec`; `precision` (log2 s).
//!
//! Anything else (`DEVICES`, `SKY`, `ERROR`...) decodes as
//! [`Object::Other`]. Decoding uses serde_json, so a malformed line is
//! refused as a whole ([`DecodeError::Json`]); a field of the wrong type is
//! refused, never read as 0 (ntpd reads `"clock_sec":1.5` or
//! `"real_nsec":"5"` as 0 in places: see the module documentation).

use refclock_core::calendar::{days_from_civil, CivilTime, SECS_PER_DAY};
use refclock_core::Timestamp;
use serde_json::{Map, Value};

/// Longest line ntpd's driver assembles (`MAX_PDU_LEN` − 1).
pub const MAX_LINE: usize = 8191;

/// Why a line is not an object the driver can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON at all, or cut short.
    #[error("not JSON: {0}")]
    Json(String),
    /// JSON, but not an object.
    #[error("not a JSON object")]
    NotObject,
    /// An object without a string `class`.
    #[error("no \"class\" string")]
    NoClass,
    /// A field of a known class is missing or of the wrong kind.
    #[error("{class}: field \"{field}\": expected {expected}, found {found}")]
    Field {
        /// The object's class.
        class: &'static str,
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it was.
        found: String,
    },
}

/// The `VERSION` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// `release` (`(unknown)` when absent).
    pub release: String,
    /// `rev` (`(unknown)` when absent).
    pub rev: String,
    /// `proto_major`.
    pub major: u16,
    /// `proto_minor`.
    pub minor: u16,
}

impl Version {
    /// The protocol as one number, ntpd's `PROTO_VERSION(hi, lo)`.
    pub fn proto(&self) -> u32 {
        proto(self.major, self.minor)
    }
}

/// ntpd's `PROTO_VERSION(hi, lo)`.
pub const fn proto(major: u16, minor: u16) -> u32 {
    ((major as u32) << 16) | minor as u32
}

/// The `WATCH` object (only what the driver looks at).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Watch {
    /// `device`, when present.
    pub device: Option<String>,
    /// `enable`, when a boolean.
    pub enable: Option<bool>,
    /// `json`, when a boolean.
    pub json: Option<bool>,
}

/// The `TPV` object (only what the driver looks at).
#[derive(Debug, Clone, PartialEq)]
pub struct Tpv {
    /// `mode` (0 when absent, as ntpd has it).
    pub mode: i64,
    /// `time`, as given (`None` when absent).
    pub time: Option<String>,
    /// `ept` in seconds, when present.
    pub ept: Option<f64>,
}

/// A time from a `*_sec` field and its fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frac {
    /// `*_nsec` (protocol 3.9 on).
    Nanos(i64),
    /// `*_musec` (before 3.9).
    Micros(i64),
}

/// The time pair of a `PPS` or `TOFF` object: the seconds fields and
/// whichever fractions are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimePair {
    /// `real_sec`.
    pub real_sec: Option<i64>,
    /// `real_nsec`.
    pub real_nsec: Option<i64>,
    /// `real_musec`.
    pub real_musec: Option<i64>,
    /// `clock_sec`.
    pub clock_sec: Option<i64>,
    /// `clock_nsec`.
    pub clock_nsec: Option<i64>,
    /// `clock_musec`.
    pub clock_musec: Option<i64>,
    /// `precision` (log2 s), when present.
    pub precision: Option<i64>,
}

impl TimePair {
    /// (real, clock) read with nanosecond fractions (`nsec`) or
    /// microsecond ones; `None` when a field is missing or a fraction is
    /// out of range (ntpd's `get_binary_time` fails on a missing field).
    pub fn times(&self, nsec: bool) -> Option<(Timestamp, Timestamp)> {
        let get = |sec: Option<i64>, ns: Option<i64>, us: Option<i64>| {
            let nanos = if nsec { ns? } else { us?.checked_mul(1000)? };
            if !(0..1_000_000_000).contains(&nanos) {
                return None;
            }
            Some(Timestamp::new(sec?, nanos as u32))
        };
        Some((
            get(self.real_sec, self.real_nsec, self.real_musec)?,
            get(self.clock_sec, self.clock_nsec, self.clock_musec)?,
        ))
    }
}

/// One object from gpsd.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `VERSION`.
    Version(Version),
    /// `WATCH`.
    Watch(Watch),
    /// `TPV`.
    Tpv(Tpv),
    /// `PPS`.
    Pps(TimePair),
    /// `TOFF`.
    Toff(TimePair),
    /// Any other class (`DEVICES`, `SKY`...): ignored.
    Other(String),
}

fn found(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn int(
    o: &Map<String, Value>,
    class: &'static str,
    field: &'static str,
) -> Result<Option<i64>, DecodeError> {
    match o.get(field) {
        None => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| DecodeError::Field {
            class,
            field,
            expected: "an integer",
            found: found(v),
        }),
    }
}

fn string(
    o: &Map<String, Value>,
    class: &'static str,
    field: &'static str,
) -> Result<Option<String>, DecodeError> {
    match o.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(DecodeError::Field {
            class,
            field,
            expected: "a string",
            found: found(v),
        }),
    }
}

fn time_pair(o: &Map<String, Value>, class: &'static str) -> Result<TimePair, DecodeError> {
    Ok(TimePair {
        real_sec: int(o, class, "real_sec")?,
        real_nsec: int(o, class, "real_nsec")?,
        real_musec: int(o, class, "real_musec")?,
        clock_sec: int(o, class, "clock_sec")?,
        clock_nsec: int(o, class, "clock_nsec")?,
        clock_musec: int(o, class, "clock_musec")?,
        precision: int(o, class, "precision")?,
    })
}

/// Decodes one line (without its line end; surrounding white space is
/// allowed).
pub fn decode(line: &[u8]) -> Result<Object, DecodeError> {
    let v: Value = serde_json::from_slice(line).map_err(|e| DecodeError::Json(e.to_string()))?;
    let Value::Object(o) = v else {
        return Err(DecodeError::NotObject);
    };
    let Some(Value::String(class)) = o.get("class") else {
        return Err(DecodeError::NoClass);
    };
    Ok(match class.as_str() {
        "VERSION" => {
            let c = "VERSION";
            let small = |f: &'static str| -> Result<u16, DecodeError> {
                let n = int(&o, c, f)?.ok_or(DecodeError::Field {
                    class: c,
                    field: f,
                    expected: "an integer",
                    found: "nothing".into(),
                })?;
                u16::try_from(n).map_err(|_| DecodeError::Field {
                    class: c,
                    field: f,
                    expected: "0..65535",
                    found: n.to_string(),
                })
            };
            Object::Version(Version {
                release: string(&o, c, "release")?.unwrap_or_else(|| "(unknown)".into()),
                rev: string(&o, c, "rev")?.unwrap_or_else(|| "(unknown)".into()),
                major: small("proto_major")?,
                minor: small("proto_minor")?,
            })
        }
        "WATCH" => Object::Watch(Watch {
            device: string(&o, "WATCH", "device")?,
            enable: o.get("enable").and_then(Value::as_bool),
            json: o.get("json").and_then(Value::as_bool),
        }),
        "TPV" => {
            let ept = match o.get("ept") {
                None => None,
                Some(v) => Some(v.as_f64().ok_or_else(|| DecodeError::Field {
                    class: "TPV",
                    field: "ept",
                    expected: "a number",
                    found: found(v),
                })?),
            };
            Object::Tpv(Tpv {
                mode: int(&o, "TPV", "mode")?.unwrap_or(0),
                time: string(&o, "TPV", "time")?,
                ept,
            })
        }
        "PPS" => Object::Pps(time_pair(&o, "PPS")?),
        "TOFF" => Object::Toff(time_pair(&o, "TOFF")?),
        other => Object::Other(other.to_string()),
    })
}

/// Why a TPV `time` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TPV time {text:?}: {why}")]
pub struct TimeError {
    /// The text.
    pub text: String,
    /// What is wrong.
    pub why: &'static str,
}

/// Reads a TPV `time`, `YYYY-MM-DDTHH:MM:SS[.fff...]Z` (UTC), as ntpd's
/// `convert_ascii_time`: digits of the fraction beyond the ninth are
/// ignored; second 60 (a leap second) is the following midnight.
pub fn parse_time(text: &str) -> Result<Timestamp, TimeError> {
    let err = |why| TimeError {
        text: text.to_string(),
        why,
    };
    let b = text.as_bytes();
    if b.len() < 20 {
        return Err(err("too short"));
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let s = &b[from..to];
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return Err(err("not YYYY-MM-DDTHH:MM:SS"));
    }
    let f = |from, to| num(from, to).ok_or_else(|| err("a field is not a number"));
    let (year, month, day) = (f(0, 4)?, f(5, 7)?, f(8, 10)?);
    let (hour, minute, second) = (f(11, 13)?, f(14, 16)?, f(17, 19)?);
    let civil = CivilTime::new(
        year as i32,
        month as u8,
        day as u8,
        hour as u8,
        minute as u8,
        second as u8,
    );
    civil
        .validate()
        .map_err(|_| err("a field is out of range"))?;
    let mut rest = &b[19..];
    let mut nanos: u32 = 0;
    if let Some((b'.', r)) = rest.split_first() {
        rest = r;
        let mut scale = 100_000_000;
        while let Some((&d, r)) = rest.split_first() {
            if !d.is_ascii_digit() {
                break;
            }
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            rest = r;
        }
    }
    if rest != b"Z" {
        return Err(err("does not end in Z"));
    }
    let secs = days_from_civil(civil.year, civil.month, civil.day) * SECS_PER_DAY
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    Ok(Timestamp::new(secs, nanos))
}

/// Writes a time as gpsd does in a TPV (milliseconds).
pub fn format_time(t: Timestamp) -> String {
    let c = CivilTime::from_timestamp(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        t.subsec_nanos() / 1_000_000
    )
}

/// The request the driver writes at start and as a live check.
pub const VERSION_QUERY: &[u8] = b"?VERSION;\r\n";

/// The `?WATCH` request for `device`, asking for PPS and TOFF objects
/// (`"pps":true`) when the server speaks protocol 3.10 or later. The
/// device name is written as a JSON string, escaped.
pub fn watch_request(device: &str, pps: bool) -> Vec<u8> {
    format!(
        "?WATCH={{\"device\":{},\"enable\":true,\"json\":true{}}};\r\n",
        Value::String(device.to_string()),
        if pps { ",\"pps\":true" } else { "" }
    )
    .into_bytes()
}

/// Encoders for the objects a gpsd sends (the simulated gpsd, the test
/// servers, round trips): each returns one line with its CR LF.
pub mod encode {
    use super::*;

    fn line(v: Value) -> Vec<u8> {
        let mut s = v.to_string().into_bytes();
        s.extend_from_slice(b"\r\n");
        s
    }

    /// A `VERSION` object.
    pub fn version(release: &str, major: u16, minor: u16) -> Vec<u8> {
        line(serde_json::json!({
            "class": "VERSION", "release": release, "rev": release,
            "proto_major": major, "proto_minor": minor
        }))
    }

    /// A `WATCH` object for `device`.
    pub fn watch(device: &str, pps: bool) -> Vec<u8> {
        line(serde_json::json!({
            "class": "WATCH", "enable": true, "json": true, "nmea": false,
            "raw": 0, "scaled": false, "timing": false, "split24": false,
            "pps": pps, "device": device
        }))
    }

    /// A `DEVICES` object listing `device`.
    pub fn devices(device: &str) -> Vec<u8> {
        line(serde_json::json!({
            "class": "DEVICES",
            "devices": [{"class": "DEVICE", "path": device, "driver": "NMEA0183",
                         "activated": "2024-01-01T00:00:00.000Z", "native": 0,
                         "bps": 9600, "parity": "N", "stopbits": 1, "cycle": 1.00}]
        }))
    }

    /// A `TPV` with fix `mode` (no `time` when `time` is `None`) and an
    /// `ept` of 5 ms.
    pub fn tpv(device: &str, mode: i64, time: Option<Timestamp>) -> Vec<u8> {
        let mut v = serde_json::json!({
            "class": "TPV", "device": device, "status": 2, "mode": mode,
        });
        if let Some(t) = time {
            v["time"] = Value::String(format_time(t));
            v["ept"] = serde_json::json!(0.005);
            v["lat"] = serde_json::json!(46.498293369);
            v["lon"] = serde_json::json!(7.567411672);
        }
        line(v)
    }

    /// A `PPS` (`class` "PPS") or `TOFF` object with nanosecond
    /// fractions.
    pub fn time_pair(class: &str, device: &str, real: Timestamp, clock: Timestamp) -> Vec<u8> {
        let mut v = serde_json::json!({
            "class": class, "device": device,
            "real_sec": real.secs(), "real_nsec": real.subsec_nanos(),
            "clock_sec": clock.secs(), "clock_nsec": clock.subsec_nanos(),
        });
        if class == "PPS" {
            v["precision"] = serde_json::json!(-20);
        }
        line(v)
    }
}
