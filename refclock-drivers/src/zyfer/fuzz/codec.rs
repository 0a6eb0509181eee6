//! `zyfer_decode` and `zyfer_roundtrip`: the codec under the fuzzer.
//!
//! [`decode`] takes any bytes as one record and compares the decoder's
//! verdict with a second, naive reading of the layout written here from
//! the module documentation (29 bytes, `!TIME,`, eight digit fields of
//! widths 4 3 2 2 2 1 1 1 separated by commas, day within the year, hour,
//! minute and second within theirs): the same success or the same kind
//! of error on the same field, the clock event of each kind, and for a
//! record that decodes every value in range, its encoding the very bytes
//! decoded, and its instant the civil time it states.
//!
//! [`roundtrip`] builds an arbitrary in-range [`ZyferTime`] (years 0 to
//! 9999, second 60 included, any mode digits), encodes it, and checks it
//! decodes back to itself and names the instant its fields state; a
//! locked UTC one received a little after that instant, by a driver
//! whose era window holds it, gives one sample of exactly minus that lag.

use refclock_core::calendar::{days_in_year, Basedate, CivilTime};
use refclock_core::{
    Action, Clock, ClockEvent, DriverConfig, Fudge, Leap, PortId, Refclock, Timestamp,
};

use crate::testkit::Input;
use crate::zyfer::codec::{self, ZyferError, ZyferTime, HEADER, LEN};
use crate::zyfer::ZyferDriver;

