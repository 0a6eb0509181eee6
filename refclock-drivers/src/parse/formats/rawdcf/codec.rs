//! The DCF77 telegram: pulse characters → bits (libparse's histogram cut),
//! bits → fields with the three parity checks and the century from the
//! weekday, and back (the encoder the simulated module uses).
//!
//! Bit layout (PTB, "Zur Zeit", 1989; clk_rawdcf.c's table): 0–14 free
//! (weather data), 15 R call bit, 16 A1 zone change announced, 17 Z1
//! CEST, 18 Z2 CET, 19 A2 leap second announced, 20 S start (always 1),
//! 21–27 minute (BCD, LSB first), 28 P1, 29–34 hour, 35 P2, 36–41 day,
//! 42–44 weekday (1 Monday … 7 Sunday), 45–49 month, 50–57 year within
//! the century, 58 P3. Each parity bit makes its field even. The
//! telegram sent during a minute names the minute that begins at the
//! next minute mark.

use refclock_core::calendar::{days_from_civil, CivilTime};
use refclock_core::Timestamp;

use super::super::super::time::{ParseError, Status};

/// libparse's format name.
pub const NAME: &str = "RAW DCF77 Timecode";

/// Number of bits that carry information (seconds 0..=58).
pub const BITS: usize = 59;

/// The longest buffer libparse keeps (`BUFFER_MAX`): seconds 0..=60.
pub const BUFFER_MAX: usize = 61;

/// How libparse writes a one at each second of its timecode text.
const ONE_TEXT: &[u8; 61] = b"###############RADMLS1248124P124812P1248121241248112481248P??";
/// How libparse writes a zero.
const ZERO_TEXT: &[u8; 61] = b"--------------------s-------p------p----------------------p__";

/// The time zone a telegram states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// Central European Time, UTC+1 (Z2 set).
    Cet,
    /// Central European Summer Time, UTC+2 (Z1 set).
    Cest,
}

impl Zone {
    /// Seconds added to the stated time to get UTC (libparse's
    /// `utcoffset`).
    pub const fn utc_offset(self) -> i32 {
        match self {
            Zone::Cet => -3600,
            Zone::Cest => -7200,
        }
    }
}

/// The fields of one telegram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Telegram {
    /// The free bits 0..=14 (weather data, not read).
    pub free: u16,
    /// R: the transmitter's call bit.
    pub call: bool,
    /// A1: a change of zone at the end of this hour.
    pub zone_change: bool,
    /// Z1/Z2.
    pub zone: Zone,
    /// A2: a leap second at the end of this hour.
    pub leap: bool,
    /// Minute 0..=59, hour 0..=23.
    pub minute: u8,
    /// Hour.
    pub hour: u8,
    /// Day of month 1..=31.
    pub day: u8,
    /// Weekday 1 (Monday) ..= 7 (Sunday).
    pub weekday: u8,
    /// Month 1..=12.
    pub month: u8,
    /// Full year (only `year % 100` is sent).
    pub year: i32,
}

/// ISO weekday (1 Monday .. 7 Sunday) of a Unix day.
fn weekday_of_day(days: i64) -> u8 {
    // 1970-01-01 was a Thursday.
    ((days + 3).rem_euclid(7) + 1) as u8
}

impl Telegram {
    /// The telegram naming the local minute `local` (its seconds are
    /// ignored), in `zone`, without announcements.
    pub fn for_local(local: &CivilTime, zone: Zone) -> Telegram {
        Telegram {
            free: 0,
            call: false,
            zone_change: false,
            zone,
            leap: false,
            minute: local.minute,
            hour: local.hour,
            day: local.day,
            weekday: weekday_of_day(days_from_civil(local.year, local.month, local.day)),
            month: local.month,
            year: local.year,
        }
    }

    /// The status bits libparse gives it (`PARSEB_DST`, `ANNOUNCE`,
    /// `LEAPADD`: DCF77 does not say which way, `CALLBIT`).
    pub fn status(&self) -> Status {
        let mut s = Status::default();
        if self.zone == Zone::Cest {
            s = s.with(Status::DST);
        }
        if self.zone_change {
            s = s.with(Status::ANNOUNCE);
        }
        if self.leap {
            s = s.with(Status::LEAPADD);
        }
        if self.call {
            s = s.with(Status::CALLBIT);
        }
        s
    }

    /// The UTC instant of the minute it names (`parse_to_unixtime` with
    /// the zone's offset); a field out of range is `BadDate`/`BadTime`.
    pub fn utc(&self) -> Result<Timestamp, ParseError> {
        let local = CivilTime::new(self.year, self.month, self.day, self.hour, self.minute, 0);
        local.validate()?;
        let t = local.to_timestamp()?;
        Ok(Timestamp::from_secs(
            t.secs() + i64::from(self.zone.utc_offset()),
        ))
    }
}

