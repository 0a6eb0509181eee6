//! The Meinberg time strings, both ways: libparse's `cvt_meinberg`
//! (standard and Uni-Erlangen extended string) and `cvt_mgps` (the
//! Uni-Erlangen GPS string), and encoders producing the bytes a receiver
//! sends.
//!
//! A string is checked against its layout as libparse's `Strok` does (a
//! space in the layout takes any byte, any other byte must match, the
//! string may be longer) and its numbers read as `Stoi` does (leading
//! spaces and a sign, then digits up to the field's width, at least one).
//! A NUL byte ends the string, as it does for the C string functions.

use refclock_core::calendar::CivilTime;

use crate::parse::time::{ParseError, ParseTime, Status, When, Year};

/// Start of a time string (and the on-time byte).
pub const STX: u8 = 0x02;
/// End of a time string.
pub const ETX: u8 = 0x03;
/// Start of a binary GPS message.
pub const SOH: u8 = 0x01;

/// libparse's name of modes 0, 1, 2 and 22.
pub const STANDARD_NAME: &str = "Meinberg Standard";
/// libparse's name of modes 7, 18 and 23.
pub const GPS_NAME: &str = "Meinberg GPS Extended";

/// `<STX>D:dd.mm.yy;T:w;U:hh.mm.ss;SFDA<ETX>` (`meinberg_fmt[0]`).
pub const STANDARD_LAYOUT: &[u8] = b"\x02D:  .  .  ;T: ;U:  .  .  ;    \x03";
/// `<STX>dd.mm.yy; w; hh:mm:ss; USFDALR<ETX>` (`meinberg_fmt[1]`).
pub const EXTENDED_LAYOUT: &[u8] = b"\x02  .  .  ;  ;   :  :  ;        \x03";
/// `<STX>dd.mm.yy; w; hh:mm:ss; +hh:mm; uvxyzab; position<ETX>`
/// (`meinberg_fmt[2]`; what follows its last dot is not checked).
pub const GPS_LAYOUT: &[u8] = b"\x02  .  .  ;  ;   :  :  ;    :  ;        ;   .         .       ";

/// Field positions of one layout: day, month, year, hour, minute,
/// second (each two digits), the first status character, the zone
/// character.
struct Fields {
    date: [usize; 3],
    time: [usize; 3],
    flags: usize,
    zone: usize,
}

const STANDARD_FIELDS: Fields = Fields {
    date: [3, 6, 9],
    time: [18, 21, 24],
    flags: 27,
    zone: 29,
};
const EXTENDED_FIELDS: Fields = Fields {
    date: [1, 4, 7],
    time: [14, 17, 20],
    flags: 25,
    zone: 27,
};
const GPS_FIELDS: Fields = Fields {
    date: [1, 4, 7],
    time: [14, 17, 20],
    flags: 32,
    // The `x` (DST) character; libparse's table says 35, the `y`
    // character after it (see the module doc).
    zone: 34,
};

/// The string up to its first NUL (C string semantics).
fn c_str(buf: &[u8]) -> &[u8] {
    match buf.iter().position(|&b| b == 0) {
        Some(n) => &buf[..n],
        None => buf,
    }
}

/// libparse's `Strok`: `s` has the layout `m`.
pub fn strok(s: &[u8], m: &[u8]) -> bool {
    s.len() >= m.len() && s.iter().zip(m).all(|(&c, &p)| p == b' ' || c == p)
}

