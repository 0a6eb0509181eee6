//! Trimble TAIP (mode 9): the `>RTM…<` answer, libparse's
//! clk_trimtaip.c, and the mode's poll and reset strings
//! (refclock_parse.c: `trimbletaip_pollinfo`, `taipinit`).

use refclock_core::{ClockEvent, Context, PortId, Timestamp};

use crate::parse::format::{frame_text, Decoded, Format};
use crate::parse::time::{ParseError, ParseTime, Status, When, Year};

/// libparse's format name.
pub const NAME: &str = "Trimble TAIP";

/// The poll, sent once per poll interval (`TRIM_TAIPPOLLCMD`): frequency
/// and echo reports off, then query the time.
pub const POLL: &[u8] = b">SRM;FR_FLAG=F;EC_FLAG=F<>QTM<";

/// The strings sent on a bad reply or a time-out (`taipinit`): position
/// and velocity reports off, checksums on, no id, no CR/LF, time reports
/// with 2 s minimum and 1 s maximum interval.
pub const RESET: [&[u8]; 3] = [
    b">FPV00000000<",
    b">SRM;ID_FLAG=F;CS_FLAG=T;EC_FLAG=F;FR_FLAG=T;CR_FLAG=F<",
    b">FTM00020001<",
];

/// Length of an RTM answer, `>` to `<`.
pub const LEN: usize = 37;
/// libparse's buffer (`clock_trimtaip`'s string buffer).
const BUFFER: usize = 37;
/// Offset of the checksum's two hex digits; the sum covers the bytes
/// before it.
const CHECKSUM_AT: usize = 34;

/// `>RTMhhmmssdddDDMMYYYYoodnnvrrrrr;*xx<`: the fixed bytes (`Strok`'s
/// pattern; a blank matches anything).
const PATTERN: &[u8; LEN] = b">RTM                      1     ;*  <";

/// What an RTM answer states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rtm {
    /// Hour, minute, second, millisecond (UTC).
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second (60 in a leap second).
    pub second: u8,
    /// Millisecond.
    pub millis: u16,
    /// Day, month, four-digit year.
    pub day: u8,
    /// Month.
    pub month: u8,
    /// Year.
    pub year: u16,
    /// GPS − UTC, seconds (two digits; libparse ignores it).
    pub gps_utc: u8,
    /// Fix mode digit: 0 2D, 1 3D, 2 2D DGPS, 3 3D DGPS, 6 dead
    /// reckoning, 8 degraded, 9 no fix.
    pub fix: u8,
    /// Satellites used (two digits).
    pub sats: u8,
}

/// The fix-mode digit that means "unknown, no fix".
pub const FIX_NONE: u8 = 9;

/// libparse's `Stoi`: blanks skipped, an optional sign, then digits, at
/// most `cnt` characters counted from the field's start (blanks and sign
/// included); what follows the field ends the number too. `None` when no
/// digit was read. The frame is read as if NUL-terminated.
fn stoi(frame: &[u8], at: usize, cnt: usize) -> Option<i64> {
    let byte = |i: usize| frame.get(i).copied().unwrap_or(0);
    let mut i = at;
    while byte(i) == b' ' {
        i += 1;
    }
    let negative = byte(i) == b'-';
    if negative || byte(i) == b'+' {
        i += 1;
    }
    let mut value: i64 = 0;
    let mut digits = false;
    loop {
        let c = byte(i);
        i += 1;
        if !c.is_ascii_digit() || i - at > cnt {
            break;
        }
        value = value * 10 + i64::from(c - b'0');
        digits = true;
    }
    digits.then_some(if negative { -value } else { value })
}

