//! The ACTS driver under the fuzzer (feature `testkit`): `acts_decode`
//! (every line of the input through [`decode_tail`]: no panic, and what
//! decodes encodes to a line that decodes to the same), `acts_roundtrip` (values of
//! each format built from the input, encoded, decoded to the same value)
//! and `acts_driver` (the script runner; header mode bit 8 runs the
//! driver without phone numbers, on a direct cable, otherwise with one).

use refclock_core::calendar::CivilTime;
use refclock_core::DriverConfig;

use super::codec::{
    date_mjd, decode, decode_tail, Nist, Ptb, Timecode, Usno, Wwvb0, Wwvb2, LEN_NIST, LEN_PTB,
    LEN_USNO, LEN_WWVB0, LEN_WWVB2,
};
use super::ActsDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

/// The encoding of a decoded timecode (`*` for USNO's mark).
fn encode(code: &Timecode) -> Vec<u8> {
    match code {
        Timecode::Nist(n) => n.encode(),
        Timecode::Usno(u) => u.encode(),
        Timecode::UsnoMark => b"*".to_vec(),
        Timecode::Ptb(p) => p.encode(),
        Timecode::Wwvb0(w) => w.encode(),
        Timecode::Wwvb2(w) => w.encode(),
    }
}

/// A date and time from the input: years 1900-2099 (two-digit years and
/// MJDs of five digits), second 60 allowed.
fn civil(input: &mut Input<'_>) -> CivilTime {
    let year = 1900 + i32::from(input.u8()) % 200;
    let month = 1 + input.u8() % 12;
    let days = refclock_core::calendar::days_in_month(year, month);
    CivilTime::new(
        year,
        month,
        1 + input.u8() % days,
        input.u8() % 24,
        input.u8() % 60,
        input.u8() % 61,
    )
}

/// A printable character from the input.
fn printable(input: &mut Input<'_>) -> u8 {
    b' ' + input.u8() % 95
}

impl FuzzCodec for ActsDriver {
    fn decode(data: &[u8]) -> usize {
        let mut n = 0;
        for line in data.split(|&b| b == b'\r' || b == b'\n') {
            if let Ok((code, skipped)) = decode_tail(line) {
                assert_eq!(decode(&encode(&code)), Ok(code.clone()), "{code:?}");
                let len = line.len() - skipped;
                assert!(
                    [1, LEN_NIST, LEN_USNO, LEN_PTB, LEN_WWVB0, LEN_WWVB2].contains(&len),
                    "{len}"
                );
                n += 1;
            }
        }
        n
    }

