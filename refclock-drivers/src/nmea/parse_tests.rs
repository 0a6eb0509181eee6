//! Unit tests of the sentence decoder.

use super::*;

/// `$body*CS` with the right checksum (computed here, not with
/// [`checksum`], so that the decoder's is checked against it).
fn with_cs(body: &str) -> String {
    format!("${body}*{:02X}", checksum(body.as_bytes()))
}

fn tod(hour: u8, minute: u8, second: u8, nanos: u32) -> TimeOfDay {
    TimeOfDay {
        hour,
        minute,
        second,
        nanos,
    }
}

#[test]
fn rmc_from_a_real_receiver() {
    // Garmin 17N (gpsd test data), 2005-03-16 09:38:02.
    let d =
        parse(b"$GPRMC,093802,A,5213.1439,N,02100.6511,E,000.0,226.0,160305,004.2,E,D*15").unwrap();
    assert_eq!(d.kind, SentenceKind::Rmc);
    assert_eq!(d.talker.as_str(), "GP");
    assert_eq!(d.checksum, Checksum::Valid);
    assert_eq!(d.status, Status::InSync);
    assert!(d.in_sync());
    assert_eq!(d.time, tod(9, 38, 2, 0));
    assert_eq!(
        d.date,
        Some(Date::Ddmmyy {
            day: 16,
            month: 3,
            yy: 5
        })
    );
}

#[test]
fn every_kind_and_several_talkers() {
    for talker in ["GP", "GN", "GL", "GA", "BD", "GB", "QZ"] {
        let line = with_cs(&format!(
            "{talker}RMC,123519.25,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W"
        ));
        let d = parse(line.as_bytes()).unwrap();
        assert_eq!(d.kind, SentenceKind::Rmc);
        assert_eq!(d.talker.as_str(), talker);
        assert_eq!(d.time, tod(12, 35, 19, 250_000_000));

        let line = with_cs(&format!(
            "{talker}GGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"
        ));
        let d = parse(line.as_bytes()).unwrap();
        assert_eq!(
            (d.kind, d.status, d.date),
            (SentenceKind::Gga, Status::InSync, None)
        );
        assert_eq!(d.time, tod(12, 35, 19, 0));

        let line = with_cs(&format!("{talker}GLL,4916.45,N,12311.12,W,225444.5,A,A"));
        let d = parse(line.as_bytes()).unwrap();
        assert_eq!((d.kind, d.status), (SentenceKind::Gll, Status::InSync));
        assert_eq!(d.time, tod(22, 54, 44, 500_000_000));

        let line = with_cs(&format!("{talker}ZDA,201530.00,04,07,2002,00,00"));
        let d = parse(line.as_bytes()).unwrap();
        assert_eq!((d.kind, d.status), (SentenceKind::Zda, Status::NotReported));
        assert!(d.in_sync());
        assert_eq!(d.time, tod(20, 15, 30, 0));
        assert_eq!(
            d.date,
            Some(Date::DayMonthYear {
                day: 4,
                month: 7,
                year: 2002
            })
        );
    }
}

#[test]
fn gga_quality_and_gll_status() {
    let d = parse(with_cs("GPGGA,123519,4807.038,N,01131.000,E,0,00,,,M,,M,,").as_bytes()).unwrap();
    assert_eq!(d.status, Status::NotInSync);
    let d = parse(with_cs("GPGGA,123519,4807.038,N,01131.000,E,2,08,0.9,545.4,M,,M,,").as_bytes())
        .unwrap();
    assert_eq!(d.status, Status::InSync);
    // An empty quality field is not a fix.
    let d = parse(with_cs("GPGGA,123519,4807.038,N,01131.000,E,,08").as_bytes()).unwrap();
    assert_eq!(d.status, Status::NotInSync);
    // No quality field at all.
    let d = parse(with_cs("GPGGA,123519,4807.038,N").as_bytes()).unwrap();
    assert_eq!(d.status, Status::NotInSync);
    let d = parse(with_cs("GPGLL,4916.45,N,12311.12,W,225444,V").as_bytes()).unwrap();
    assert_eq!(d.status, Status::NotInSync);
}

