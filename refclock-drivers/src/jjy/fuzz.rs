//! The JJY driver under the fuzzer (feature `testkit`): `jjy_decode`
//! (every reply decoder on the same bytes: no panic, values in range, a
//! decoded reply encodes back to the very bytes), `jjy_roundtrip` (an
//! arbitrary JST time through every layout and back, and JST → UTC →
//! JST) and `jjy_driver` (the script runner in every mode, telephone
//! JJY with a number).

use refclock_core::calendar::{civil_from_days, days_from_civil};
use refclock_core::DriverConfig;

use super::codec::*;
use super::JjyDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

fn in_range(t: &Jst) {
    assert!(
        (1..=12).contains(&t.month) && (1..=31).contains(&t.day),
        "{t:?}"
    );
    assert!(
        t.hour < 24 && t.minute < 60 && t.second <= 60 && t.millis < 1000,
        "{t:?}"
    );
}

/// The decoders on `data`; the number that accepted it.
pub fn decode(data: &[u8]) -> usize {
    let mut n = 0;
    if let Ok((h, m, s)) = decode_hms(data) {
        assert_eq!(
            encode_hms(&Jst {
                hour: h,
                minute: m,
                second: s,
                ..Jst::default()
            }),
            data
        );
        n += 1;
    }
    for rest in [0, 4] {
        if let Ok((y, m, d)) = decode_long_date(data, rest) {
            assert!((2000..2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d));
            n += 1;
        }
    }
    if let Ok(t) = decode_jst2000(data) {
        in_range(&t);
        assert_eq!(&encode_jst2000(&t)[..7], &data[..7]);
        n += 1;
    }
    if let Ok((t, st)) = decode_lt2000(data) {
        in_range(&t);
        assert_eq!(&encode_lt2000(&t, st)[13..], &data[13..]);
        n += 1;
    }
    if let Ok((status, t)) = decode_jjy200(data) {
        in_range(&t);
        let e = encode_jjy200(status, &t);
        assert_eq!((&e[..13], &e[14..]), (&data[..13], &data[14..]));
        n += 1;
    }
    if let Ok(f) = decode_tdc300(data) {
        if let Tdc300::Announce(t) | Tdc300::Full(t, _) = f {
            in_range(&t);
        }
        n += 1;
    }
    let _ = text_of(data);
    let _ = super::modem::pieces(data);
    n
}

/// An arbitrary JST time (years 2000–2098, second 60 allowed) through
/// every layout and back.
pub fn roundtrip(data: &[u8]) -> usize {
    if data.len() < 8 {
        return 0;
    }
    let mut input = Input::new(data);
    let days = days_from_civil(2000, 1, 1) + i64::from(input.u16() % 36_159);
    let (year, month, day) = civil_from_days(days);
    let t = Jst {
        year,
        month,
        day,
        hour: input.u8() % 24,
        minute: input.u8() % 60,
        second: input.u8() % 61,
        millis: 0,
    };
    assert_eq!(Jst::from_utc(&t.to_utc()), t);
    assert_eq!(
        decode_hms(&encode_hms(&t)).unwrap(),
        (t.hour, t.minute, t.second)
    );
    assert_eq!(
        decode_long_date(&encode_jjy01_date(&t), 4).unwrap(),
        (year, month, day)
    );
    assert_eq!(
        decode_long_date(&encode_gps01_date(&t), 0).unwrap(),
        (year, month, day)
    );
    let tenths = Jst {
        millis: u16::from(input.u8() % 10) * 100,
        ..t
    };
    assert_eq!(decode_jst2000(&encode_jst2000(&tenths)).unwrap(), tenths);
    let st = input.array::<4>();
    assert_eq!(decode_lt2000(&encode_lt2000(&t, st)).unwrap(), (t, st));
    assert_eq!(
        decode_jjy200(&encode_jjy200(Jjy200Status::Ok, &t)).unwrap(),
        (Jjy200Status::Ok, t)
    );
    let digits = st.map(|b| b'0' + b % 10);
    for f in [Tdc300::Announce(t), Tdc300::Full(t, digits), Tdc300::Second] {
        assert_eq!(decode_tdc300(&encode_tdc300(&f)).unwrap(), f);
    }
    let half = t.half_second_before();
    in_range(&half);
    1
}

impl FuzzCodec for JjyDriver {
    fn decode(data: &[u8]) -> usize {
        decode(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        roundtrip(data)
    }

    /// A reply of each layout.
    fn examples() -> Vec<Vec<u8>> {
        [
            &b"12:34:56"[..],
            b"2024/02/29 THU",
            b"2024/02/29",
            b"J24022941234560",
            b"24022941234560000",
            b"'OK 24/02/29 3 12:34:56",
            b"2402294123456",
            b"\xE5",
        ]
        .iter()
        .map(|r| r.to_vec())
        .collect()
    }
}

impl FuzzDriver for JjyDriver {
    /// Modes 0–7 from the low bits, 100 and up from the others.
    const MODE_BITS: [u32; 16] = [
        1,
        2,
        4,
        100,
        8,
        16,
        32,
        64,
        1,
        2,
        4,
        200,
        0x100,
        0x1000,
        0x1_0000,
        0x8000_0000,
    ];

