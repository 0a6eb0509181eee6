//! The NeoClock4X timecode ↔ its fields, both ways, no I/O; and the
//! firmware answer to `V`.
//!
//! ```text
//! 0         1         2         3
//! 0123456789012345678901234567890123456
//! hhhSSSSSSRRRDDMMYYhhmmsscc ww T D Q A1 A2 CK
//! ```
//!
//! (without the spaces: 37 characters). Offsets as `refclock_neoclock4x.c`
//! reads them: 0–2 not read, 3–8 serial number, 9–11 radio signal,
//! 12 day, 14 month, 16 year (two digits), 18 hour, 20 minute, 22
//! second, 24 hundredths, 26 day of week (two digits, not read), 28 time
//! source (`A` radio, `C` quartz), 29 DST (`S` summer, `W` winter), 30
//! quartz (`I` set from the radio at least once, `X` never), 31 and 33
//! antenna levels (two hex digits each), 35 checksum: the sum of bytes
//! 0–34 modulo 256 as two hex digits. The time is German local time:
//! CET (UTC+1) or CEST (UTC+2).

use refclock_core::ascii::decimal;
use refclock_core::calendar::CivilTime;
use refclock_core::{ClockEvent, Timestamp};

/// Length of a timecode without its line end.
pub const LEN: usize = 37;
/// Offset of the checksum's two hex digits.
pub const CRC_AT: usize = 35;

/// One decoded timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeoTime {
    /// Bytes 0–2, which the driver does not read.
    pub head: [u8; 3],
    /// Serial number (bytes 3–8).
    pub serial: [u8; 6],
    /// Radio signal (bytes 9–11).
    pub radio: [u8; 3],
    /// Day of month, 1..=31.
    pub day: u8,
    /// Month, 1..=12.
    pub month: u8,
    /// Year, two digits.
    pub year: u8,
    /// Hour, 0..=23 (local time).
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60.
    pub second: u8,
    /// Hundredths of the second, 0..=99.
    pub hundredths: u8,
    /// Day of week (two digits, not read by the driver).
    pub weekday: u8,
    /// Time source: `A` radio, `C` quartz.
    pub source: u8,
    /// `S` summer time (CEST), anything else winter time (CET).
    pub dst: u8,
    /// Quartz state: `I` initialised from the radio, `X` never.
    pub quartz: u8,
    /// Antenna level 1.
    pub antenna1: u8,
    /// Antenna level 2.
    pub antenna2: u8,
}

/// Why a timecode was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NeoError {
    /// Not 37 characters.
    #[error("expected {LEN} characters, found {found}")]
    Length {
        /// Characters found.
        found: usize,
    },
    /// The checksum is not two hex digits or does not match.
    #[error("checksum: expected {expected:02X}, found {found:?}")]
    Checksum {
        /// The sum of bytes 0–34.
        expected: u8,
        /// What the timecode has.
        found: String,
    },
    /// A field is not digits of its width.
    #[error("{field}: expected digits, found {found:?}")]
    Field {
        /// The field.
        field: &'static str,
        /// What was there.
        found: String,
    },
    /// A field out of range (the date against its month).
    #[error("{field} out of range: {value}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
}

impl NeoError {
    /// ntpd's event: the length and checksum `CEVNT_BADREPLY`, the date
    /// and time `CEVNT_BADDATE` (its "date/time out of range").
    pub fn event(&self) -> ClockEvent {
        match self {
            NeoError::Length { .. } | NeoError::Checksum { .. } => ClockEvent::BadReply,
            _ => ClockEvent::BadDate,
        }
    }
}

/// The checksum of `bytes`: their sum modulo 256.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |s, &b| s.wrapping_add(b))
}

fn digits(code: &[u8], at: usize, width: usize, field: &'static str) -> Result<u32, NeoError> {
    let d = &code[at..at + width];
    decimal(d).ok_or_else(|| NeoError::Field {
        field,
        found: String::from_utf8_lossy(d).into_owned(),
    })
}

fn hex2(code: &[u8], at: usize) -> Option<u8> {
    let s = std::str::from_utf8(&code[at..at + 2]).ok()?;
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(s, 16).ok()
}

fn range(field: &'static str, v: u32, lo: u32, hi: u32) -> Result<u8, NeoError> {
    if (lo..=hi).contains(&v) {
        Ok(v as u8)
    } else {
        Err(NeoError::OutOfRange { field, value: v })
    }
}

/// Decodes a timecode line (without its line end).
pub fn decode(code: &[u8]) -> Result<NeoTime, NeoError> {
    if code.len() != LEN {
        return Err(NeoError::Length { found: code.len() });
    }
    let expected = checksum(&code[..CRC_AT]);
    if hex2(code, CRC_AT) != Some(expected) {
        return Err(NeoError::Checksum {
            expected,
            found: String::from_utf8_lossy(&code[CRC_AT..]).into_owned(),
        });
    }
    let antenna = |at, field| {
        hex2(code, at).ok_or_else(|| NeoError::Field {
            field,
            found: String::from_utf8_lossy(&code[at..at + 2]).into_owned(),
        })
    };
    let t = NeoTime {
        head: [code[0], code[1], code[2]],
        serial: code[3..9].try_into().expect("6 bytes"),
        radio: code[9..12].try_into().expect("3 bytes"),
        day: range("day", digits(code, 12, 2, "day")?, 1, 31)?,
        month: range("month", digits(code, 14, 2, "month")?, 1, 12)?,
        year: digits(code, 16, 2, "year")? as u8,
        hour: range("hour", digits(code, 18, 2, "hour")?, 0, 23)?,
        minute: range("minute", digits(code, 20, 2, "minute")?, 0, 59)?,
        second: range("second", digits(code, 22, 2, "second")?, 0, 60)?,
        hundredths: digits(code, 24, 2, "hundredths")? as u8,
        weekday: digits(code, 26, 2, "day of week")? as u8,
        source: code[28],
        dst: code[29],
        quartz: code[30],
        antenna1: antenna(31, "antenna 1")?,
        antenna2: antenna(33, "antenna 2")?,
    };
    let days = refclock_core::calendar::days_in_month(2000 + i32::from(t.year), t.month);
    if t.day > days {
        return Err(NeoError::OutOfRange {
            field: "day",
            value: u32::from(t.day),
        });
    }
    Ok(t)
}