#[test]
fn zdg_is_decoded_with_its_status_field() {
    let d = parse(with_cs("GPZDG,235959.0,31,12,2007,03.50,2").as_bytes()).unwrap();
    assert_eq!(d.kind, SentenceKind::Zdg);
    assert_eq!(d.status, Status::InSync);
    assert_eq!(d.time, tod(23, 59, 59, 0));
    assert_eq!(
        d.date,
        Some(Date::DayMonthYear {
            day: 31,
            month: 12,
            year: 2007
        })
    );
    let d = parse(with_cs("GPZDG,235959.0,31,12,2007,03.50,0").as_bytes()).unwrap();
    assert_eq!(d.status, Status::NotInSync);
}

#[test]
fn pgrmf_from_a_real_receiver() {
    let d = parse(b"$PGRMF,290,293895,160305,093802,13,5213.1439,N,02100.6511,E,A,2,0,226,2,1*11")
        .unwrap();
    assert_eq!(d.kind, SentenceKind::Pgrmf);
    assert_eq!(d.talker.as_str(), "PG");
    assert_eq!(d.status, Status::InSync);
    assert_eq!(d.time, tod(9, 38, 2, 0));
    assert_eq!(
        d.date,
        Some(Date::GpsWeek {
            week: 290,
            tow: 293_895,
            tow_nanos: 0,
            leap: 13
        })
    );
    // Fix type 0: no fix.
    let d =
        parse(with_cs("PGRMF,290,293895,160305,093802,13,5213.1439,N,02100.6511,E,A,0").as_bytes())
            .unwrap();
    assert_eq!(d.status, Status::NotInSync);
}

#[test]
fn pubx04() {
    // u-blox protocol specification example.
    let line = with_cs("PUBX,04,073731.00,091202,113851.00,1196,15D,1930035,-2660.664,43,");
    let d = parse(line.as_bytes()).unwrap();
    assert_eq!(d.kind, SentenceKind::Pubx04);
    assert_eq!(d.status, Status::NotReported);
    assert_eq!(d.time, tod(7, 37, 31, 0));
    assert_eq!(
        d.date,
        Some(Date::GpsWeek {
            week: 1196,
            tow: 113_851,
            tow_nanos: 0,
            leap: 0
        })
    );
    // Other PUBX messages are not time sentences.
    let e = parse(with_cs("PUBX,00,081350.00,4717.113210,N").as_bytes()).unwrap_err();
    assert!(matches!(e, ParseError::UnknownSentence { .. }));
}

#[test]
fn bad_checksums() {
    let good = "$GPRMC,093802,A,5213.1439,N,02100.6511,E,000.0,226.0,160305,004.2,E,D*15";
    let bad = good.replace("*15", "*16");
    assert_eq!(
        scan(bad.as_bytes()).unwrap_err(),
        ParseError::ChecksumMismatch {
            computed: 0x15,
            given: 0x16
        }
    );
    // A flipped data bit.
    let flipped = good.replace("5213", "5214");
    assert!(matches!(
        parse(flipped.as_bytes()),
        Err(ParseError::ChecksumMismatch { .. })
    ));
    // Lower-case hex is not accepted (as in ntpd).
    let mut tried = 0;
    for suffix in 0..1000u32 {
        let line = with_cs(&format!("GPZDA,201530.00,04,07,2002,00,{suffix:03}"));
        let lower = format!(
            "{}{}",
            &line[..line.len() - 2],
            line[line.len() - 2..].to_lowercase()
        );
        if lower != line {
            tried += 1;
            assert!(matches!(
                scan(lower.as_bytes()),
                Err(ParseError::BadChecksumField { .. })
            ));
            assert!(scan(line.as_bytes()).is_ok());
        }
    }
    assert!(tried > 10);
    assert!(matches!(
        scan(b"$GPZDA,201530.00,04,07,2002,00,00*1g"),
        Err(ParseError::BadChecksumField { .. })
    ));
    // One digit, three digits, a '*' inside the data.
    for l in [
        &b"$GPZDA,201530.00,04,07,2002,00,00*1"[..],
        b"$GPZDA,201530.00,04,07,2002,00,00*123",
        b"$GPZDA,2015*30.00,04,07,2002,00,00*12",
    ] {
        let e = scan(l).unwrap_err();
        assert!(matches!(e, ParseError::BadChecksumField { .. }), "{e}");
        assert!(e.is_framing());
    }
}

