//! NMEA driver tests: two-digit years, GPS weeks and eras, ZDG, bad
//! dates, the held date and time-only sentences.

use super::*;

#[test]
fn two_digit_years_and_centuries() {
    // Trusted dates: 80..99 are 19yy, 00..79 20yy.
    for (date, year) in [
        ("010699", 1999),
        ("010605", 2005),
        ("010679", 2079),
        ("010680", 1980),
    ] {
        let mut d = Setup {
            mode: MODE_DATETRUST,
            basedate: Basedate::from_ymd(1980, 1, 6).unwrap(),
            ..Default::default()
        }
        .build();
        let named = ts(year, 6, 1, 12, 0, 0);
        let s = feed(&mut d, &rmc("120000", 'A', date), named + 0.1).samples;
        assert_eq!(d.clock().lastref, Some(named), "{date}");
        assert!((s[0].offset + 0.1).abs() < 1e-9);
    }
    // 1980-01-01..05 came before GPS: read as 2080.
    let mut d = Setup {
        mode: MODE_DATETRUST,
        ..Default::default()
    }
    .build();
    feed(
        &mut d,
        &rmc("120000", 'A', "050180"),
        ts(2080, 1, 5, 12, 0, 0),
    );
    assert_eq!(d.clock().lastref, Some(ts(2080, 1, 5, 12, 0, 0)));

    // Untrusted: mapped into the 1024 weeks from the base date. A receiver
    // with the roll-over bug says 1999-08-22 for 2019-04-07.
    let mut d = Setup {
        basedate: Basedate::from_ymd(2015, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let named = ts(2019, 4, 7, 12, 0, 0);
    let s = feed(&mut d, &rmc("120000", 'A', "220899"), named + 0.1).samples;
    assert_eq!(d.clock().lastref, Some(named));
    assert!((s[0].offset + 0.1).abs() < 1e-9);
    // ... and the same for a four-digit year.
    let mut d = Setup {
        mode: MODE_IGNSTATUS,
        basedate: Basedate::from_ymd(2015, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    feed(&mut d, &zda("120001", "22,08,1999"), named + 1.1);
    assert_eq!(d.clock().lastref, Some(named + 1.0));
}

fn pgrmf(week: u32, tow: u32, time: &str, leap: u32) -> String {
    sentence(&format!(
        "PGRMF,{week},{tow},000000,{time},{leap},5213.1439,N,02100.6511,E,A,2,0,226,2,1"
    ))
}

#[test]
fn gps_week_rollovers_with_pgrmf() {
    // First roll-over: week 1023 -> 1024 on 1999-08-22 (13 leap seconds).
    let mut d = Setup {
        basedate: Basedate::from_ymd(1998, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let last = ts(1999, 8, 21, 23, 59, 46);
    // A time of week past the end of the week is a bad date.
    let s = feed(&mut d, &pgrmf(1023, 604_800, "235947", 13), last + 0.1).samples;
    assert!(s.is_empty());
    assert_eq!(d.clock().counters.baddata, 1);
    // The last GPS second of week 1023 is 23:59:46 UTC.
    let s = feed(&mut d, &pgrmf(1023, 604_799, "235946", 13), last + 0.1).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(last));
    let first = ts(1999, 8, 22, 0, 0, 0);
    let s = feed(&mut d, &pgrmf(0, 13, "000000", 13), first + 0.1).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(first));
    assert!((s[0].offset + 0.1).abs() < 1e-9);

    // Second roll-over: 2019-04-07 is week 2048 (0 in 10 bits), 18 leap s.
    let mut d = Setup {
        basedate: Basedate::from_ymd(2015, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let before = ts(2019, 4, 6, 23, 59, 41);
    feed(&mut d, &pgrmf(1023, 604_799, "235941", 18), before + 0.1);
    assert_eq!(d.clock().lastref, Some(before));
    let after = ts(2019, 4, 7, 0, 0, 0);
    let s = feed(&mut d, &pgrmf(0, 18, "000000", 18), after + 0.1).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(after));
    // The same sentence with a base date after 2019 lands one era later.
    let mut d = Setup {
        basedate: Basedate::from_ymd(2020, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    feed(&mut d, &pgrmf(0, 18, "000000", 18), after + 0.1);
    let later = Timestamp::from_secs(after.secs() + 1024 * 7 * 86_400);
    assert_eq!(d.clock().lastref, Some(later));
}

#[test]
fn pubx04_gives_the_date() {
    let mut d = Setup {
        mode: MODE_IGNSTATUS,
        basedate: Basedate::from_ymd(2000, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let line = sentence("PUBX,04,073731.00,091202,113851.00,1196,15D,1930035,-2660.664,43,");
    let named = ts(2002, 12, 9, 7, 37, 31);
    let s = feed(&mut d, &line, named + 0.1).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(named));
    assert_eq!(d.date_hold(), (DateType::WeekExtended, DATE_HOLD));
}

#[test]
fn zdg_is_gps_time_of_the_next_second() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 0) + 0.1;
    let zdg = sentence("GPZDG,120001.0,01,03,2024,03.50,2");
    let a = feed(&mut d, &zdg, rec);
    assert_eq!(a.samples.len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 12, 0, 0)));
    assert!(d.gps_time());
    assert!(a.logs.iter().any(|l| l.contains("GPS time")));
    // From now on UTC sentences are ignored.
    let a = feed(&mut d, &rmc("120001", 'A', "010324"), rec + 1.0);
    assert!(a.samples.is_empty());
    assert_eq!(d.tally().filtered, 1);
    // A ZDG that says its time is invalid is rejected.
    let a = feed(
        &mut d,
        &sentence("GPZDG,120003.0,01,03,2024,03.50,0"),
        rec + 2.0,
    );
    assert_eq!(a.events, vec![ClockEvent::Prop]);
}

#[test]
fn bad_time_and_bad_date() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let a = feed(&mut d, &rmc("126007", 'A', "010324"), rec);
    assert_eq!(a.events, vec![ClockEvent::BadTime]);
    assert!(a.logs.iter().any(|l| l.contains("time")));
    let a = feed(&mut d, &rmc("120007", 'A', "310224"), rec);
    assert_eq!(a.events, vec![ClockEvent::BadDate]);
    assert_eq!(d.clock().counters.baddata, 2);
    assert_eq!(d.tally().malformed, 2);
    assert!(d.clock().timecode().contains("310224"));
}

#[test]
fn date_hold_and_priority() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    assert_eq!(d.date_hold(), (DateType::TwoDigitYear, DATE_HOLD));
    feed(&mut d, &zda("120008", "01,03,2024"), rec + 1.0);
    assert_eq!(d.date_hold(), (DateType::FourDigitYear, DATE_HOLD));
    // While a four-digit date is held, RMC's date is not even looked at.
    let s = feed(&mut d, &rmc("120009", 'A', "999999"), rec + 2.0).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 12, 0, 9)));
    // Time-only sentences are dated by the held date, not the receive time.
    let far = rec + 86_400.0 * 3.0;
    feed(&mut d, &gga("120010", '1'), far);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 12, 0, 10)));
    // Hold counts down; below DATE_HLIM any date is taken again.
    for _ in 0..(DATE_HOLD - DATE_HLIM) {
        d.timer(rec);
    }
    assert_eq!(d.date_hold(), (DateType::FourDigitYear, DATE_HLIM));
    d.timer(rec);
    assert_eq!(d.date_hold(), (DateType::None, DATE_HLIM - 1));
    let a = feed(&mut d, &rmc("120011", 'A', "999999"), rec + 4.0);
    assert_eq!(a.events, vec![ClockEvent::BadDate]);
    for _ in 0..DATE_HLIM {
        d.timer(rec);
    }
    assert_eq!(d.date_hold(), (DateType::None, 0));
    // No date held: the receive time is the pivot.
    feed(&mut d, &gga("120012", '1'), far);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 4, 12, 0, 12)));
}

#[test]
fn time_only_sentences_unfold_around_the_receive_time() {
    let mut d = Setup {
        time2: Some(0.2),
        ..Default::default()
    }
    .build();
    // 23:59:59.9 named, received after midnight: yesterday.
    let rec = ts(2024, 3, 2, 0, 0, 0) + 0.3;
    let s = feed(&mut d, &gga("235959.9", '1'), rec).samples;
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 23, 59, 59) + 0.9));
    assert!((s[0].offset - (-0.4 + 0.2)).abs() < 1e-9);
    // 00:00:00.5 named, receive time (minus time2) still before midnight.
    let rec = ts(2024, 3, 2, 0, 0, 0) + 0.1;
    feed(&mut d, &gga("000000.5", '1'), rec);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 2, 0, 0, 0) + 0.5));
}