/// Encodes a timecode (without its line end), checksum included.
pub fn encode(t: &NeoTime) -> Vec<u8> {
    let mut v = Vec::with_capacity(LEN);
    v.extend_from_slice(&t.head);
    v.extend_from_slice(&t.serial);
    v.extend_from_slice(&t.radio);
    for n in [
        t.day,
        t.month,
        t.year,
        t.hour,
        t.minute,
        t.second,
        t.hundredths,
        t.weekday,
    ] {
        v.extend_from_slice(format!("{:02}", n % 100).as_bytes());
    }
    v.extend_from_slice(&[t.source, t.dst, t.quartz]);
    v.extend_from_slice(format!("{:02X}{:02X}", t.antenna1, t.antenna2).as_bytes());
    let sum = checksum(&v);
    v.extend_from_slice(format!("{sum:02X}").as_bytes());
    v
}

/// Hours between the stated local time and UTC: 2 in summer time (`S`),
/// 1 otherwise, as ntpd's driver subtracts them.
pub fn zone_hours(dst: u8) -> i64 {
    if dst == b'S' {
        2
    } else {
        1
    }
}

impl NeoTime {
    /// The UTC instant the timecode names, its year `full_year` (the two
    /// digits unfolded by the caller): the local time less one hour (two
    /// in summer time). A second 60 is the first second of the next
    /// minute, as ntpd's arithmetic has it.
    pub fn utc(&self, full_year: i32) -> Option<Timestamp> {
        let local = CivilTime::new(
            full_year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        )
        .to_timestamp()
        .ok()?;
        let secs = local.secs() - 3600 * zone_hours(self.dst);
        Some(Timestamp::new(
            secs,
            u32::from(self.hundredths) * 10_000_000,
        ))
    }
}

/// What the clock says to `V` up to the end of the line holding `S/N`:
/// the firmware text as ntpd's `neol_query_firmware` joins it, or still
/// waiting.
#[derive(Clone, Debug, Default)]
pub struct FirmwareReader {
    started: bool,
    text: Vec<u8>,
    last_was_eol: bool,
    last_eol_len: usize,
    search_from: usize,
    read: usize,
    done: Option<String>,
}

/// Bytes read after `V` before the answer counts as garbage
/// (`neol_query_firmware`'s 500).
pub const FIRMWARE_MAX_READ: usize = 500;

impl FirmwareReader {
    /// A reader waiting for the `©` (0xA9) that opens the answer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The firmware text once the answer is complete.
    pub fn result(&self) -> Option<&str> {
        self.done.as_deref()
    }

    /// Whether more than [`FIRMWARE_MAX_READ`] bytes came without a
    /// complete answer.
    pub fn garbage(&self) -> bool {
        self.done.is_none() && self.read > FIRMWARE_MAX_READ
    }

    /// Takes bytes of the answer; returns true once it is complete. The
    /// text starts `(c)` in place of the 0xA9; lines are joined with
    /// ` / ` and NULs dropped; the answer ends at the line end (CR or LF
    /// followed by another) after a line holding `S/N`, which is not
    /// part of the text.
    pub fn feed(&mut self, data: &[u8]) -> bool {
        for &c in data {
            if self.done.is_some() || self.garbage() {
                break;
            }
            self.read += 1;
            if !self.started {
                if c == 0xA9 {
                    self.started = true;
                    self.text = b"(c)".to_vec();
                }
                continue;
            }
            if c == b'\n' || c == b'\r' {
                if self.last_was_eol {
                    let tail = &self.text[self.search_from.min(self.text.len())..];
                    if tail.windows(3).any(|w| w == b"S/N") {
                        self.text.truncate(self.last_eol_len);
                        self.done = Some(String::from_utf8_lossy(&self.text).into_owned());
                        break;
                    }
                    self.last_eol_len = self.text.len();
                    self.text.extend_from_slice(b" / ");
                    self.search_from = self.text.len();
                }
                self.last_was_eol = true;
            } else {
                self.last_was_eol = false;
                if c != 0 {
                    self.text.push(c);
                }
                if self.text.len() > 250 {
                    // ntpd gives up on an answer this long.
                    self.read = FIRMWARE_MAX_READ + 1;
                }
            }
        }
        self.done.is_some()
    }
}

/// The firmware tag `neol_check_firmware` finds: the character after
/// `NDF:` when `:*` follows it and `NDF:` is at least 7 characters into
/// the text.
pub fn firmware_tag(firmware: &str) -> Option<char> {
    let at = firmware.find("NDF:")?;
    let rest = &firmware.as_bytes()[at..];
    if at >= 7 && rest.len() >= 7 && rest[5] == b':' && rest[6] == b'*' {
        Some(char::from(rest[4]))
    } else {
        None
    }
}