#[test]
fn missing_checksum() {
    let line = b"$GPRMC,093802,A,5213.1439,N,02100.6511,E,000.0,226.0,160305,004.2,E,D";
    let s = scan(line).unwrap();
    assert_eq!(s.checksum, Checksum::None);
    assert_eq!(
        parse(line).unwrap_err(),
        ParseError::MissingChecksum {
            kind: SentenceKind::Rmc
        }
    );
    // Other sentences may go without (HP 58534A, gpsd test data).
    let d = parse(b"$GPZDA,222449,25,10,2010,+00,00").unwrap();
    assert_eq!(d.checksum, Checksum::None);
    assert_eq!(d.time, tod(22, 24, 49, 0));
    let d =
        parse(b"$GPGGA,222449,3349.0337,S,01843.9282,E,1,07,02.31,000115.4,M,0033.3,M,,").unwrap();
    assert_eq!((d.checksum, d.status), (Checksum::None, Status::InSync));
}

#[test]
fn status_v_still_decodes() {
    let d = parse(b"$GNRMC,074150.799,V,,,,,,,250215,,,N*52").unwrap();
    assert_eq!(d.status, Status::NotInSync);
    assert!(!d.in_sync());
    assert_eq!(d.time, tod(7, 41, 50, 799_000_000));
    assert_eq!(
        d.date,
        Some(Date::Ddmmyy {
            day: 25,
            month: 2,
            yy: 15
        })
    );
}