    fn roundtrip(data: &[u8]) -> usize {
        if data.len() < 12 {
            return 0;
        }
        let mut input = Input::new(data);
        let which = input.u8() % 5;
        let t = civil(&mut input);
        let mjd = date_mjd(t.year, t.month, t.day);
        let code = match which {
            0 => Timecode::Nist(Nist {
                mjd,
                time: t,
                dst: input.u8() % 100,
                leap: input.u8() % 3,
                dut1: (input.u8() % 19) as i8 - 9,
                advance: u32::from(input.u16()) % 10_000,
                otm: if input.u8() & 1 == 0 { b'*' } else { b'#' },
            }),
            1 => Timecode::Usno(Usno {
                mjd,
                yday: t.yday(),
                hour: t.hour,
                minute: t.minute,
                second: t.second,
            }),
            2 => {
                let mut text = [0u8; 14];
                text.iter_mut().for_each(|c| *c = printable(&mut input));
                let zone = [0; 5].map(|_: u8| printable(&mut input));
                let calendar = [0; 12].map(|_: u8| b'0' + input.u8() % 10);
                let delay = [0; 4].map(|_: u8| b'0' + input.u8() % 10);
                Timecode::Ptb(Ptb {
                    local: t,
                    hour_mark: [b':', b'A', b'B'][usize::from(input.u8() % 3)],
                    zone,
                    calendar,
                    utc: t,
                    mjd,
                    dut1: (input.u8() % 19) as i8 - 9,
                    leap_dir: [b'0', b'+', b'-'][usize::from(input.u8() % 3)],
                    leap_month: input.u8() % 13,
                    delay,
                    text,
                    otm: if input.u8() & 1 == 0 { b'*' } else { b'#' },
                })
            }
            3 => Timecode::Wwvb0(Wwvb0 {
                sync: [b' ', b'?', b'*'][usize::from(input.u8() % 3)],
                yday: t.yday(),
                hour: t.hour,
                minute: t.minute,
                second: t.second,
                dst: printable(&mut input),
                tz: input.u8() % 100,
            }),
            _ => Timecode::Wwvb2(Wwvb2 {
                sync: [b' ', b'?', b'*'][usize::from(input.u8() % 3)],
                quality: printable(&mut input),
                yy: (t.year % 100) as u8,
                yday: t.yday(),
                hour: t.hour,
                minute: t.minute,
                second: t.second,
                millis: input.u16() % 1000,
                leap: if input.u8() & 1 == 0 { b' ' } else { b'L' },
                dst: printable(&mut input),
            }),
        };
        let bytes = encode(&code);
        assert_eq!(
            decode(&bytes),
            Ok(code.clone()),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        1
    }

    /// NIST's example and a recent line, USNO's pair, the TF.583 example,
    /// Spectracom formats 0 and 2, and the modem's answers.
    fn examples() -> Vec<Vec<u8>> {
        [
            "OK",
            "CONNECT 9600",
            "47999 90-04-18 21:39:15 50 0 +.1 045.0 UTC(NIST) *",
            "60310 24-01-01 00:00:05 00 0 -.1 045.0 UTC(NIST) #",
            "60310 001 000006 UTC",
            "*",
            "1995-01-23 20:58:51 MEZ  10402303260219950123195849740+40000500              *",
            "   001 00:00:07 STZ=00",
            " A24 001 00:00:08.000  S",
            "NO CARRIER",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect()
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        [message, b"\r\n"].concat()
    }
}

impl FuzzDriver for ActsDriver {
    /// Modes 0, 1, 2 and 3 (taken as auto) from bits 0-1; bit 8 (not a
    /// mode of the driver) means no phone numbers.
    const MODE_BITS: [u32; 16] = [1, 2, 4, 0x100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// A Spectracom's `?` gives a sample "not in sync", as ntpd.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            samples_when_not_in_sync: true,
            must_start: true,
            // refclock_receive at the end of each call, as ntpd's
            // acts_timeout does.
            filtered_per_call: true,
            ..Rules::default()
        }
    }

    fn script_config(mut config: DriverConfig) -> DriverConfig {
        if config.fudge.mode & 0x100 == 0 {
            config.phones = vec!["ATDT5551234".into()];
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::run_script;
    use crate::testkit::script::{encode as script, Header, Op};

    #[test]
    fn the_examples_decode_and_round_trips_hold() {
        let all: Vec<u8> = ActsDriver::examples()
            .iter()
            .flat_map(|m| ActsDriver::framed(m))
            .collect();
        assert_eq!(<ActsDriver as FuzzCodec>::decode(&all), 7);
        let mut n = 0;
        for seed in 0..200u32 {
            let data: Vec<u8> = (0..40u32)
                .map(|i| (seed.wrapping_mul(2_654_435_761) >> (i % 24)) as u8 ^ i as u8)
                .collect();
            n += <ActsDriver as FuzzCodec>::roundtrip(&data);
        }
        assert_eq!(n, 200);
    }

    /// A call: poll, OK, CONNECT, five NIST lines a second apart (with
    /// mode bit 8, `T` and the lines on a direct cable).
    fn call(mode_bits: u16) -> Vec<u8> {
        // 2024-01-01; mode 1: a poll opens the device and starts a call.
        let h = Header {
            mode_bits,
            ..Header::at(1_704_067_200, 18_262)
        };
        let mut ops = vec![
            Op::Poll,
            Op::AdvanceMs(50),
            Op::Data(b"\r\nOK\r\n".to_vec()),
            Op::AdvanceMs(500),
            Op::Data(b"\r\nCONNECT\r\n".to_vec()),
        ];
        for s in 1..=5 {
            ops.push(Op::AdvanceMs(1000));
            let line = format!("60310 24-01-01 00:00:{s:02} 00 0 +.1 045.0 UTC(NIST) #\r\n");
            ops.push(Op::Data(line.into_bytes()));
        }
        ops.push(Op::Data(b"\r\nNO CARRIER\r\n".to_vec()));
        script(&h, &ops)
    }

    #[test]
    fn a_scripted_call_gives_samples() {
        assert!(run_script::<ActsDriver>(&call(1)) >= 4);
    }

    /// The dialogue seeds of `acts_driver` (files not named `seed-*`,
    /// which gen_corpus leaves alone): `cargo test -p refclock-drivers
    /// --lib acts::fuzz -- --ignored` writes them.
    #[test]
    #[ignore = "writes the fuzz corpus"]
    fn write_dialogue_seeds() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/acts_driver");
        std::fs::write(dir.join("dialogue-nist-call"), call(1)).unwrap();
        std::fs::write(dir.join("dialogue-manual-mode"), call(4)).unwrap();
    }
}