/// libparse's `Stoi` on the `cnt` bytes at `at` (the bytes after them
/// are seen only as a stop): `None` without a digit.
pub fn stoi(s: &[u8], at: usize, cnt: usize) -> Option<i64> {
    let byte = |i: usize| s.get(at + i).copied().unwrap_or(0);
    let mut i = 0;
    while byte(i) == b' ' {
        i += 1;
    }
    let negative = match byte(i) {
        b'-' => {
            i += 1;
            true
        }
        b'+' => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut value: i64 = 0;
    let mut digits = false;
    loop {
        let c = byte(i);
        i += 1;
        if !c.is_ascii_digit() || i > cnt {
            break;
        }
        value = value.saturating_mul(10).saturating_add(i64::from(c - b'0'));
        digits = true;
    }
    digits.then_some(if negative { -value } else { value })
}

fn bad(format: &'static str, what: impl Into<String>) -> ParseError {
    ParseError::format(format, what)
}

/// A field value as a `u8`; anything outside is 255, which no field
/// accepts (so the range check names it).
fn byte_of(v: i64) -> u8 {
    u8::try_from(v).unwrap_or(u8::MAX)
}

/// Date and time fields at `f`'s positions, in `offset` seconds from UTC.
fn civil(buf: &[u8], f: &Fields, format: &'static str) -> Result<[i64; 6], ParseError> {
    let mut v = [0i64; 6];
    for (i, &at) in f.date.iter().chain(f.time.iter()).enumerate() {
        v[i] = stoi(buf, at, 2).ok_or_else(|| bad(format, format!("no number at byte {at}")))?;
    }
    Ok(v)
}

fn when(v: [i64; 6], utc_offset: i32) -> When {
    When::Civil {
        year: Year::TwoDigit(byte_of(v[2])),
        month: byte_of(v[1]),
        day: byte_of(v[0]),
        hour: byte_of(v[3]),
        minute: byte_of(v[4]),
        second: byte_of(v[5]),
        nanos: 0,
        utc_offset,
    }
}

/// libparse's `cvt_meinberg`: the standard string or the Uni-Erlangen
/// extended one (chosen by layout).
pub fn decode_standard(frame: &[u8]) -> Result<ParseTime, ParseError> {
    let buf = c_str(frame);
    let format = STANDARD_NAME;
    let (fields, extended) = if strok(buf, STANDARD_LAYOUT) {
        (&STANDARD_FIELDS, false)
    } else if strok(buf, EXTENDED_LAYOUT) {
        (&EXTENDED_FIELDS, true)
    } else {
        return Err(bad(
            format,
            "neither the standard nor the extended Meinberg layout",
        ));
    };
    let v = civil(buf, fields, format)?;
    let f = &buf[fields.flags..];
    let zone = buf[fields.zone];
    let mut status = 0;
    if v[5] == 60 {
        status |= Status::LEAPSECOND;
    }
    let offset = if extended && buf[fields.flags - 1] == b'U' {
        status |= Status::UTC;
        0
    } else {
        match zone {
            b' ' => -3600,
            b'S' => -7200,
            b'U' => {
                status |= Status::UTC;
                0
            }
            other => {
                return Err(bad(
                    format,
                    format!(
                        "zone character {:?}, expected ' ', 'S' or 'U'",
                        other as char
                    ),
                ))
            }
        }
    };
    if zone == b'S' {
        status |= Status::DST;
    }
    if f[0] == b'#' {
        status |= Status::POWERUP;
    }
    if f[1] == b'*' {
        status |= Status::NOSYNC;
    }
    match f[3] {
        b'!' => status |= Status::ANNOUNCE,
        b'A' => status |= Status::LEAPADD,
        b'a' => status |= Status::LEAPDEL,
        _ => {}
    }
    if extended {
        // DCF77 gives no direction: an announced leap second is added.
        status &= !Status::LEAPDEL;
        if f[4] == b'A' {
            status |= Status::LEAPADD;
        }
        if f[5] == b'R' {
            status |= Status::CALLBIT;
        }
    }
    Ok(ParseTime {
        when: when(v, offset),
        status: Status(status),
    })
}

/// libparse's `cvt_mgps`: the Uni-Erlangen GPS string, else what
/// [`decode_standard`] reads.
pub fn decode_gps(frame: &[u8]) -> Result<ParseTime, ParseError> {
    let buf = c_str(frame);
    if !strok(buf, GPS_LAYOUT) {
        return decode_standard(frame).map_err(|e| match e {
            ParseError::BadFormat { what, .. } => {
                bad(GPS_NAME, format!("not the GPS layout, and {what}"))
            }
            e => e,
        });
    }
    let format = GPS_NAME;
    let fields = &GPS_FIELDS;
    let v = civil(buf, fields, format)?;
    let hours = stoi(buf, 25, 2).ok_or_else(|| bad(format, "no UTC offset hours"))?;
    let minutes = stoi(buf, 28, 2).ok_or_else(|| bad(format, "no UTC offset minutes"))?;
    // The string's zone is UTC + offset; libparse's offset goes the
    // other way (added to the local time to give UTC).
    let mut offset = (hours * 60 + minutes) * 60;
    if buf[24] != b'-' {
        offset = -offset;
    }
    let offset = i32::try_from(offset).unwrap_or(i32::MAX);
    let f = &buf[fields.flags..];
    let mut status = 0;
    if buf[fields.zone] == b'S' {
        status |= Status::DST;
    }
    if offset == 0 {
        status |= Status::UTC;
    }
    if f[0] == b'#' {
        status |= Status::POWERUP;
    }
    if f[1] == b'*' {
        status |= Status::NOSYNC;
    } else if status & Status::POWERUP == 0 {
        status |= Status::POSITION;
    }
    if f[3] == b'!' {
        status |= Status::ANNOUNCE;
    }
    match f[4] {
        b'A' => status |= Status::LEAPADD,
        b'a' => status |= Status::LEAPDEL,
        _ => {}
    }
    if f[6] == b'L' || v[5] == 60 {
        status |= Status::LEAPSECOND;
    }
    Ok(ParseTime {
        when: when(v, offset),
        status: Status(status),
    })
}

/// What a Meinberg string says, for the encoders: the receiver's local
/// time and its status characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Telegram {
    /// The time in the string's zone (second 60 for a leap second).
    pub local: CivilTime,
    /// Day of the week, Monday = 1 .. Sunday = 7 (not read by libparse).
    pub weekday: u8,
    /// Minutes to add to UTC to get `local` (GPS string; the DCF77
    /// strings only know 0 = UTC, 60 = CET and 120 = CEST).
    pub zone_minutes: i32,
    /// Time in UTC (`U`); otherwise CET or CEST by `dst`.
    pub utc: bool,
    /// Daylight saving time in effect (`S`).
    pub dst: bool,
    /// Not synchronised since power-up (`#`).
    pub powerup: bool,
    /// Free-running on the quartz, or GPS position not verified (`*`).
    pub nosync: bool,
    /// A change of DST announced (`!`).
    pub announce: bool,
    /// A leap second announced (`A`; `a` with `leap_delete`).
    pub leap: bool,
    /// The announced leap second is a deletion (`a`, standard and GPS
    /// strings only).
    pub leap_delete: bool,
    /// The call bit (`R`, extended and GPS strings).
    pub callbit: bool,
}