#[test]
fn truncated_lines() {
    let full = "$GPRMC,093802,A,5213.1439,N,02100.6511,E,000.0,226.0,160305,004.2,E,D*15";
    for n in 0..full.len() {
        let r = scan(&full.as_bytes()[..n]);
        match n {
            0 => assert_eq!(r.unwrap_err(), ParseError::Empty),
            1..=5 => assert!(matches!(r, Err(ParseError::TooShort { .. }))),
            6 => assert!(matches!(r, Err(ParseError::BadName { .. }))),
            _ => {
                // Either a frame error (a cut checksum), or a sentence that
                // does not decode: no checksum, and a cut time or date.
                if let Ok(s) = r {
                    assert_eq!(s.checksum, Checksum::None);
                    assert!(s.decoded().is_err());
                    assert_eq!(s.time.is_err(), n < 13, "prefix {n}");
                    assert_eq!(s.date.is_err(), n < 59, "prefix {n}");
                }
            }
        }
    }
    let e = parse(b"$GPRMC,0938").unwrap_err();
    match e {
        ParseError::MissingChecksum { .. } => {}
        other => panic!("{other}"),
    }
    let e = parse(with_cs("GPRMC,0938").as_bytes()).unwrap_err();
    match e {
        ParseError::BadField(f) => {
            assert_eq!((f.kind, f.index, f.name), (SentenceKind::Rmc, 1, "time"));
            assert_eq!(f.found.as_bytes(), b"0938");
            assert!(f.to_string().contains("\"0938\""), "{f}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn overlong_lines() {
    // 80 bytes before '*' is the maximum with a checksum.
    let pad = |n: usize| format!("GPTXT,{}", "x".repeat(n - 7));
    let at_max = with_cs(&pad(80));
    assert_eq!(at_max.find('*'), Some(80));
    assert!(matches!(
        scan(at_max.as_bytes()),
        Err(ParseError::UnknownSentence { .. })
    ));
    let over = with_cs(&pad(81));
    assert_eq!(
        scan(over.as_bytes()).unwrap_err(),
        ParseError::TooLong { len: 81, max: 80 }
    );
    // Without a checksum only the buffer size limits (ntpd does the same).
    let long_plain = format!("${}", pad(100));
    assert!(matches!(
        scan(long_plain.as_bytes()),
        Err(ParseError::UnknownSentence { .. })
    ));
    let too_long = format!("${}", pad(128));
    assert_eq!(
        scan(too_long.as_bytes()).unwrap_err(),
        ParseError::TooLong { len: 128, max: 127 }
    );
}

#[test]
fn garbage_and_bad_names() {
    assert_eq!(
        scan(b"hello").unwrap_err(),
        ParseError::BadStart { found: b'h' }
    );
    assert!(matches!(scan(b"$gprmc,1"), Err(ParseError::BadName { .. })));
    assert!(matches!(
        scan(b"$GPR,123456"),
        Err(ParseError::BadName { .. })
    ));
    assert!(matches!(
        scan(b"$1PRMC,123456"),
        Err(ParseError::BadName { .. })
    ));
    assert!(matches!(
        scan(b"$GPRMC;123456"),
        Err(ParseError::BadName { .. })
    ));
    let e = scan(b"$GPGSV,3,1,12*xx").unwrap_err();
    assert!(matches!(e, ParseError::BadChecksumField { .. }));
    let e = scan(with_cs("GPGSV,3,1,12,01,02").as_bytes()).unwrap_err();
    match e {
        ParseError::UnknownSentence { name } => assert_eq!(name.as_bytes(), b"GPGSV"),
        other => panic!("{other}"),
    }
    assert!(!e.is_framing());
    // Pseudo-random bytes never panic.
    let mut x = 0x1234_5678_9abc_def0u64;
    for _ in 0..20_000 {
        let mut buf = [0u8; 40];
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = (x % 40) as usize;
        for (i, b) in buf.iter_mut().enumerate().take(n) {
            *b = (x >> (i % 8 * 8)) as u8 ^ (i as u8).wrapping_mul(31);
        }
        buf[0] = b'$';
        let _ = scan(&buf[..n]);
        let _ = parse(&buf[..n]);
    }
}

#[test]
fn second_60_and_fractions() {
    let d = parse(with_cs("GPZDA,235960.5,31,12,2016,00,00").as_bytes()).unwrap();
    assert_eq!(d.time, tod(23, 59, 60, 500_000_000));
    let d = parse(with_cs("GPGGA,010203.123456789123,1,N,2,E,1").as_bytes()).unwrap();
    assert_eq!(d.time.nanos, 123_456_789);
    let d = parse(with_cs("GPGGA,010203.,1,N,2,E,1").as_bytes()).unwrap();
    assert_eq!(d.time, tod(1, 2, 3, 0));
    assert_eq!(d.time.nanos_of_day(), 3723 * 1_000_000_000);
    for bad in [
        "240000",
        "236000",
        "235961",
        "12345",
        "1234567",
        "12345a",
        "123456.1x",
        "",
    ] {
        let line = with_cs(&format!("GPGGA,{bad},1,N,2,E,1"));
        assert!(
            matches!(parse(line.as_bytes()), Err(ParseError::BadField(f)) if f.name == "time"),
            "{bad}"
        );
    }
}

#[test]
fn date_checks() {
    let rmc = |date: &str| with_cs(&format!("GPRMC,120000,A,1,N,2,E,0,0,{date},,"));
    assert!(parse(rmc("290200").as_bytes()).is_ok());
    assert!(parse(rmc("290224").as_bytes()).is_ok());
    for bad in [
        "290201", "310299", "000199", "011399", "31129", "3112999", "3a1299", "",
    ] {
        assert!(
            matches!(parse(rmc(bad).as_bytes()), Err(ParseError::BadField(f)) if f.name == "date"),
            "{bad}"
        );
    }
    let zda = |d: &str| with_cs(&format!("GPZDA,120000,{d},00,00"));
    assert!(parse(zda("1,2,2024").as_bytes()).is_ok());
    assert!(parse(zda("29,02,2000").as_bytes()).is_ok());
    for (bad, field) in [
        ("29,02,2100", "day"),
        ("31,04,2024", "day"),
        ("0,1,2024", "day"),
        ("123,1,2024", "day"),
        ("1,13,2024", "month"),
        ("1,1,1980", "year"),
        ("1,1,20245", "year"),
        ("1,1,", "year"),
    ] {
        match parse(zda(bad).as_bytes()) {
            Err(ParseError::BadField(f)) => assert_eq!(f.name, field, "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    // GPS week fields.
    let rmf = |w: &str, t: &str, l: &str| {
        with_cs(&format!("PGRMF,{w},{t},160305,093802,{l},1,N,2,E,A,2,0"))
    };
    assert!(parse(rmf("290", "604799.5", "13").as_bytes()).is_ok());
    for (w, t, l, field) in [
        ("", "1", "13", "week"),
        ("123456", "1", "13", "week"),
        ("290", "604800", "13", "time of week"),
        ("290", "1x", "13", "time of week"),
        ("290", "1", "", "leap seconds"),
    ] {
        match parse(rmf(w, t, l).as_bytes()) {
            Err(ParseError::BadField(f)) => assert_eq!(f.name, field),
            other => panic!("{w} {t} {l}: {other:?}"),
        }
    }
}

#[test]
fn lenient_scan_keeps_status_when_time_is_bad() {
    let s = scan(with_cs("GPRMC,xx,V,1,N,2,E,0,0,xx,,").as_bytes()).unwrap();
    assert_eq!(s.status, Status::NotInSync);
    assert!(s.time.is_err());
    assert!(s.date.is_err());
    assert!(matches!(s.decoded(), Err(ParseError::BadField(_))));
}

#[test]
fn obscuring_positions() {
    let mut l =
        b"$GPRMC,093802,A,5213.1439,N,02100.6511,E,000.0,226.0,160305,004.2,E,D*15".to_vec();
    obscure_position(&mut l, SentenceKind::Rmc);
    assert_eq!(
        std::str::from_utf8(&l).unwrap(),
        "$GPRMC,093802,A,____.____,_,_____.____,_,000.0,226.0,160305,004.2,E,D*__"
    );
    let mut l = b"$GPGGA,093802,5213.1439,N,02100.6511,E,2,10,0.9,137.2,M,36.2,M,,".to_vec();
    obscure_position(&mut l, SentenceKind::Gga);
    assert_eq!(
        std::str::from_utf8(&l).unwrap(),
        "$GPGGA,093802,____.____,N,_____.____,E,2,10,0.9,137.2,M,36.2,M,,"
    );
    let mut l = b"$GPGLL,5213.1439,N,02100.6511,E,093802,A,D*48".to_vec();
    obscure_position(&mut l, SentenceKind::Gll);
    assert_eq!(
        std::str::from_utf8(&l).unwrap(),
        "$GPGLL,____.____,N,_____.____,E,093802,A,D*__"
    );
    let mut l =
        b"$PGRMF,290,293895,160305,093802,13,5213.1439,N,02100.6511,E,A,2,0,226,2,1*11".to_vec();
    obscure_position(&mut l, SentenceKind::Pgrmf);
    assert_eq!(
        std::str::from_utf8(&l).unwrap(),
        "$PGRMF,290,293895,160305,093802,13,____.____,N,_____.____,E,A,2,0,226,2,1*__"
    );
    let zda = b"$GPZDA,201530.00,04,07,2002,00,00*60".to_vec();
    let mut l = zda.clone();
    obscure_position(&mut l, SentenceKind::Zda);
    assert_eq!(l, zda);
}

#[test]
fn snippet_display() {
    let s = Snippet::new(b"ab\x01\"c");
    assert_eq!(s.to_string(), "\"ab\\x01\\x22c\"");
    let long = Snippet::new(&[b'z'; 40]);
    assert!(long.is_truncated());
    assert_eq!(long.as_bytes().len(), Snippet::CAPACITY);
    assert!(long.to_string().ends_with("...\""));
}
