//! What chronyc and chronyd's refclock log say, parsed: `chronyc -c
//! sources`, `chronyc -c sourcestats`, `refclocks.log` lines.

/// One line of `chronyc -c sources`.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// `#` reference clock, `^` server, `=` peer.
    pub mode: char,
    /// `*` selected, `+` combined, `-` not combined, `?` unusable, `x`
    /// falseticker, `~` too variable.
    pub state: char,
    /// Name: the refid for a reference clock.
    pub name: String,
    /// Stratum.
    pub stratum: u32,
    /// Polling interval, log2 seconds.
    pub poll: i32,
    /// Reachability register (chronyc prints it in octal).
    pub reach: u32,
    /// Seconds since the last sample, `None` if there was none.
    pub last_rx: Option<u64>,
    /// Last offset adjusted for later clock updates, seconds, chronyc's
    /// sign: **system − true** (positive: the local clock is ahead).
    pub adjusted_offset: f64,
    /// Last offset as measured, seconds, same sign as `adjusted_offset`.
    pub measured_offset: f64,
    /// Error bound of the measurement, seconds.
    pub error: f64,
}

/// One line of `chronyc -c sourcestats`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceStats {
    /// Name: the refid for a reference clock.
    pub name: String,
    /// Sample points kept for the regression (NP).
    pub samples: u32,
    /// Runs of residuals with the same sign (NR).
    pub runs: u32,
    /// Time between the oldest and newest sample, seconds.
    pub span: u64,
    /// Estimated residual frequency, ppm.
    pub frequency_ppm: f64,
    /// Error bound of the frequency, ppm.
    pub skew_ppm: f64,
    /// Estimated offset, seconds, chronyc's sign: **system − true**.
    pub offset: f64,
    /// Estimated sample standard deviation, seconds.
    pub std_dev: f64,
}

/// One line of chronyd's `refclocks.log`.
#[derive(Clone, Debug, PartialEq)]
pub struct RefclockLogEntry {
    /// UTC date, `YYYY-MM-DD`.
    pub date: String,
    /// UTC time, `hh:mm:ss.uuuuuu`.
    pub time: String,
    /// The refclock's refid.
    pub refid: String,
    /// Driver polls (DP); `None` on the line of a filtered (cooked) result.
    pub driver_polls: Option<u32>,
    /// Leap status: `N` none, `+` insert, `-` delete, `?` unknown.
    pub leap: char,
    /// Pulse flag (P); `None` on a filtered result.
    pub pulse: Option<i32>,
    /// The sample's offset as received, seconds, **true − system** (the
    /// SOCK sign); `None` on a filtered result.
    pub raw_offset: Option<f64>,
    /// The offset corrected for chronyd's clock adjustments, seconds,
    /// **true − system**.
    pub cooked_offset: f64,
    /// Dispersion, seconds.
    pub dispersion: f64,
}

impl RefclockLogEntry {
    /// A raw sample as received (not a filter result).
    pub fn is_raw(&self) -> bool {
        self.raw_offset.is_some()
    }
}

/// `#,?,GPS,0,0,77,1,-0.012300000,-0.012300000,0.000000030`
pub(super) fn parse_source(line: &str) -> Option<Source> {
    let f: Vec<&str> = line.trim().split(',').collect();
    if f.len() != 10 {
        return None;
    }
    let last_rx: u64 = f[6].parse().ok()?;
    Some(Source {
        mode: f[0].chars().next()?,
        state: f[1].chars().next()?,
        name: f[2].to_owned(),
        stratum: f[3].parse().ok()?,
        poll: f[4].parse().ok()?,
        reach: u32::from_str_radix(f[5], 8).ok()?,
        last_rx: (last_rx != u64::from(u32::MAX)).then_some(last_rx),
        adjusted_offset: f[7].parse().ok()?,
        measured_offset: f[8].parse().ok()?,
        error: f[9].parse().ok()?,
    })
}

/// `GPS,6,2,5,0.000,0.000,-0.012300000,0.000000001`
pub(super) fn parse_sourcestats(line: &str) -> Option<SourceStats> {
    let f: Vec<&str> = line.trim().split(',').collect();
    if f.len() != 8 {
        return None;
    }
    Some(SourceStats {
        name: f[0].to_owned(),
        samples: f[1].parse().ok()?,
        runs: f[2].parse().ok()?,
        span: f[3].parse().ok()?,
        frequency_ppm: f[4].parse().ok()?,
        skew_ppm: f[5].parse().ok()?,
        offset: f[6].parse().ok()?,
        std_dev: f[7].parse().ok()?,
    })
}

/// `2026-11-22 20:33:45.053032 GPS     0 N 0  1.230000e-02  1.230000e-02  2.900e-08`
/// or, for a filter result, `... GPS     - N -       -        1.230000e-02  2.900e-08`.
pub(super) fn parse_refclock_log(line: &str) -> Option<RefclockLogEntry> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() != 9 {
        return None;
    }
    fn opt(s: &str) -> Option<&str> {
        (s != "-").then_some(s)
    }
    Some(RefclockLogEntry {
        date: f[0].to_owned(),
        time: f[1].to_owned(),
        refid: f[2].to_owned(),
        driver_polls: opt(f[3]).map(str::parse).transpose().ok()?,
        leap: f[4].chars().next()?,
        pulse: opt(f[5]).map(str::parse).transpose().ok()?,
        raw_offset: opt(f[6]).map(str::parse).transpose().ok()?,
        cooked_offset: f[7].parse().ok()?,
        dispersion: f[8].parse().ok()?,
    })
}

#[test]
fn parses_chronyc_csv_and_refclock_log() {
    let s = parse_source("#,?,GPS,0,0,77,1,-0.012300000,-0.012300000,0.000000030").unwrap();
    assert_eq!((s.mode, s.state, s.name.as_str()), ('#', '?', "GPS"));
    assert_eq!(
        (s.reach, s.last_rx, s.measured_offset),
        (0o77, Some(1), -0.0123)
    );
    let never = parse_source("#,?,GPS,0,0,0,4294967295,0.0,0.0,0.0").unwrap();
    assert_eq!(never.last_rx, None);
    assert_eq!(parse_source("#,?,GPS"), None);

    let st = parse_sourcestats("GPS,6,2,5,0.000,0.000,-0.012300000,0.000000001").unwrap();
    assert_eq!(
        (st.samples, st.runs, st.span, st.offset),
        (6, 2, 5, -0.0123)
    );

    let raw = parse_refclock_log(
        "2026-11-22 20:33:45.053032 GPS     0 N 0  1.230000e-02  1.230000e-02  2.900e-08",
    )
    .unwrap();
    assert!(raw.is_raw());
    assert_eq!((raw.driver_polls, raw.raw_offset), (Some(0), Some(0.0123)));
    let cooked = parse_refclock_log(
        "2026-11-22 20:33:45.053032 GPS     - N -       -        1.230000e-02  2.900e-08",
    )
    .unwrap();
    assert!(!cooked.is_raw());
    assert_eq!((cooked.leap, cooked.cooked_offset), ('N', 0.0123));
}
