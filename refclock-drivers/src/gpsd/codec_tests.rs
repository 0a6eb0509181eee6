//! The JSON reader on gpsd's own output (the `.chk` files of gpsd's
//! regression captures), its error cases, and round trips.

use refclock_core::calendar::CivilTime;
use refclock_core::Timestamp;

use super::codec::*;
use crate::testkit::Testdata;

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8, ns: u32) -> Timestamp {
    let t = CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap();
    Timestamp::new(t.secs(), ns)
}

#[test]
fn every_tpv_gpsd_wrote_in_its_regression_captures() {
    let Some(data) = Testdata::locate(env!("CARGO_MANIFEST_DIR")) else {
        eprintln!("shared/testdata/gpsd not found: skipped");
        return;
    };
    let (mut tpvs, mut timed) = (0, 0);
    for path in data.files() {
        if path.extension().is_none_or(|e| e != "chk") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines().filter(|l| l.starts_with('{')) {
            let obj = decode(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
            if let Object::Tpv(t) = obj {
                tpvs += 1;
                if let Some(time) = &t.time {
                    let got = parse_time(time).unwrap_or_else(|e| panic!("{e}"));
                    // gpsd writes milliseconds: the text comes back.
                    assert_eq!(&format_time(got), time);
                    timed += 1;
                }
            }
        }
    }
    assert!(tpvs > 1000 && timed > 1000, "{tpvs} {timed}");
}

#[test]
fn a_real_tpv() {
    let line = br#"{"class":"TPV","mode":3,"time":"2015-02-25T07:41:56.799Z","ept":0.005,"lat":31.248250000,"lon":121.587403333,"altHAE":199.0000,"eph":64.940,"sep":96.900}"#;
    let Object::Tpv(t) = decode(line).unwrap() else {
        panic!()
    };
    assert_eq!(t.mode, 3);
    assert_eq!(t.ept, Some(0.005));
    assert_eq!(
        parse_time(t.time.as_deref().unwrap()).unwrap(),
        ts(2015, 2, 25, 7, 41, 56, 799_000_000)
    );
    let Object::Tpv(t) = decode(br#"{"class":"TPV","mode":1}"#).unwrap() else {
        panic!()
    };
    assert_eq!((t.mode, t.time, t.ept), (1, None, None));
    // No mode at all is mode 0, as ntpd reads it.
    let Object::Tpv(t) = decode(br#"{"class":"TPV"}"#).unwrap() else {
        panic!()
    };
    assert_eq!(t.mode, 0);
}

#[test]
fn version_watch_pps_toff_and_others() {
    // gpsd_json(5)'s examples.
    let v = decode(br#"{"class":"VERSION","release":"2.40dev","rev":"06f62e14eae9886cde907dae61c124c53eb1101f","proto_major":3,"proto_minor":1}"#).unwrap();
    let Object::Version(v) = v else { panic!() };
    assert_eq!((v.release.as_str(), v.major, v.minor), ("2.40dev", 3, 1));
    assert_eq!(v.proto(), proto(3, 1));
    assert!(proto(3, 10) > proto(3, 9) && proto(4, 0) > proto(3, 14));
    let Object::Version(v) =
        decode(br#"{"class":"VERSION","proto_major":3,"proto_minor":14}"#).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (v.release.as_str(), v.rev.as_str()),
        ("(unknown)", "(unknown)")
    );

    let w = decode(br#"{"class":"WATCH","enable":true,"json":true,"nmea":false,"raw":0,"scaled":false,"timing":false,"split24":false,"pps":true,"device":"/dev/ttyUSB0"}"#).unwrap();
    assert_eq!(
        w,
        Object::Watch(Watch {
            device: Some("/dev/ttyUSB0".into()),
            enable: Some(true),
            json: Some(true)
        })
    );
    let p = decode(br#"{"class":"PPS","device":"/dev/ttyS0","real_sec":1428001514,"real_nsec":0,"clock_sec":1428001513,"clock_nsec":999999999,"precision":-20}"#).unwrap();
    let Object::Pps(p) = p else { panic!() };
    assert_eq!(
        p.times(true),
        Some((
            Timestamp::new(1_428_001_514, 0),
            Timestamp::new(1_428_001_513, 999_999_999)
        ))
    );
    assert_eq!(p.precision, Some(-20));
    assert_eq!(p.times(false), None, "no microsecond fields");
    let old = decode(
        br#"{"class":"PPS","real_sec":10,"real_musec":5,"clock_sec":9,"clock_musec":999999}"#,
    )
    .unwrap();
    let Object::Pps(old) = old else { panic!() };
    assert_eq!(
        old.times(false),
        Some((Timestamp::new(10, 5000), Timestamp::new(9, 999_999_000)))
    );
    let t = decode(br#"{"class":"TOFF","device":"/dev/ttyUSB0","real_sec":1330212592,"real_nsec":343182,"clock_sec":1330212592,"clock_nsec":343184,"precision":-2}"#).unwrap();
    let Object::Toff(t) = t else { panic!() };
    assert_eq!(
        t.times(true).unwrap().0,
        Timestamp::new(1_330_212_592, 343_182)
    );
    assert_eq!(
        decode(br#"{"class":"DEVICES","devices":[]}"#).unwrap(),
        Object::Other("DEVICES".into())
    );
    assert_eq!(
        decode(b"  {\"class\":\"SKY\"}  ").unwrap(),
        Object::Other("SKY".into())
    );
}

#[test]
fn refusals_name_what_is_wrong() {
    assert!(matches!(
        decode(b"{\"class\":\"TPV\""),
        Err(DecodeError::Json(_))
    ));
    assert!(matches!(decode(b""), Err(DecodeError::Json(_))));
    assert!(matches!(decode(b"garbage"), Err(DecodeError::Json(_))));
    assert!(matches!(decode(b"{} {}"), Err(DecodeError::Json(_))));
    assert_eq!(decode(b"[1,2]"), Err(DecodeError::NotObject));
    assert_eq!(decode(b"{\"mode\":3}"), Err(DecodeError::NoClass));
    assert_eq!(decode(b"{\"class\":5}"), Err(DecodeError::NoClass));
    // ntpd's reader takes "1.5" as 0 seconds: refused here.
    let e =
        decode(br#"{"class":"TOFF","real_sec":1.5,"real_nsec":0,"clock_sec":1,"clock_nsec":0}"#)
            .unwrap_err();
    assert_eq!(
        e.to_string(),
        "TOFF: field \"real_sec\": expected an integer, found 1.5"
    );
    assert!(decode(br#"{"class":"PPS","real_sec":"1"}"#).is_err());
    assert!(decode(br#"{"class":"TPV","mode":3,"time":20150225}"#).is_err());
    assert!(decode(br#"{"class":"TPV","mode":"3"}"#).is_err());
    assert!(decode(br#"{"class":"TPV","mode":3,"ept":"x"}"#).is_err());
    assert!(decode(br#"{"class":"VERSION","proto_major":3}"#).is_err());
    assert!(decode(br#"{"class":"VERSION","proto_major":3,"proto_minor":70000}"#).is_err());
    // A fraction out of range, or a missing field, gives no time.
    let Object::Toff(t) = decode(
        br#"{"class":"TOFF","real_sec":1,"real_nsec":1000000000,"clock_sec":1,"clock_nsec":0}"#,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(t.times(true), None);
    let Object::Toff(t) =
        decode(br#"{"class":"TOFF","real_sec":1,"real_nsec":0,"clock_sec":1}"#).unwrap()
    else {
        panic!()
    };
    assert_eq!(t.times(true), None);
}

#[test]
fn tpv_times() {
    assert_eq!(
        parse_time("2024-02-29T23:59:59Z").unwrap(),
        ts(2024, 2, 29, 23, 59, 59, 0)
    );
    assert_eq!(
        parse_time("2024-02-29T23:59:59.1234567891234Z").unwrap(),
        ts(2024, 2, 29, 23, 59, 59, 123_456_789)
    );
    // A leap second is the following midnight.
    assert_eq!(
        parse_time("2016-12-31T23:59:60.000Z").unwrap(),
        ts(2017, 1, 1, 0, 0, 0, 0)
    );
    for bad in [
        "2024-02-30T00:00:00.000Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z",
        "2024-01-01T00:00:00.000",
        "2024-01-01T00:00:00.000Z ",
        "2024-01-01 00:00:00.000Z",
        "2024-1-01T00:00:00.000Z",
        "2024-01-01T00:00:0a.000Z",
        "2024-01-01T00:00:00+01:00",
        "",
    ] {
        assert!(parse_time(bad).is_err(), "{bad}");
    }
}

#[test]
fn round_trips_over_many_dates() {
    let mut t = ts(1999, 12, 31, 23, 59, 58, 0);
    for k in 0..4000 {
        let step = 86_400 * 3 + 3_607 + k % 1000;
        t = Timestamp::new(t.secs() + step, ((k * 7919) % 1000) as u32 * 1_000_000);
        assert_eq!(parse_time(&format_time(t)).unwrap(), t);
        let line = encode::tpv("/dev/ttyS0", 3, Some(t));
        let Object::Tpv(tpv) = decode(line.strip_suffix(b"\r\n").unwrap()).unwrap() else {
            panic!()
        };
        assert_eq!(parse_time(tpv.time.as_deref().unwrap()).unwrap(), t);
        for class in ["PPS", "TOFF"] {
            let clock = Timestamp::new(t.secs() - 1, 999_999_999 - (k as u32));
            let o = decode(&encode::time_pair(class, "/dev/x", t, clock)).unwrap();
            let (Object::Pps(p) | Object::Toff(p)) = o else {
                panic!()
            };
            assert_eq!(p.times(true), Some((t, clock)));
        }
    }
    for day in [(2016, 12, 31), (2024, 2, 29), (2100, 3, 1), (2038, 1, 19)] {
        let t = ts(day.0, day.1, day.2, 12, 0, 0, 0);
        assert_eq!(parse_time(&format_time(t)).unwrap(), t);
    }
}

#[test]
fn requests() {
    assert_eq!(
        watch_request("/dev/ttyS0", true),
        b"?WATCH={\"device\":\"/dev/ttyS0\",\"enable\":true,\"json\":true,\"pps\":true};\r\n"
    );
    assert_eq!(
        watch_request("/dev/ttyS0", false),
        b"?WATCH={\"device\":\"/dev/ttyS0\",\"enable\":true,\"json\":true};\r\n"
    );
    // A name with a quote stays valid JSON.
    let r = watch_request("/dev/a\"b\\c", false);
    let json = std::str::from_utf8(&r).unwrap();
    let json = json
        .strip_prefix("?WATCH=")
        .unwrap()
        .trim_end_matches(";\r\n");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["device"], "/dev/a\"b\\c");
    let Object::Version(v) = decode(&encode::version("3.22", 3, 14)).unwrap() else {
        panic!()
    };
    assert_eq!(v.proto(), proto(3, 14));
    let Object::Watch(w) = decode(&encode::watch("/dev/pts/3", true)).unwrap() else {
        panic!()
    };
    assert_eq!(w.device.as_deref(), Some("/dev/pts/3"));
}
