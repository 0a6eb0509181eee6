//! The Spectracom timecodes of the ACTS driver's [`codec`](super::codec):
//! formats 0 and 2, as a Spectracom receiver sends them through a modem
//! or on a direct cable.

use super::codec::{check_time, ActsError, Fields};

/// Spectracom format 0: `I  ddd hh:mm:ss DTZ=nn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wwvb0 {
    /// Sync character: space when in sync, `?` when not.
    pub sync: u8,
    /// Day of year.
    pub yday: u16,
    /// Time of day.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Daylight saving character (`S`, `D`, `I`, `O`).
    pub dst: u8,
    /// Time zone, hours (not used: the time is taken as UTC, as ntpd does).
    pub tz: u8,
}

/// Spectracom format 2: `IQyy ddd hh:mm:ss.mmm LD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wwvb2 {
    /// Sync character: space when in sync, `?` when not.
    pub sync: u8,
    /// Quality character (not used).
    pub quality: u8,
    /// Two-digit year.
    pub yy: u8,
    /// Day of year.
    pub yday: u16,
    /// Time of day.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Milliseconds.
    pub millis: u16,
    /// Leap character: `L` for a leap second pending, else space.
    pub leap: u8,
    /// Daylight saving character.
    pub dst: u8,
}

pub(super) fn decode_wwvb0(line: &[u8]) -> Result<Wwvb0, ActsError> {
    let f = Fields {
        line,
        format: "WWVB",
    };
    let sync = f.one_of("sync", 0, " ?*")?;
    f.lit("separator", 1, "  ")?;
    let yday = f.num("day of year", 3, 3)?;
    f.lit("separator", 6, " ")?;
    let hour = f.num("hour", 7, 2)?;
    f.lit("separator", 9, ":")?;
    let minute = f.num("minute", 10, 2)?;
    f.lit("separator", 12, ":")?;
    let second = f.num("second", 13, 2)?;
    f.lit("separator", 15, " ")?;
    let dst = line[16];
    f.lit("zone", 17, "TZ=")?;
    let tz = f.num("zone", 20, 2)? as u8;
    check_time(&f, 7, hour, minute, second)?;
    if !(1..=366).contains(&yday) {
        return Err(f.bad("day of year", "1 to 366", 3, 3));
    }
    Ok(Wwvb0 {
        sync,
        yday: yday as u16,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        dst,
        tz,
    })
}

impl Wwvb0 {
    /// The line, without line ends.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = format!(
            "{}  {:03} {:02}:{:02}:{:02} ",
            self.sync as char, self.yday, self.hour, self.minute, self.second
        )
        .into_bytes();
        s.push(self.dst);
        s.extend_from_slice(format!("TZ={:02}", self.tz).as_bytes());
        s
    }
}

pub(super) fn decode_wwvb2(line: &[u8]) -> Result<Wwvb2, ActsError> {
    let f = Fields {
        line,
        format: "WWVB",
    };
    let sync = f.one_of("sync", 0, " ?*")?;
    let quality = line[1];
    let yy = f.num("year", 2, 2)? as u8;
    f.lit("separator", 4, " ")?;
    let yday = f.num("day of year", 5, 3)?;
    f.lit("separator", 8, " ")?;
    let hour = f.num("hour", 9, 2)?;
    f.lit("separator", 11, ":")?;
    let minute = f.num("minute", 12, 2)?;
    f.lit("separator", 14, ":")?;
    let second = f.num("second", 15, 2)?;
    f.lit("separator", 17, ".")?;
    let millis = f.num("milliseconds", 18, 3)? as u16;
    f.lit("separator", 21, " ")?;
    let leap = f.one_of("leap", 22, " L")?;
    let dst = line[23];
    check_time(&f, 9, hour, minute, second)?;
    if !(1..=366).contains(&yday) {
        return Err(f.bad("day of year", "1 to 366", 5, 3));
    }
    Ok(Wwvb2 {
        sync,
        quality,
        yy,
        yday: yday as u16,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        millis,
        leap,
        dst,
    })
}

impl Wwvb2 {
    /// The line, without line ends.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = vec![self.sync, self.quality];
        s.extend_from_slice(
            format!(
                "{:02} {:03} {:02}:{:02}:{:02}.{:03} ",
                self.yy, self.yday, self.hour, self.minute, self.second, self.millis
            )
            .as_bytes(),
        );
        s.push(self.leap);
        s.push(self.dst);
        s
    }
}