impl Telegram {
    /// A synchronised telegram in UTC.
    pub fn utc(local: CivilTime) -> Telegram {
        Telegram {
            local,
            weekday: weekday(&local),
            zone_minutes: 0,
            utc: true,
            dst: false,
            powerup: false,
            nosync: false,
            announce: false,
            leap: false,
            leap_delete: false,
            callbit: false,
        }
    }

    fn flag(on: bool, c: u8) -> u8 {
        if on {
            c
        } else {
            b' '
        }
    }

    fn zone_char(&self) -> u8 {
        if self.utc {
            b'U'
        } else {
            Self::flag(self.dst, b'S')
        }
    }

    fn announcement(&self) -> u8 {
        if self.leap {
            if self.leap_delete {
                b'a'
            } else {
                b'A'
            }
        } else {
            Self::flag(self.announce, b'!')
        }
    }

    fn date_time(&self, time_sep: u8) -> (String, String) {
        let t = &self.local;
        let sep = time_sep as char;
        (
            format!("{:02}.{:02}.{:02}", t.day, t.month, t.year.rem_euclid(100)),
            format!("{:02}{sep}{:02}{sep}{:02}", t.hour, t.minute, t.second),
        )
    }

    /// The standard string, `<STX>D:dd.mm.yy;T:w;U:hh.mm.ss;SFDA<ETX>`.
    pub fn standard(&self) -> Vec<u8> {
        let (date, time) = self.date_time(b'.');
        let mut s = format!("\x02D:{date};T:{};U:{time};", self.weekday % 10).into_bytes();
        s.extend_from_slice(&[
            Self::flag(self.powerup, b'#'),
            Self::flag(self.nosync, b'*'),
            self.zone_char(),
            self.announcement(),
            ETX,
        ]);
        s
    }

    /// The Uni-Erlangen extended string,
    /// `<STX>dd.mm.yy; w; hh:mm:ss; USFDALR<ETX>`.
    pub fn extended(&self) -> Vec<u8> {
        let (date, time) = self.date_time(b':');
        let mut s = format!("\x02{date}; {}; {time}; ", self.weekday % 10).into_bytes();
        s.extend_from_slice(&[
            Self::flag(self.utc, b'U'),
            Self::flag(self.powerup, b'#'),
            Self::flag(self.nosync, b'*'),
            Self::flag(self.dst && !self.utc, b'S'),
            Self::flag(self.announce, b'!'),
            Self::flag(self.leap, b'A'),
            Self::flag(self.callbit, b'R'),
            ETX,
        ]);
        s
    }

    /// The Uni-Erlangen GPS string,
    /// `<STX>dd.mm.yy; w; hh:mm:ss; +hh:mm; uvxyzab; position<ETX>`.
    pub fn gps(&self, position: &str) -> Vec<u8> {
        let (date, time) = self.date_time(b':');
        let sign = if self.zone_minutes < 0 { '-' } else { '+' };
        let z = self.zone_minutes.unsigned_abs();
        let mut s = format!(
            "\x02{date}; {}; {time}; {sign}{:02}:{:02}; ",
            self.weekday % 10,
            z / 60,
            z % 60
        )
        .into_bytes();
        s.extend_from_slice(&[
            Self::flag(self.powerup, b'#'),
            Self::flag(self.nosync, b'*'),
            Self::flag(self.dst, b'S'),
            Self::flag(self.announce, b'!'),
            if self.leap {
                if self.leap_delete {
                    b'a'
                } else {
                    b'A'
                }
            } else {
                b' '
            },
            Self::flag(self.callbit, b'R'),
            Self::flag(self.local.second == 60, b'L'),
        ]);
        s.extend_from_slice(format!("; {position}").as_bytes());
        s.push(ETX);
        s
    }
}

/// Day of the week of a civil date, Monday = 1 .. Sunday = 7.
pub fn weekday(t: &CivilTime) -> u8 {
    let days = refclock_core::calendar::days_from_civil(t.year, t.month, t.day);
    // 1970-01-01 was a Thursday (4).
    ((days + 3).rem_euclid(7) + 1) as u8
}

/// The position the simulated GPS receiver states (Erlangen, from
/// clk_meinberg.c's example).
pub const POSITION: &str = "49.5736N  11.0280E  373m";
