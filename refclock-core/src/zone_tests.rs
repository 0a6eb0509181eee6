use super::*;

const BERLIN_RULE: &str = "CET-1CEST,M3.5.0,M10.5.0/3";

fn civil(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> CivilTime {
    CivilTime::new(y, mo, d, h, mi, s)
}

fn unix(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> i64 {
    civil(y, mo, d, h, mi, s).to_timestamp().unwrap().secs()
}

#[test]
fn posix_rule_offsets_and_change_hours() {
    let z = Zone::from_posix(BERLIN_RULE).unwrap();
    assert_eq!(z.offset_at(unix(2024, 1, 15, 12, 0, 0)), 3600);
    assert_eq!(z.offset_at(unix(2024, 7, 15, 12, 0, 0)), 7200);
    assert!(z.is_dst_at(unix(2024, 7, 15, 12, 0, 0)));
    // 2024-03-31: 02:00 CET becomes 03:00 CEST (01:00 UTC).
    assert_eq!(
        z.local_to_utc(&civil(2024, 3, 31, 1, 59, 59)),
        LocalTime::Unique(unix(2024, 3, 31, 0, 59, 59))
    );
    assert_eq!(
        z.local_to_utc(&civil(2024, 3, 31, 2, 0, 0)),
        LocalTime::Skipped
    );
    assert_eq!(
        z.local_to_utc(&civil(2024, 3, 31, 2, 59, 59)),
        LocalTime::Skipped
    );
    assert_eq!(
        z.local_to_utc(&civil(2024, 3, 31, 3, 0, 0)),
        LocalTime::Unique(unix(2024, 3, 31, 1, 0, 0))
    );
    // 2024-10-27: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:xx twice.
    assert_eq!(
        z.local_to_utc(&civil(2024, 10, 27, 2, 30, 0)),
        LocalTime::Ambiguous(unix(2024, 10, 27, 0, 30, 0), unix(2024, 10, 27, 1, 30, 0))
    );
    assert_eq!(
        z.local_to_utc(&civil(2024, 10, 27, 3, 0, 0)),
        LocalTime::Unique(unix(2024, 10, 27, 2, 0, 0))
    );
    assert_eq!(
        z.local_to_utc(&civil(2024, 10, 27, 1, 59, 59)),
        LocalTime::Unique(unix(2024, 10, 26, 23, 59, 59))
    );
    assert_eq!(
        z.to_local(unix(2024, 7, 1, 22, 0, 0)),
        civil(2024, 7, 2, 0, 0, 0)
    );
}

#[test]
fn repeated_hour_resolved_by_the_system_time() {
    let z = Zone::from_posix(BERLIN_RULE).unwrap();
    let c = civil(2024, 10, 27, 2, 30, 0);
    let summer = unix(2024, 10, 27, 0, 30, 0);
    let winter = unix(2024, 10, 27, 1, 30, 0);
    assert_eq!(z.local_to_utc_near(&c, summer + 5), Ok(summer));
    assert_eq!(z.local_to_utc_near(&c, winter - 1700), Ok(winter));
    assert_eq!(z.local_to_utc_near(&c, summer - 1799), Ok(summer));
    assert_eq!(
        z.local_to_utc_near(&c, summer - 1800),
        Err(LocalTimeError::Ambiguous)
    );
    assert_eq!(
        z.local_to_utc_near(&civil(2024, 3, 31, 2, 30, 0), unix(2024, 3, 31, 1, 0, 0)),
        Err(LocalTimeError::Skipped)
    );
    // A unique time is taken however far the system time is.
    assert_eq!(
        z.local_to_utc_near(&civil(2024, 7, 1, 12, 0, 0), 0),
        Ok(unix(2024, 7, 1, 10, 0, 0))
    );
}

#[test]
fn utc_and_fixed_and_bad_strings() {
    let u = Zone::utc();
    assert_eq!(u.offset_at(0), 0);
    assert_eq!(
        u.local_to_utc(&civil(2024, 3, 31, 2, 0, 0)),
        LocalTime::Unique(unix(2024, 3, 31, 2, 0, 0))
    );
    let f = Zone::fixed(-5 * 3600).unwrap();
    assert_eq!(
        f.local_to_utc(&civil(2024, 1, 1, 0, 0, 0)),
        LocalTime::Unique(unix(2024, 1, 1, 5, 0, 0))
    );
    assert!(Zone::from_posix("not a zone!").is_err());
    assert!(Zone::from_posix("").is_err());
    assert!(Zone::from_tzif("x", b"TZif garbage").is_err());
}

mod system {
    use super::*;
    use std::process::Command;

    /// glibc's offsets (`date +%z`) at the given times, or None without
    /// `date` or the zone file.
    fn glibc_offsets(tz: &str, times: &[i64]) -> Option<Vec<i32>> {
        let mut out = Vec::new();
        for chunk in times.chunks(200) {
            let input: String = chunk.iter().map(|t| format!("@{t}\n")).collect();
            let path = std::env::temp_dir().join(format!("zone-test-{}", std::process::id()));
            std::fs::write(&path, input).ok()?;
            let o = Command::new("date")
                .env("TZ", tz)
                .arg("-f")
                .arg(&path)
                .arg("+%z")
                .output()
                .ok()?;
            let _ = std::fs::remove_file(&path);
            for line in String::from_utf8(o.stdout).ok()?.lines() {
                let sign = if line.starts_with('-') { -1 } else { 1 };
                let h: i32 = line[1..3].parse().ok()?;
                let m: i32 = line[3..5].parse().ok()?;
                out.push(sign * (h * 3600 + m * 60));
            }
        }
        (out.len() == times.len()).then_some(out)
    }

    /// Times around every change of offset from 1970 to 2060 (past the
    /// TZif table, where the footer rules), a few hours apart.
    fn sample_times() -> Vec<i64> {
        let start = unix(1970, 1, 1, 0, 0, 0);
        let end = unix(2060, 1, 1, 0, 0, 0);
        (0..)
            .map(|i| start + i * 7 * 3600 + (i % 13) * 60)
            .take_while(|t| *t < end)
            .step_by(17)
            .collect()
    }

    #[test]
    fn zone_files_and_rules_agree_with_glibc() {
        let times = sample_times();
        for tz in [
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            BERLIN_RULE,
            "EST5EDT,M3.2.0,M11.1.0",
            "<+0330>-3:30",
        ] {
            let Some(expected) = glibc_offsets(tz, &times) else {
                eprintln!("skipping {tz}: no date or zone file");
                continue;
            };
            let zone = Zone::from_tz_value(Some(tz)).unwrap();
            for (t, want) in times.iter().zip(expected) {
                assert_eq!(zone.offset_at(*t), want, "{tz} at {t}");
            }
        }
    }

    #[test]
    fn local_to_utc_agrees_with_glibc_around_changes() {
        let Ok(zone) = Zone::from_tz_value(Some("Europe/Berlin")) else {
            return;
        };
        // Every local second around the 2030 changes (past the table only
        // if the file is slim; either way the rule is the same).
        for (y, mo, d) in [(2030, 3, 31), (2030, 10, 27), (1996, 10, 27)] {
            for h in 0..5u8 {
                for m in [0u8, 30, 59] {
                    let c = civil(y, mo, d, h, m, 0);
                    let got = zone.local_to_utc(&c);
                    for t in [
                        unix(y, mo, d, h, m, 0) - 7200,
                        unix(y, mo, d, h, m, 0) - 3600,
                    ] {
                        // t is a UTC time whose local time is c exactly
                        // when the offset at t is naive - t.
                        let maps = zone.offset_at(t) as i64 == unix(y, mo, d, h, m, 0) - t;
                        let listed = match got {
                            LocalTime::Unique(u) => u == t,
                            LocalTime::Ambiguous(a, b) => a == t || b == t,
                            LocalTime::Skipped => false,
                        };
                        assert_eq!(maps, listed, "{c:?} {t} {got:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn tz_values_as_the_c_library_reads_them() {
        if !std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
            return;
        }
        let summer = unix(2024, 7, 1, 0, 0, 0);
        for v in [
            "Europe/Berlin",
            ":Europe/Berlin",
            "/usr/share/zoneinfo/Europe/Berlin",
            ":/usr/share/zoneinfo/Europe/Berlin",
            BERLIN_RULE,
        ] {
            let z = Zone::from_tz_value(Some(v)).unwrap();
            assert_eq!(z.offset_at(summer), 7200, "{v}");
        }
        assert_eq!(Zone::from_tz_value(Some("")).unwrap().offset_at(summer), 0);
        assert!(Zone::from_tz_value(Some(":/nonexistent/zone")).is_err());
        // Unset: /etc/localtime, if the machine has one.
        if std::path::Path::new("/etc/localtime").exists() {
            assert!(Zone::from_tz_value(None).is_ok());
        }
    }
}
