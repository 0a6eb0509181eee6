//! Fudge values and mode: the per-clock settings given on the command line
//! (`mode`, `time1`, `time2`, `stratum`, `refid`, `flag1`..`flag4`).

use bitflags::bitflags;

bitflags! {
    /// The four driver flags (`pp->sloppyclockflag`, CLK_FLAG1..4).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
    pub struct ClockFlags: u8 {
        /// `flag1`, 0x1.
        const FLAG1 = 0x1;
        /// `flag2`, 0x2.
        const FLAG2 = 0x2;
        /// `flag3`, 0x4.
        const FLAG3 = 0x4;
        /// `flag4`, 0x8.
        const FLAG4 = 0x8;
    }
}

impl ClockFlags {
    /// The flag numbered `n` (1..=4).
    pub fn numbered(n: u8) -> Option<ClockFlags> {
        match n {
            1 => Some(Self::FLAG1),
            2 => Some(Self::FLAG2),
            3 => Some(Self::FLAG3),
            4 => Some(Self::FLAG4),
            _ => None,
        }
    }
}

/// The fudge settings of one clock. `None` means "not given", so a driver
/// can tell an explicit 0 from its own default (PARSE uses a per-receiver
/// default for `time1`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Fudge {
    /// `time1` in seconds: driver-specific (usually the offset added to
    /// samples, or the PPS offset).
    pub time1: Option<f64>,
    /// `time2` in seconds: driver-specific (NMEA: serial end-of-line delay).
    pub time2: Option<f64>,
    /// Stratum to report.
    pub stratum: Option<u8>,
    /// Reference ID (up to 4 ASCII characters).
    pub refid: Option<[u8; 4]>,
    /// `flag1`..`flag4`.
    pub flags: ClockFlags,
    /// The `mode` value (`peer->ttl` in ntpd).
    pub mode: u32,
}

impl Fudge {
    /// `time1`, 0 when not given.
    pub fn time1(&self) -> f64 {
        self.time1.unwrap_or(0.0)
    }

    /// `time2`, 0 when not given.
    pub fn time2(&self) -> f64 {
        self.time2.unwrap_or(0.0)
    }

    /// Whether `flag` is set.
    pub fn flag(&self, flag: ClockFlags) -> bool {
        self.flags.contains(flag)
    }

    /// Reference ID as text (trailing NULs dropped).
    pub fn refid_str(&self) -> Option<String> {
        self.refid.map(|r| {
            String::from_utf8_lossy(&r)
                .trim_end_matches('\0')
                .to_string()
        })
    }
}

/// Packs 1 to 4 printable ASCII characters into a refid, padding with NULs.
pub fn refid_from_str(s: &str) -> Option<[u8; 4]> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 4 || !b.iter().all(|c| c.is_ascii_graphic()) {
        return None;
    }
    let mut r = [0u8; 4];
    r[..b.len()].copy_from_slice(b);
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refid_packing() {
        assert_eq!(refid_from_str("GPS"), Some(*b"GPS\0"));
        assert_eq!(refid_from_str("PPS1"), Some(*b"PPS1"));
        assert_eq!(refid_from_str("TOOLONG"), None);
        assert_eq!(refid_from_str(""), None);
        assert_eq!(refid_from_str("G S"), None);
        let f = Fudge {
            refid: refid_from_str("GPS"),
            ..Default::default()
        };
        assert_eq!(f.refid_str().as_deref(), Some("GPS"));
    }

    #[test]
    fn flags_numbered() {
        assert_eq!(ClockFlags::numbered(3), Some(ClockFlags::FLAG3));
        assert_eq!(ClockFlags::numbered(5), None);
    }
}
