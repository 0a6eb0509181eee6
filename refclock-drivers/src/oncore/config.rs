//! The driver's configuration file (ntpd's `oncore_read_config`): where
//! it is looked for and what it says.
//!
//! Searched in `/etc/ntp`, then `/etc`, as `ntp.oncore.U`, `ntp.oncoreU`
//! and `ntp.oncore` (U the unit), the first that opens; `option
//! config=PATH` names the file instead. No file means mode 4: hard reset
//! and site survey, no cable delay, no PPS offset.
//!
//! One keyword a line, case-insensitive, its value after blanks or `=`;
//! `#` starts a comment. As in ntpd a keyword is matched by its first
//! letters (`LATITUDE` is `LAT`, `HTGPS` is `HT`). Keywords: `MODE 0-4`,
//! `LAT`/`LON` (degrees, or degrees minutes, or degrees minutes seconds),
//! `HT h [M|FT]`, `DELAY t [MS|US|NS]` (cable delay; seconds without a
//! unit, as in ntpd), `OFFSET t [MS|US|NS]` (PPS offset), `ASSERT`,
//! `CLEAR`, `HARDPPS`, `STATUS`/`SHMEM file`, `POSN2D`, `POSN3D`,
//! `CHAN 6|8|12`, `TRAIM [YES|NO|ON|OFF]`, `MASK 0-89`,
//! `PPSCONTROL ON|CONTINUOUS|SATELLITE|TRAIM`.
//!
//! Where ntpd quietly ignores or replaces a value it cannot use (a MODE
//! of 7 becomes 4, `LAT abc` is 0°, `CHAN 10` is ignored), this parser
//! refuses the file with the file, line and word at fault: a typing
//! error must not turn into a hard reset and a site survey. An unknown
//! keyword is only a warning, as ntpd ignores it.

use std::path::{Path, PathBuf};

/// What a configuration file says (defaults: no file).
#[derive(Clone, Debug, PartialEq)]
pub struct OncoreConfig {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// The start-up mode after the position check (ntpd's `init_type`):
    /// 0 leave the receiver alone, 1 use the position, 2 site survey,
    /// 3 hard reset and the position, 4 hard reset and site survey.
    pub mode: u8,
    /// Latitude, longitude (milliarcseconds) and height (cm), when all
    /// three are given (ntpd's `posn_set`).
    pub position: Option<(i32, i32, i32)>,
    /// Cable delay, ns.
    pub delay_ns: u32,
    /// PPS offset, ns.
    pub offset_ns: u32,
    /// The assert edge (else clear).
    pub assert: bool,
    /// HARDPPS asked for: the kernel's hardpps bound to the PPS edge.
    pub hardpps: bool,
    /// STATUS/SHMEM file name: the status file ([`super::status`]).
    pub shmem: Option<String>,
    /// POSN2D / POSN3D: 2 or 3, the fix whose record the status file
    /// refreshes every 15 s (0: none).
    pub shmem_posn: u8,
    /// CHAN given.
    pub chan: Option<u8>,
    /// TRAIM given.
    pub traim: Option<bool>,
    /// MASK given (degrees).
    pub mask: Option<u8>,
    /// PPSCONTROL given: 1 on, 2 with a satellite, 3 by TRAIM.
    pub pps_control: Option<u8>,
    /// Warnings to log (ntpd's log lines for what it ignores).
    pub warnings: Vec<String>,
}

impl Default for OncoreConfig {
    fn default() -> Self {
        OncoreConfig {
            file: None,
            mode: 4,
            position: None,
            delay_ns: 0,
            offset_ns: 0,
            assert: true,
            hardpps: false,
            shmem: None,
            shmem_posn: 0,
            chan: None,
            traim: None,
            mask: None,
            pps_control: None,
            warnings: Vec::new(),
        }
    }
}

/// A line the parser refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {word:?}: {reason}")]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// The line number, from 1 (0: the file as a whole).
    pub line: usize,
    /// The word at fault.
    pub word: String,
    /// What is wrong.
    pub reason: String,
}

