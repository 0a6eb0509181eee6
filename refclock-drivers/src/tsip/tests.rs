//! Tests of the TSIP codec: packets, fields, reports, and gpsd's Lassen
//! iQ captures.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::framing::{DleFramer, FrameStatus, Framer};
use refclock_core::gps::EraWindow;
use refclock_core::Timestamp;

use super::*;
use crate::testkit::Testdata;

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

/// The packets (id and data) of a byte stream.
pub(crate) fn packets(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut framer = DleFramer::new();
    let mut input = bytes;
    let mut out = Vec::new();
    while let Some(f) = framer.next_frame(&mut input, Timestamp::EPOCH) {
        if f.status == FrameStatus::Complete {
            out.push(f.data.to_vec());
        }
    }
    out
}

#[test]
fn stuffing_both_ways() {
    let bytes = encode(0x41, &[0x10, 0x03, 0x10, 0x00]);
    assert_eq!(
        bytes,
        [0x10, 0x41, 0x10, 0x10, 0x03, 0x10, 0x10, 0x00, 0x10, 0x03]
    );
    assert_eq!(packets(&bytes), vec![vec![0x41, 0x10, 0x03, 0x10, 0x00]]);
    // An id that is a DLE is doubled too.
    assert_eq!(encode(0x10, &[]), [0x10, 0x10, 0x10, 0x10, 0x03]);
}

#[test]
fn fields_are_big_endian_ieee() {
    // 1.0f32 = 3F800000, -2.5f64 = C004000000000000.
    assert_eq!(get_f32(&[0x3F, 0x80, 0, 0], 0), 1.0);
    assert_eq!(get_f64(&[0xC0, 0x04, 0, 0, 0, 0, 0, 0], 0), -2.5);
    assert_eq!(get_i16(&[0xFF, 0xFE], 0), -2);
}

#[test]
fn gps_time_report() {
    let t = GpsTime {
        tow: 345_618.5,
        week: (2446 % 1024) as i16,
        utc_offset: 18.0,
    };
    let data = t.encode();
    assert_eq!(data.len(), GpsTime::LEN);
    let p = Packet {
        id: ID_GPS_TIME,
        data: &data,
    };
    assert_eq!(GpsTime::decode(&p).unwrap(), t);
    // Week 2446 is 2026-11-22..28; 345600 s is Thursday 00:00 GPS.
    let window = EraWindow::new(&Basedate::default(), ts(2026, 11, 26, 0, 0, 0));
    let utc = t.utc(&window).unwrap();
    assert_eq!(
        utc,
        Timestamp::from_nanos(ts(2026, 11, 26, 0, 0, 0).as_nanos() + 500_000_000)
    );
    // Short, wrong id, NaN.
    let short = Packet {
        id: ID_GPS_TIME,
        data: &data[..9],
    };
    assert!(matches!(
        GpsTime::decode(&short),
        Err(TsipError::Short {
            expected: 10,
            found: 9,
            ..
        })
    ));
    let other = Packet {
        id: ID_HEALTH,
        data: &data,
    };
    assert!(matches!(
        GpsTime::decode(&other),
        Err(TsipError::WrongId { .. })
    ));
    let nan = GpsTime { tow: f32::NAN, ..t };
    assert!(matches!(nan.utc(&window), Err(TsipError::BadNumber { .. })));
}

#[test]
fn utc_parameters_report() {
    let u = UtcParams {
        a0: 1.5e-9,
        a1: -2.0e-15,
        dtls: 18,
        t0t: 405_504.0,
        wnt: 398,
        wnlsf: 905,
        dn: 7,
        dtlsf: 18,
    };
    let data = u.encode();
    assert_eq!(data.len(), UtcParams::LEN);
    let p = Packet {
        id: ID_UTC_PARAMS,
        data: &data,
    };
    let back = UtcParams::decode(&p).unwrap();
    assert_eq!(back, u);
    assert!(back.known().unwrap());
    // t0t below one second means no parameters (libparse's l_ui test).
    assert!(!UtcParams { t0t: 0.75, ..u }.known().unwrap());
    assert!(UtcParams { t0t: -3.0, ..u }.known().unwrap());
    assert!(UtcParams {
        t0t: f32::INFINITY,
        ..u
    }
    .known()
    .is_err());
    let h = Health {
        status: 0x0A,
        errors: 0x10,
    };
    let hd = h.encode();
    assert_eq!(
        Health::decode(&Packet {
            id: ID_HEALTH,
            data: &hd
        })
        .unwrap(),
        h
    );
}

/// The Lassen iQ captures and the era (a date in the capture's time)
/// that unfolds their weeks.
const CAPTURES: &[(&str, (i32, u8, u8))] = &[
    ("trimble-lassen_iq.log", (2006, 11, 24)),
    ("trimble-lassen_iq-3dfix.log", (2006, 11, 24)),
    ("trimble-lasseniq-bin2d.log", (2019, 11, 1)),
];

/// Every 0x41 of gpsd's Lassen iQ captures names a second that gpsd's
/// decoding (the `.chk` file's TPV times) names too.
#[test]
fn lassen_iq_times_match_gpsd() {
    let Some(data) = Testdata::locate(env!("CARGO_MANIFEST_DIR")) else {
        eprintln!("gpsd test data not found; skipped");
        return;
    };
    for &(name, (y, m, d)) in CAPTURES {
        let capture = data.capture(name).expect(name);
        let tpv = capture.tpv_times();
        assert!(!tpv.is_empty(), "{name}: no TPV times");
        let rec = ts(y, m, d, 0, 0, 0);
        let window = EraWindow::new(&Basedate::from_ymd(y - 1, 1, 1).unwrap(), rec);
        let mut n = 0;
        for p in packets(capture.body()) {
            let Some(packet) = Packet::from_frame(&p) else {
                continue;
            };
            if packet.id != ID_GPS_TIME {
                assert!(
                    packet.id != ID_UTC_PARAMS,
                    "{name}: a 0x4F, the driver test assumes none"
                );
                continue;
            }
            let t = GpsTime::decode(&packet).expect(name);
            let utc = t.utc(&window).expect(name);
            assert!(
                tpv.contains(&utc.secs()),
                "{name}: 0x41 {t:?} names {} (Unix), not a TPV time",
                utc.secs()
            );
            n += 1;
        }
        assert!(n >= 6, "{name}: {n} time reports");
    }
}