/// Writes the BCD digits of `value` (units, then tens) LSB first.
fn put_bcd(bits: &mut [bool; BITS], at: usize, units: usize, tens: usize, value: u8) {
    for i in 0..units {
        bits[at + i] = (value % 10) >> i & 1 == 1;
    }
    for i in 0..tens {
        bits[at + units + i] = (value / 10) >> i & 1 == 1;
    }
}

/// The field `from..to` as a binary number, LSB first (libparse's
/// `ext_bf`: no check that a BCD digit is below 10).
fn field(bits: &[bool], from: usize, to: usize) -> u32 {
    (from..to)
        .rev()
        .fold(0, |acc, i| acc << 1 | u32::from(bits[i]))
}

/// Whether `from..to` holds an even number of ones.
fn even(bits: &[bool], from: usize, to: usize) -> bool {
    bits[from..to].iter().filter(|&&b| b).count() % 2 == 0
}

/// The 59 bits of `t`, parity bits made right.
pub fn encode(t: &Telegram) -> [bool; BITS] {
    let mut bits = [false; BITS];
    for (i, bit) in bits.iter_mut().enumerate().take(15) {
        *bit = t.free >> i & 1 == 1;
    }
    bits[15] = t.call;
    bits[16] = t.zone_change;
    bits[17] = t.zone == Zone::Cest;
    bits[18] = t.zone == Zone::Cet;
    bits[19] = t.leap;
    bits[20] = true;
    put_bcd(&mut bits, 21, 4, 3, t.minute);
    put_bcd(&mut bits, 29, 4, 2, t.hour);
    put_bcd(&mut bits, 36, 4, 2, t.day);
    for i in 0..3 {
        bits[42 + i] = t.weekday >> i & 1 == 1;
    }
    put_bcd(&mut bits, 45, 4, 1, t.month);
    put_bcd(&mut bits, 50, 4, 4, t.year.rem_euclid(100) as u8);
    bits[28] = !even(&bits, 21, 28);
    bits[35] = !even(&bits, 29, 35);
    bits[58] = !even(&bits, 36, 58);
    bits
}

/// The year of a two-digit year, month, day and weekday, in 1970..=2369
/// (clk_rawdcf.c's `zeller_expand`: the weekday picks one of the four
/// centuries of the Gregorian 400-year cycle). The day is not checked
/// against the month here (a 30 February gets a year and fails later,
/// as in libparse).
pub fn century_from_weekday(yy: u32, month: u32, day: u32, weekday: u32) -> Option<i32> {
    if yy >= 100 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if !(1..=7).contains(&weekday) {
        return None;
    }
    (0..4).find_map(|c| {
        let y = yy + 100 * c;
        let year = if y < 370 { 2000 + y } else { 1600 + y } as i32;
        let days = days_from_civil(year, month as u8, 1) + i64::from(day) - 1;
        (u32::from(weekday_of_day(days)) == weekday).then_some(year)
    })
}

/// The telegram in `bits` (seconds 0..=58): start bit, parity, zone and
/// weekday checked as convert_rawdcf does (a failure is a format error);
/// the ranges of the date and time are left to [`Telegram::utc`].
pub fn decode(bits: &[bool]) -> Result<Telegram, ParseError> {
    let bad = |what: String| ParseError::check(NAME, what);
    if bits.len() < BITS {
        return Err(ParseError::format(
            NAME,
            format!("incomplete: {} of {BITS} seconds", bits.len()),
        ));
    }
    if !bits[20] {
        return Err(bad("start bit (second 20) is 0".into()));
    }
    for (name, from, to) in [
        ("P1 (minute)", 21, 29),
        ("P2 (hour)", 29, 36),
        ("P3 (date)", 36, 59),
    ] {
        if !even(bits, from, to) {
            return Err(bad(format!("parity {name} wrong")));
        }
    }
    let minute = field(bits, 25, 28) * 10 + field(bits, 21, 25);
    let hour = field(bits, 33, 35) * 10 + field(bits, 29, 33);
    let day = field(bits, 40, 42) * 10 + field(bits, 36, 40);
    let weekday = field(bits, 42, 45);
    let month = field(bits, 49, 50) * 10 + field(bits, 45, 49);
    let yy = field(bits, 54, 58) * 10 + field(bits, 50, 54);
    let year = century_from_weekday(yy, month, day, weekday).ok_or_else(|| {
        ParseError::format(
            NAME,
            format!("date {day}.{month}.{yy:02} weekday {weekday}: no century fits"),
        )
    })?;
    let zone = match (bits[17], bits[18]) {
        (false, true) => Zone::Cet,
        (true, false) => Zone::Cest,
        (z1, z2) => {
            return Err(ParseError::format(
                NAME,
                format!("zone bits Z1 {} Z2 {}", u8::from(z1), u8::from(z2)),
            ))
        }
    };
    Ok(Telegram {
        free: field(bits, 0, 15) as u16,
        call: bits[15],
        zone_change: bits[16],
        zone,
        leap: bits[19],
        minute: minute.min(255) as u8,
        hour: hour.min(255) as u8,
        day: day as u8,
        weekday: weekday as u8,
        month: month as u8,
        year,
    })
}