    /// Samples at the receive time; modes outside ntpd's refuse to start.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules::default()
    }

    /// One telephone number, calls as soon as polled.
    fn script_config(mut config: DriverConfig) -> DriverConfig {
        config.phones = vec!["042-234-5678".into()];
        config.options = vec![("call-interval".into(), Some("0".into()))];
        config
    }
}

/// Dialogues that reach a sample, as seeds for `jjy_driver` (written to
/// the corpus by `JJY_WRITE_SEEDS=DIR cargo test -p refclock-drivers
/// --lib jjy::fuzz`).
pub fn driver_seeds() -> Vec<(String, Vec<u8>)> {
    use crate::testkit::script::encode;
    use crate::testkit::{Header, Op};
    // 2024-01-01 00:00:00 UTC = 09:00:00 JST.
    let start = days_from_civil(2024, 1, 1) * 86_400;
    let data = |s: &str| Op::Data(s.as_bytes().to_vec());
    let header = |mode: u32| Header {
        mode_bits: Header::mode_bits_for(mode, &JjyDriver::MODE_BITS),
        ..Header::at(start, days_from_civil(2020, 1, 1))
    };
    let mut out = Vec::new();
    let mut push = |name: &str, mode: u32, ops: Vec<Op>| {
        out.push((format!("seed-dialogue-{name}"), encode(&header(mode), &ops)));
    };
    push(
        "tsjjy01",
        1,
        vec![
            Op::Poll,
            data("09:00:00\r\n"),
            data("2024/01/01 MON\r\n"),
            Op::AdvanceMs(1000),
            data("09:00:01\r\n"),
        ],
    );
    push(
        "jst2000",
        2,
        vec![
            Op::Poll,
            Op::AdvanceMs(10),
            Op::Data(b"\x02J24010110900000\x03".to_vec()),
        ],
    );
    push(
        "lt2000",
        3,
        vec![Op::Poll, Op::AdvanceMs(500), data("24010110900010000\r")],
    );
    push(
        "jjy200",
        4,
        vec![
            Op::Poll,
            Op::AdvanceMs(50),
            data("'OK 24/01/01 0 09:00:00\r"),
        ],
    );
    push(
        "gps01",
        5,
        vec![
            Op::Poll,
            data("09:00:00\r\n"),
            data("2024/01/01\r\n"),
            Op::AdvanceMs(1000),
            data("09:00:01\r\n"),
        ],
    );
    push(
        "tdc300",
        6,
        vec![
            Op::Poll,
            Op::Data(b"\x022401011090000\x03\x02\xE5\x03".to_vec()),
        ],
    );
    let mut call = vec![Op::Poll];
    for _ in 0..8 {
        call.push(data("\r\nOK\r\n"));
    }
    for s in [
        "\r\nCONNECT\r\n",
        "Name ? ",
        "TJJY\r\nWelcome\r\n>",
        "TIME\r\n",
    ] {
        call.push(data(s));
    }
    for s in ["090001\r\n", "090002\r\n", "090003\r\n"] {
        call.extend([Op::AdvanceMs(1000), data(s)]);
    }
    for s in [
        ">",
        "4DATE\r\n20240101\r\n>",
        "LEAPSEC\r\n 0\r\n>",
        "TIME\r\n",
    ] {
        call.push(data(s));
    }
    for s in ["090004\r\n", "090005\r\n", "090006\r\n"] {
        call.extend([Op::AdvanceMs(1000), data(s)]);
    }
    call.extend([
        data(">"),
        data("BYE\r\nSayounara\r\n\r\nNO CARRIER\r\n"),
        Op::Ticks(30),
    ]);
    push("telephone", 100, call);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_give_samples_and_examples_decode() {
        for (name, seed) in driver_seeds() {
            assert!(crate::testkit::run_script::<JjyDriver>(&seed) > 0, "{name}");
            if let Some(dir) = std::env::var_os("JJY_WRITE_SEEDS") {
                std::fs::write(std::path::Path::new(&dir).join(&name), &seed).unwrap();
            }
        }
        for e in JjyDriver::examples() {
            assert!(decode(&e) > 0, "{e:?}");
        }
        for i in 0..2000u32 {
            let d: Vec<u8> = (0..24)
                .map(|k| (i.wrapping_mul(2_654_435_761) >> (k % 24)) as u8)
                .collect();
            assert_eq!(roundtrip(&d), 1);
            decode(&d);
        }
    }
}