fn hexval(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The XOR of the bytes before the checksum field.
pub fn checksum(frame: &[u8]) -> u8 {
    frame[..CHECKSUM_AT.min(frame.len())]
        .iter()
        .fold(0, |a, &b| a ^ b)
}

/// Decodes one frame `>` … `<` as `cvt_trimtaip` does: `Ok(None)` when
/// it is not an RTM answer (libparse's `CVT_NONE`: ignored), an error
/// for an unreadable field (`CVT_BADFMT`) or a wrong checksum
/// (`CVT_BADTIME`).
pub fn decode(frame: &[u8]) -> Result<Option<ParseTime>, ParseError> {
    if frame.len() != LEN
        || frame.contains(&0)
        || !frame
            .iter()
            .zip(PATTERN)
            .all(|(&b, &p)| p == b' ' || b == p)
    {
        return Ok(None);
    }
    let field = |at: usize, cnt: usize, what: &str| {
        stoi(frame, at, cnt).ok_or_else(|| {
            ParseError::format(
                NAME,
                format!(
                    "{what} {:?} is not a number",
                    String::from_utf8_lossy(&frame[at..at + cnt])
                ),
            )
        })
    };
    let day = field(13, 2, "day")?;
    let month = field(15, 2, "month")?;
    let year = field(17, 4, "year")?;
    let hour = field(4, 2, "hour")?;
    let minute = field(6, 2, "minute")?;
    let second = field(8, 2, "second")?;
    let millis = field(10, 3, "milliseconds")?;
    let fix = field(23, 1, "fix mode")?;
    let sum = match (hexval(frame[CHECKSUM_AT]), hexval(frame[CHECKSUM_AT + 1])) {
        (Some(h), Some(l)) => h << 4 | l,
        _ => {
            return Err(ParseError::BadTime(format!(
                "checksum {:?} is not hex",
                String::from_utf8_lossy(&frame[CHECKSUM_AT..CHECKSUM_AT + 2])
            )))
        }
    };
    let want = checksum(frame);
    if sum != want {
        return Err(ParseError::BadTime(format!(
            "checksum {sum:02X}, computed {want:02X}"
        )));
    }
    // A sign makes a field negative: libparse lets that through to its
    // range checks (and a negative millisecond count through unchecked).
    let small = |v: i64, what: &str| {
        u8::try_from(v).map_err(|_| ParseError::BadTime(format!("{what} {v} out of range")))
    };
    if !(0..1000).contains(&millis) {
        return Err(ParseError::BadTime(format!("milliseconds {millis}")));
    }
    let mut status = Status(Status::UTC);
    // libparse means to refuse fix mode 9 ("unknown") but tests
    // `gpsfix > 9`, which one digit never is; here it is what it says,
    // no fix (see the module doc).
    if fix == i64::from(FIX_NONE) {
        status = status.with(Status::POWERUP);
    }
    Ok(Some(ParseTime {
        when: When::Civil {
            // A year below 100 is a two-digit one to libparse.
            year: if (0..100).contains(&year) {
                Year::TwoDigit(year as u8)
            } else {
                Year::Full(year as i32)
            },
            month: u8::try_from(month)
                .map_err(|_| ParseError::BadDate(format!("month {month}")))?,
            day: u8::try_from(day).map_err(|_| ParseError::BadDate(format!("day {day}")))?,
            hour: small(hour, "hour")?,
            minute: small(minute, "minute")?,
            second: small(second, "second")?,
            nanos: millis as u32 * 1_000_000,
            utc_offset: 0,
        },
        status,
    }))
}

/// The 37 bytes an RTM answer has for `rtm` (checksum on, no id, no
/// CR/LF, as the reset strings set the receiver up).
pub fn encode(rtm: &Rtm) -> Vec<u8> {
    let mut s = format!(
        ">RTM{:02}{:02}{:02}{:03}{:02}{:02}{:04}{:02}{:01}{:02}100000;*",
        rtm.hour,
        rtm.minute,
        rtm.second,
        rtm.millis,
        rtm.day,
        rtm.month,
        rtm.year,
        rtm.gps_utc,
        rtm.fix,
        rtm.sats
    )
    .into_bytes();
    let sum = s.iter().fold(0u8, |a, &b| a ^ b);
    s.extend_from_slice(format!("{sum:02X}<").as_bytes());
    s
}

/// libparse's TAIP input (`inp_trimtaip`): `>` starts a frame (and
/// stamps it), `<` ends it, other bytes collect; a full buffer hands out
/// what it has and starts again with the byte.
#[derive(Debug)]
pub struct TaipFormat {
    buf: Vec<u8>,
    stamp: Timestamp,
}

impl TaipFormat {
    /// A new format with an empty buffer.
    pub fn new() -> TaipFormat {
        TaipFormat {
            buf: Vec::with_capacity(BUFFER),
            stamp: Timestamp::EPOCH,
        }
    }

    fn frame(&mut self, out: &mut Vec<Decoded>) {
        let frame = std::mem::take(&mut self.buf);
        let text = frame_text(&frame);
        out.push(match decode(&frame) {
            Ok(Some(time)) => Decoded::Time {
                time,
                rectime: self.stamp,
                text,
            },
            Ok(None) => Decoded::Other { note: None },
            Err(error) => Decoded::Error { error, text },
        });
    }

    fn add(&mut self, b: u8, out: &mut Vec<Decoded>) -> bool {
        if self.buf.len() < BUFFER {
            self.buf.push(b);
            true
        } else {
            // parse_restart: hand out the full buffer, start with `b`.
            self.frame(out);
            self.buf.push(b);
            false
        }
    }
}

impl Default for TaipFormat {
    fn default() -> Self {
        Self::new()
    }
}

impl Format for TaipFormat {
    fn name(&self) -> &'static str {
        NAME
    }

    fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>) {
        for &b in data {
            // ISTRIP: 7 bits.
            match b & 0x7f {
                b'>' => {
                    self.buf.clear();
                    self.buf.push(b'>');
                    self.stamp = rectime;
                }
                b'<' => {
                    if self.add(b'<', out) {
                        self.frame(out);
                    }
                }
                c => {
                    self.add(c, out);
                }
            }
        }
    }

    fn reset(&mut self) {
        self.buf.clear();
    }

    fn on_poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.write(PortId::MAIN, POLL);
    }

    fn on_event(&mut self, ctx: &mut Context<'_>, event: ClockEvent, _now: Timestamp) {
        if matches!(event, ClockEvent::BadReply | ClockEvent::Timeout) {
            for s in RESET {
                ctx.write(PortId::MAIN, s);
            }
            ctx.log("TAIP receiver re-initialised");
        }
    }
}