/// Number of low zero bits of a pulse character, or `None` for a
/// character that is not a run of zeros from the start bit on (libparse's
/// check: `~c` must be `2^k − 1`). 0x00 (a pulse longer than the
/// character) counts 8.
pub fn zero_run(c: u8) -> Option<u8> {
    let inv = u32::from(!c);
    if (inv + 1) & inv == 0 {
        Some(32 - inv.leading_zeros() as u8)
    } else {
        None
    }
}

/// One second of a telegram as libparse's cut reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pulse {
    /// 100 ms.
    Zero,
    /// 200 ms.
    One,
    /// Not a pulse character (noise).
    Noise(u8),
}

/// The pulses of a telegram's characters: each character's run of zero
/// bits, and the cut between short and long runs at the emptiest bin of
/// the histogram between the mean of the short runs and that of the long
/// ones (clk_rawdcf.c's `cvt_rawdcf`, integer arithmetic as there).
pub fn classify(chars: &[u8]) -> Vec<Pulse> {
    let mut hist = [0u32; 9];
    let (mut sum, mut n) = (0u32, 0u32);
    for &c in chars {
        if let Some(k) = zero_run(c) {
            hist[k as usize] += 1;
            sum += u32::from(k);
            n += 1;
        }
    }
    let mean = sum.checked_div(n).unwrap_or(4) as usize;
    let (mut lw, mut lc) = (0u32, 0u32);
    for (i, &h) in hist.iter().enumerate().take(mean + 1) {
        lw += h * i as u32;
        lc += h;
    }
    let low = (lw + lc / 2).checked_div(lc).unwrap_or(0) as usize;
    let (mut hw, mut hc) = (0u32, 0u32);
    for (i, &h) in hist.iter().enumerate().skip(mean + 1) {
        hw += h * i as u32;
        hc += h;
    }
    let high = hw.checked_div(hc).unwrap_or(8) as usize;
    let (mut cut, mut span) = (low, low);
    for i in low..=high.min(8) {
        if hist[cut] > hist[i] {
            cut = i;
            span = i;
        } else if hist[cut] == hist[i] {
            span = i;
        }
    }
    let cutoff = ((cut + span) / 2) as u8;
    chars
        .iter()
        .map(|&c| match zero_run(c) {
            Some(k) if k >= cutoff => Pulse::One,
            Some(_) => Pulse::Zero,
            None => Pulse::Noise(c),
        })
        .collect()
}

/// The telegram as libparse writes it in its logs: each second's letter
/// of a one (`#`, `R`, `A`, `D`, `M`, `L`, `S`, digit weights, `P`) or of a
/// zero (`-`, `s`, `p`), `?` for noise.
pub fn text(pulses: &[Pulse]) -> String {
    pulses
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let i = i.min(ONE_TEXT.len() - 1);
            match p {
                Pulse::One => ONE_TEXT[i] as char,
                Pulse::Zero => ZERO_TEXT[i] as char,
                Pulse::Noise(_) => '?',
            }
        })
        .collect()
}

/// The characters a module sends for a 100 ms and a 200 ms pulse at
/// `baud`: the line is low from the falling edge (the start bit) for the
/// pulse's length, so at 50 baud (20 ms a bit) 100 ms is the start bit and
/// four data bits (0xF0) and 200 ms the whole character (0x00, with a
/// framing error); at 75 baud (13.3 ms) 100 ms covers six data bits
/// (0xC0). Faster adapters (1200, 4800 baud) have a controller of their
/// own; they are given 0xF8 and 0x80 (any two runs of zeros that differ
/// decode alike).
pub fn pulse_chars(baud: u32) -> (u8, u8) {
    match baud {
        0..=50 => (0xF0, 0x00),
        51..=75 => (0xC0, 0x00),
        _ => (0xF8, 0x80),
    }
}