/// The directories searched, in order (ntpd's `dirs[]`).
pub const DIRS: [&str; 2] = ["/etc/ntp", "/etc"];

/// The file the search finds for `unit` under `dirs`, as ntpd tries them:
/// in each directory `ntp.oncore.U`, `ntp.oncoreU`, `ntp.oncore`.
pub fn find(unit: u8, dirs: &[&Path]) -> Option<PathBuf> {
    for dir in dirs {
        for name in [
            format!("ntp.oncore.{unit}"),
            format!("ntp.oncore{unit}"),
            "ntp.oncore".to_string(),
        ] {
            let p = dir.join(name);
            if std::fs::File::open(&p).is_ok() {
                return Some(p);
            }
        }
    }
    None
}

/// Reads the file `path` (an explicit `option config=`: it must exist).
pub fn load(path: &Path) -> Result<OncoreConfig, ConfigError> {
    let text = std::fs::read(path).map_err(|e| ConfigError {
        file: path.display().to_string(),
        line: 0,
        word: String::new(),
        reason: format!("cannot read: {e}"),
    })?;
    parse(&String::from_utf8_lossy(&text), &path.display().to_string()).map(|mut c| {
        c.file = Some(path.to_path_buf());
        c
    })
}

/// Resolves the configuration at start: `explicit` (`option config=`)
/// or the search for `unit`; none found is the default (mode 4).
pub fn resolve(unit: u8, explicit: Option<&Path>) -> Result<OncoreConfig, ConfigError> {
    if let Some(p) = explicit {
        return load(p);
    }
    let dirs: Vec<&Path> = DIRS.iter().map(Path::new).collect();
    match find(unit, &dirs) {
        Some(p) => load(&p),
        None => Ok(OncoreConfig::default()),
    }
}