/// The naive verdict on a record: its eight values, or what is wrong.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Fields([u16; 8]),
    Length,
    Header,
    Field(&'static str),
    Range(&'static str),
}

/// The digit fields: name, first byte, width.
const LAYOUT: [(&str, usize, usize); 8] = [
    ("year", 6, 4),
    ("day", 11, 3),
    ("hour", 15, 2),
    ("minute", 18, 2),
    ("second", 21, 2),
    ("time mode", 24, 1),
    ("figure of merit", 26, 1),
    ("operation mode", 28, 1),
];

fn naive(data: &[u8]) -> Verdict {
    if data.len() != LEN {
        return Verdict::Length;
    }
    if &data[..6] != b"!TIME," {
        return Verdict::Header;
    }
    let mut values = [0u16; 8];
    for (k, &(name, at, width)) in LAYOUT.iter().enumerate() {
        let digits = &data[at..at + width];
        let comma = at + width == LEN || data[at + width] == b',';
        if !comma || !digits.iter().all(u8::is_ascii_digit) {
            return Verdict::Field(name);
        }
        let text = std::str::from_utf8(digits).expect("digits");
        values[k] = text.parse().expect("at most four digits");
    }
    let [year, day, hour, minute, second, ..] = values;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if day == 0 || day > 365 + u16::from(leap) {
        return Verdict::Range("day");
    }
    for (name, v, max) in [
        ("hour", hour, 23),
        ("minute", minute, 59),
        ("second", second, 60),
    ] {
        if v > max {
            return Verdict::Range(name);
        }
    }
    Verdict::Fields(values)
}

/// The civil time a record states, checked against its instant.
fn check_instant(t: &ZyferTime) {
    let at = t.timestamp();
    // Second 60 is the first second of the next minute: one second on
    // from 59.
    let civil = if t.second == 60 {
        CivilTime::from_timestamp(Timestamp::from_secs(at.secs() - 1))
    } else {
        CivilTime::from_timestamp(at)
    };
    let stated = (i32::from(t.year), t.day, t.hour, t.minute, t.second.min(59));
    let found = (
        civil.year,
        civil.yday(),
        civil.hour,
        civil.minute,
        civil.second,
    );
    assert_eq!(found, stated, "{t:?} names {at:?}");
    assert_eq!(at.subsec_nanos(), 0);
}

/// The `zyfer_decode` body: see the module documentation. Returns 1 when
/// `data` decoded.
pub fn decode(data: &[u8]) -> usize {
    let got = codec::decode(data);
    let want = naive(data);
    let text = String::from_utf8_lossy(data);
    match (&got, &want) {
        (Ok(t), Verdict::Fields(v)) => {
            let fields = [
                t.year,
                t.day,
                u16::from(t.hour),
                u16::from(t.minute),
                u16::from(t.second),
                u16::from(t.time_mode),
                u16::from(t.figure_of_merit),
                u16::from(t.op_mode),
            ];
            assert_eq!(&fields, v, "{text}");
            assert!(t.day >= 1 && t.day <= days_in_year(i32::from(t.year)));
            assert!(t.time_mode <= 9 && t.figure_of_merit <= 9 && t.op_mode <= 9);
            assert_eq!(codec::encode(t), data, "decode -> encode changed {text}");
            check_instant(t);
        }
        (Err(e), _) => {
            let same = match (e, &want) {
                (ZyferError::Length { found }, Verdict::Length) => *found == data.len(),
                (ZyferError::Header { found }, Verdict::Header) => {
                    *found == String::from_utf8_lossy(&data[..HEADER.len()])
                }
                (ZyferError::Field { field, .. }, Verdict::Field(name)) => field == name,
                (ZyferError::OutOfRange { field, .. }, Verdict::Range(name)) => field == name,
                _ => false,
            };
            assert!(same, "{text}: decoder {e:?}, naive {want:?}");
            let event = match want {
                Verdict::Header | Verdict::Field(_) => ClockEvent::BadReply,
                _ => ClockEvent::BadTime,
            };
            assert_eq!(e.event(), event, "{e}");
            // What was found is quoted with escapes: a log line stays one line.
            assert!(!e.to_string().contains(['\n', '\r']), "{e}");
        }
        (Ok(t), _) => panic!("{text}: decoded {t:?}, naive {want:?}"),
    }
    usize::from(got.is_ok())
}

/// An in-range record built from `data`.
pub fn arbitrary(data: &[u8]) -> ZyferTime {
    let mut i = Input::new(data);
    let year = i.u16() % 10_000;
    ZyferTime {
        year,
        day: 1 + i.u16() % days_in_year(i32::from(year)),
        hour: i.u8() % 24,
        minute: i.u8() % 60,
        second: i.u8() % 61,
        time_mode: i.u8() % 10,
        figure_of_merit: i.u8() % 10,
        op_mode: i.u8() % 10,
    }
}

/// The `zyfer_roundtrip` body: see the module documentation. Returns 1.
pub fn roundtrip(data: &[u8]) -> usize {
    let t = arbitrary(data);
    let bytes = codec::encode(&t);
    assert_eq!(bytes.len(), LEN, "{t:?}");
    assert_eq!(codec::decode(&bytes), Ok(t));
    check_instant(&t);
    if t.second < 60 {
        let civil = CivilTime::from_timestamp(t.timestamp());
        let again = ZyferTime::from_civil(&civil, t.time_mode, t.figure_of_merit, t.op_mode);
        assert_eq!(again, t);
    }
    // Through the driver, received `lag` after the instant, with the
    // first possible base date: the window around the receive time holds
    // the instant once the receive time is half an era past the base.
    let lag_ns = u32::from(Input::new(data.get(9..).unwrap_or(&[])).u16()) * 10_000;
    let rec = Timestamp::from_nanos(t.timestamp().as_nanos() + i128::from(lag_ns));
    if t.year >= 1990 && t.time_mode == 2 && t.op_mode == 1 {
        let mut c = Clock::<ZyferDriver>::start(DriverConfig {
            basedate: Basedate::from_ymd(1980, 1, 6).expect("a date"),
            fudge: Fudge::default(),
            ..DriverConfig::default()
        })
        .expect("starts");
        c.receive(PortId::MAIN, &bytes, rec);
        let samples: Vec<_> = c
            .take_actions()
            .into_iter()
            .filter_map(|a| match a {
                Action::Sample(s) => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(samples.len(), 1, "{t:?}");
        assert_eq!((samples[0].time, samples[0].leap), (rec, Leap::NoWarning));
        let want = -f64::from(lag_ns) * 1e-9;
        assert!(
            (samples[0].offset - want).abs() < 1e-9,
            "{t:?}: {samples:?}"
        );
    }
    1
}