/// Parses the text of a configuration file named `file` (for messages).
pub fn parse(text: &str, file: &str) -> Result<OncoreConfig, ConfigError> {
    let mut c = OncoreConfig {
        mode: 0,
        ..OncoreConfig::default()
    };
    let (mut lat, mut lon, mut ht) = (None, None, None);
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let end = line
            .find(|ch: char| ch.is_ascii_whitespace() || ch == '=')
            .unwrap_or(line.len());
        let key = line[..end].to_ascii_uppercase();
        let arg = line[end..].trim_start_matches(|ch: char| ch.is_ascii_whitespace() || ch == '=');
        let err = |word: &str, reason: String| ConfigError {
            file: file.to_string(),
            line: n + 1,
            word: word.to_string(),
            reason,
        };
        if key.starts_with("STATUS") || key.starts_with("SHMEM") {
            if arg.is_empty() {
                return Err(err(&key, "needs a file name".into()));
            }
            c.shmem = Some(arg.to_string());
            continue;
        }
        let argu = arg.to_ascii_uppercase();
        let words: Vec<&str> = argu.split_ascii_whitespace().collect();
        let number = |i: usize, what: &str| -> Result<f64, ConfigError> {
            let w = words
                .get(i)
                .ok_or_else(|| err(&key, format!("needs {what}")))?;
            w.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(w, format!("is not a number ({what})")))
        };
        let int = |what: &str| -> Result<i64, ConfigError> {
            let w = words
                .first()
                .ok_or_else(|| err(&key, format!("needs {what}")))?;
            w.parse::<i64>()
                .map_err(|_| err(w, format!("is not a whole number ({what})")))
        };
        if key.starts_with("LAT") || key.starts_with("LON") {
            if words.is_empty() || words.len() > 3 {
                return Err(err(
                    &key,
                    "needs degrees, or degrees minutes, or degrees minutes seconds".into(),
                ));
            }
            let mut f = [0.0; 3];
            for (i, v) in f.iter_mut().enumerate().take(words.len()) {
                *v = number(i, "an angle")?;
            }
            let negative = words[0].starts_with('-');
            let mas = 1000.0 * (f[2].abs() + 60.0 * (f[1].abs() + 60.0 * f[0].abs()));
            let limit = if key.starts_with("LAT") { 90.0 } else { 180.0 };
            if mas > limit * 3_600_000.0 {
                return Err(err(words[0], format!("beyond {limit} degrees")));
            }
            let v = (if negative { -mas } else { mas }) as i32;
            if key.starts_with("LAT") {
                lat = Some(v);
            } else {
                lon = Some(v);
            }
        } else if key.starts_with("HT") {
            let mut h = number(0, "a height")?;
            match words.get(1).copied() {
                None | Some("M") => {}
                Some(u) if u.starts_with('F') => h *= 0.3048,
                Some(u) => return Err(err(u, "is not a unit of height (M or FT)".into())),
            }
            if h.abs() > 20_000_000.0 {
                return Err(err(words[0], "is out of range".into()));
            }
            ht = Some((100.0 * h) as i32);
        } else if key.starts_with("DELAY") || key.starts_with("OFFSET") {
            let delay = key.starts_with("DELAY");
            let mut t = number(0, "a time")?;
            t *= match words.get(1).copied() {
                None => 1e9,
                Some("NS") => 1.0,
                Some("US") => 1e3,
                Some("MS") => 1e6,
                Some(u) => return Err(err(u, "is not a unit of time (MS, US or NS)".into())),
            };
            let max = if delay { 999_999.0 } else { 999_999_999.0 };
            if !(0.0..=max).contains(&t) {
                return Err(err(words[0], format!("is out of range (0 to {max} ns)")));
            }
            if delay {
                c.delay_ns = t.round() as u32;
            } else {
                c.offset_ns = t.round() as u32;
            }
        } else if key.starts_with("MODE") {
            let m = int("a mode 0-4")?;
            if !(0..=4).contains(&m) {
                return Err(err(words[0], "is not a mode (0 to 4)".into()));
            }
            c.mode = m as u8;
        } else if key.starts_with("ASSERT") {
            c.assert = true;
        } else if key.starts_with("CLEAR") {
            c.assert = false;
        } else if key.starts_with("HARDPPS") {
            c.hardpps = true;
        } else if key.starts_with("POSN2D") {
            c.shmem_posn = 2;
        } else if key.starts_with("POSN3D") {
            c.shmem_posn = 3;
        } else if key.starts_with("CHAN") {
            let v = int("6, 8 or 12 channels")?;
            if !matches!(v, 6 | 8 | 12) {
                return Err(err(words[0], "is not 6, 8 or 12".into()));
            }
            c.chan = Some(v as u8);
        } else if key.starts_with("TRAIM") {
            c.traim = Some(match words.first().copied() {
                None | Some("YES") | Some("ON") => true,
                Some("NO") | Some("OFF") => false,
                Some(w) => return Err(err(w, "is not YES, NO, ON or OFF".into())),
            });
        } else if key.starts_with("MASK") {
            let v = int("an angle 0-89")?;
            if !(0..90).contains(&v) {
                return Err(err(words[0], "is not an angle 0 to 89".into()));
            }
            c.mask = Some(v as u8);
        } else if key.starts_with("PPSCONTROL") {
            c.pps_control = Some(match argu.as_str() {
                "ON" | "CONTINUOUS" => 1,
                "SATELLITE" => 2,
                "TRAIM" => 3,
                _ => return Err(err(arg, "is not ON, CONTINUOUS, SATELLITE or TRAIM".into())),
            });
        } else {
            c.warnings
                .push(format!("{file}:{}: unknown keyword {key:?} ignored", n + 1));
        }
    }
    match (lat, lon, ht) {
        (Some(a), Some(o), Some(h)) => c.position = Some((a, o, h)),
        _ => {
            c.warnings
                .push(format!("{file}: incomplete data (LAT, LON and HT)"));
            if c.mode == 1 || c.mode == 3 {
                c.warnings.push(format!(
                    "Input Mode = {}, but no/incomplete position, mode set to {}",
                    c.mode,
                    c.mode + 1
                ));
                c.mode += 1;
            }
        }
    }
    Ok(c)
}
