//! Writes the seed corpora of the fuzz targets (`seed-*` files) from gpsd's
//! receiver captures and hand-made cases.
//!
//! ```sh
//! cargo run -p refclock-fuzz-harness --example gen_corpus [-- CORPUS_DIR [GPSD_DIR]]
//! ```
//!
//! Defaults: `fuzz/corpus` of this repository and `shared/testdata/gpsd`
//! beside it. Existing `seed-*` files are replaced; other files (what the
//! fuzzer found) are left alone. Every seed is checked against its target
//! body before it is written.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use refclock_core::calendar::{CivilTime, SECS_PER_DAY};
use refclock_drivers::nmea::parse::{self, Date};
use refclock_drivers::nmea::{
    MODE_DATETRUST, MODE_DELAYMEAS, MODE_EXTLOG, MODE_GGA, MODE_IGNSTATUS, MODE_RMC, MODE_ZDA,
};
use refclock_fuzz_harness::nmea_driver::{self, Header, Op, BASEDATE_DAY0, START0};
use refclock_fuzz_harness::nmea_parse::with_checksum;
use refclock_fuzz_harness::{body, cli_args, line_framer};
use refclock_sock::{layout, SockSample};

/// Seeds of one target: (name, bytes).
type Seeds = Vec<(String, Vec<u8>)>;

struct Capture {
    name: String,
    /// Without the `#` header.
    body: Vec<u8>,
    text: bool,
}

fn captures(dir: &Path) -> Vec<Capture> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    v.sort();
    v.into_iter()
        .map(|p| {
            let bytes = fs::read(&p).expect("capture");
            let mut at = 0;
            while bytes[at..].starts_with(b"#") {
                at += bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len() - at, |n| n + 1);
            }
            let body = bytes[at..].to_vec();
            let text = body
                .iter()
                .all(|&b| b == b'\r' || b == b'\n' || (0x20..0x7f).contains(&b));
            Capture {
                name: p.file_stem().unwrap().to_string_lossy().replace('.', "_"),
                body,
                text,
            }
        })
        .collect()
}

fn lines(body: &[u8]) -> Vec<&[u8]> {
    body.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .collect()
}

fn nmea_parse_seeds(caps: &[Capture]) -> Seeds {
    let mut out = Seeds::new();
    let mut names_seen = BTreeSet::new();
    for c in caps.iter().filter(|c| c.text) {
        let mut per_name = std::collections::BTreeMap::<Vec<u8>, usize>::new();
        for l in lines(&c.body) {
            let name = l.split(|&b| b == b',').next().unwrap_or(l).to_vec();
            let time_sentence = parse::scan(l).is_ok();
            let n = per_name.entry(name.clone()).or_default();
            // One of each time sentence per capture, and the first dozen
            // other sentence names of the whole set.
            let keep = if time_sentence {
                *n == 0
            } else {
                names_seen.len() < 12 && names_seen.insert(name.clone())
            };
            *n += 1;
            if keep {
                out.push((format!("seed-{}-{}", c.name, out.len()), l.to_vec()));
            }
        }
    }
    let hand: &[&[u8]] = &[
        b"$GPZDA,235960.999999999999,31,12,2016,00,00",
        b"$GPZDA,000000,29,02,2024,00,00",
        b"$GPZDA,000000,29,02,2023,00,00",
        b"$GPZDA,120000.5,1,1,1981,,",
        b"$GPZDG,120000.0,15,06,2024,00.00,1",
        b"$GPZDG,120000.0,15,06,2024,00.00,0",
        b"$PGRMF,290,293895.25,160305,093802,13,5213.1439,N,02100.6511,E,A,2,0,62,2,1",
        b"$PGRMF,99999,604799,160305,093802,65535,,,,,A,,,,,",
        b"$PUBX,04,073731.00,091202,113851.00,1196,15D,1930035,-2660.664,43,",
        b"$PUBX,04,235959.99,311299,604799.999,65535,18,0,0,0,",
        b"$GPRMC,235960,A,,,,,,,311216,,,A",
        b"$GNGGA,000000.00,,,,,0,00,99.99,,,,,,",
        b"$GAGLL,,,,,123456.789,V,N",
        b"$GPRMC,240000,A,,,,,,,010100,,",
        b"$GPRMC,120000,A,,,,,,,290223,,",
        b"$GPRMC,120000,A,,,,,,,290224,,",
        b"$GPGSV,1,1,00",
        b"$gpzda,1",
        b"$GPZD,",
        b"$GPZDA",
        b"$GPZDA,120000,01,01,2024,00,00*ZZ",
        b"$GPZDA,120000,01,01,2024,00,00*4",
        b"$GPZDA,120000,01,01,2024,00,00*4a",
    ];
    for (i, l) in hand.iter().enumerate() {
        out.push((format!("seed-hand-{i}"), l.to_vec()));
        if i % 3 == 0 {
            if let Some(f) = with_checksum(l) {
                out.push((format!("seed-hand-{i}-cs"), f));
            }
        }
    }
    out
}

/// The first dated time in a capture, as Unix seconds.
fn first_date(c: &Capture) -> Option<i64> {
    lines(&c.body).into_iter().find_map(|l| {
        let d = parse::scan(l).ok()?;
        let t = d.time.ok()?;
        let (year, month, day) = match d.date.ok()?? {
            Date::Ddmmyy { day, month, yy } => (
                if yy < 80 { 2000 } else { 1900 } + i32::from(yy),
                month,
                day,
            ),
            Date::DayMonthYear { day, month, year } => (i32::from(year), month, day),
            Date::GpsWeek { .. } => return None,
        };
        let c = CivilTime {
            year,
            month,
            day,
            hour: t.hour,
            minute: t.minute,
            second: t.second.min(59),
            nanos: 0,
        };
        c.to_timestamp().ok().map(|t| t.secs())
    })
}

/// Time of day (s) of a line, when it has one.
fn tod(l: &[u8]) -> Option<i64> {
    let t = parse::scan(l).ok()?.time.ok()?;
    Some(i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second))
}

fn driver_script(c: &Capture, variant: usize) -> (Header, Vec<Op>) {
    let start = first_date(c).unwrap_or(1_704_067_200).max(START0);
    let (mode, flags, time2_ms, pps) = match variant % 8 {
        0 => (0, 0, 0, false),
        1 => (MODE_RMC, 0, 0, false),
        2 => (MODE_GGA | MODE_ZDA, 0, 0, false),
        3 => (MODE_DATETRUST, 0, 0, false),
        4 => (MODE_EXTLOG | MODE_DELAYMEAS, 8, 0, false),
        5 => (MODE_IGNSTATUS, 0, 0, false),
        6 => (0, 1, 0, true),
        _ => (0, 0, 100, false),
    };
    let header = Header {
        mode_bits: Header::mode_bits_for(mode),
        flags,
        time1_ms: 0,
        time2_ms,
        // A base date a year before the capture.
        basedate: ((start / SECS_PER_DAY - 365 - BASEDATE_DAY0).max(0)) as u16,
        start: (start - START0) as u32,
        // 0.1 s after the second.
        start_fraction: 100_000_000 / nmea_driver::START_FRACTION_UNIT,
    };
    let mut ops = Vec::new();
    let mut last: Option<i64> = None;
    let mut seconds = 0;
    let mut bytes = 0;
    for l in lines(&c.body) {
        if bytes > 3000 {
            break;
        }
        if let Some(t) = tod(l) {
            if let Some(prev) = last {
                let d = (t - prev).rem_euclid(SECS_PER_DAY);
                if (1..=64).contains(&d) {
                    ops.push(Op::Ticks((d - 1) as u16));
                    seconds += d;
                    if seconds >= 16 {
                        ops.push(Op::Poll);
                        seconds = 0;
                    }
                } else if d > 64 {
                    ops.push(Op::AdvanceSecs(d as u16));
                }
            }
            if last != Some(t) && pps {
                // An edge 0.1 s ago: on the second the line speaks of.
                ops.push(Op::Pps {
                    offset: -1000,
                    clear: false,
                });
            }
            last = Some(t);
        }
        let mut data = l.to_vec();
        data.extend_from_slice(b"\r\n");
        bytes += data.len();
        ops.push(Op::Data(data));
    }
    ops.push(Op::Poll);
    (header, ops)
}

/// The same capture bytes in small reads a few ms apart.
fn chunked_script(c: &Capture, max: usize, sizes: &[usize]) -> (Header, Vec<Op>) {
    let start = first_date(c).unwrap_or(1_704_067_200).max(START0);
    let header = Header {
        start: (start - START0) as u32,
        basedate: ((start / SECS_PER_DAY - 700 - BASEDATE_DAY0).max(0)) as u16,
        ..Header::default()
    };
    let data = &c.body[..c.body.len().min(max)];
    let mut ops = Vec::new();
    let mut at = 0;
    for (k, &n) in sizes.iter().cycle().enumerate() {
        if at >= data.len() {
            break;
        }
        let end = (at + n).min(data.len());
        ops.push(Op::Data(data[at..end].to_vec()));
        ops.push(Op::AdvanceMs(3));
        if k % 40 == 39 {
            ops.push(Op::Ticks(0));
        }
        if k % 200 == 199 {
            ops.push(Op::Poll);
        }
        at = end;
    }
    ops.push(Op::Ticks(5));
    ops.push(Op::Poll);
    (header, ops)
}

fn nmea_driver_seeds(caps: &[Capture]) -> Seeds {
    let mut out = Seeds::new();
    let text: Vec<&Capture> = caps.iter().filter(|c| c.text).collect();
    for (i, c) in text.iter().enumerate() {
        let (h, ops) = driver_script(c, i);
        out.push((
            format!("seed-{}-v{}", c.name, i % 8),
            nmea_driver::encode(&h, &ops),
        ));
    }
    for (i, c) in text.iter().take(4).enumerate() {
        let (h, ops) = chunked_script(c, 1500, &[1 + i, 7, 13, 40, 2]);
        out.push((
            format!("seed-{}-chunked", c.name),
            nmea_driver::encode(&h, &ops),
        ));
    }
    for c in caps.iter().filter(|c| !c.text) {
        let (h, ops) = chunked_script(c, 1200, &[64, 17, 128]);
        out.push((
            format!("seed-{}-binary", c.name),
            nmea_driver::encode(&h, &ops),
        ));
    }
    // Clock steps, device loss and PPS on both edges, by hand.
    let gga = |t: &str| {
        let mut l = with_checksum(format!("$GPGGA,{t},,,,,1,,,,,,,,").as_bytes()).expect("a line");
        l.extend_from_slice(b"\r\n");
        l
    };
    let mut ops = vec![
        Op::Pps {
            offset: -5,
            clear: true,
        },
        Op::Data(b"$GPZDA,000001.00,01,01,2024,00,00\r\n$GPGGA,000001.00,,,,,1,".to_vec()),
        Op::DeviceLost,
        Op::Data(gga("000001.00")[23..].to_vec()),
        Op::BackMs(1500),
        Op::SetFraction(6554),
        Op::Data(gga("000002.00")),
        Op::Ticks(63),
        Op::Poll,
        Op::AdvanceSecs(65_535),
        Op::Data(gga("000002.00")),
        Op::Poll,
    ];
    let h = Header {
        mode_bits: 0xffff,
        flags: 0x0f,
        time1_ms: -100,
        time2_ms: 250,
        start: 757_382_400,
        ..Header::default()
    };
    out.push(("seed-hand-steps".into(), nmea_driver::encode(&h, &ops)));
    ops.retain(|o| !matches!(o, Op::DeviceLost));
    let h = Header {
        mode_bits: Header::mode_bits_for(MODE_DATETRUST | MODE_IGNSTATUS),
        flags: 0x03,
        ..h
    };
    out.push((
        "seed-hand-steps-trust".into(),
        nmea_driver::encode(&h, &ops),
    ));
    out
}

fn line_framer_seeds(caps: &[Capture]) -> Seeds {
    let specs: [&[u8]; 6] = [
        &[],
        &[1],
        &[3, 0, 17],
        &[127, 128, 1],
        &[255],
        &[5, 9, 2, 64, 0, 31],
    ];
    caps.iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(i, c)| {
            let payload = &c.body[..c.body.len().min(1500)];
            let spec = specs[i / 2 % specs.len()];
            (
                format!("seed-{}", c.name),
                line_framer::encode(spec, payload),
            )
        })
        .chain([(
            "seed-hand-long".to_string(),
            line_framer::encode(&[100, 100, 1], &{
                let mut v = vec![b'A'; 200];
                v.extend_from_slice(b"\r\r\n\n\x8d\x8a$GP\x00\x7fZDA\n");
                v.extend(std::iter::repeat_n(b'B' | 0x80, 127));
                v.push(b'\n');
                v
            }),
        )])
        .collect()
}

fn sock_seeds() -> Seeds {
    let mut out = Seeds::new();
    let good = [
        SockSample::new(1_700_000_000, 123_456, -0.012_345, 0),
        SockSample::new(0, 0, 0.0, 1),
        SockSample::new(-1, 999_999, -0.0, 2),
        SockSample {
            pulse: true,
            ..SockSample::new(4_102_444_800, 500_000, 0.5, 3)
        },
        SockSample::new(i64::MAX, 1, f64::MAX, -7),
    ];
    for (i, s) in good.iter().enumerate() {
        out.push((format!("seed-valid-{i}"), s.encode().to_vec()));
    }
    let base = good[0].encode();
    let mut bad_magic = base;
    bad_magic[layout::MAGIC] ^= 0x20;
    let mut pulse = base;
    pulse[layout::PULSE..layout::PULSE + 4].copy_from_slice(&(-5i32).to_ne_bytes());
    let mut pad = base;
    pad[layout::PAD] = 0xaa;
    let mut long = base.to_vec();
    long.push(0);
    for (name, bytes) in [
        ("bad-magic", bad_magic.to_vec()),
        ("pulse-minus-5", pulse.to_vec()),
        ("pad-set", pad.to_vec()),
        ("short", base[..base.len() - 1].to_vec()),
        ("long", long),
        (
            "usec-1e6",
            SockSample::new(1, 1_000_000, 0.0, 0).encode().to_vec(),
        ),
        ("usec-neg", SockSample::new(1, -1, 0.0, 0).encode().to_vec()),
        ("nan", SockSample::new(1, 0, f64::NAN, 0).encode().to_vec()),
        (
            "inf",
            SockSample::new(1, 0, f64::NEG_INFINITY, 0)
                .encode()
                .to_vec(),
        ),
    ] {
        out.push((format!("seed-{name}"), bytes));
    }
    out
}

fn cli_seeds() -> Seeds {
    let vectors: &[&[&str]] = &[
        &[
            "-s",
            "/var/run/chrony-GPS.sock",
            "127.127.20.0",
            "mode",
            "80",
            "time2",
            "0.5",
            "flag1",
            "1",
        ],
        &[
            "-dd",
            "-i4",
            "-c-",
            "-p",
            "ATDT1",
            "-pATDT2",
            "-unobody2",
            "-r",
            "/tmp",
            "127.127.20.1",
        ],
        &["127.127.20.0", "-d", "1"],
        &["-l"],
        &["-v", "127.127.20.0"],
        &["-dh"],
        &[
            "nmea",
            "unit",
            "2",
            "path",
            "/dev/ttyUSB0",
            "refid",
            "NMEA",
            "stratum",
            "1",
            "mode",
            "0x50",
        ],
        &["--simulate=jitter", "GPS_NMEA"],
        &[
            "--simulate",
            "--",
            "nmea",
            "ppspath",
            "/dev/pps0",
            "flag2",
            "1",
            "flag3",
            "0",
            "flag4",
            "1",
        ],
        &["127.127.20.0", "unit", "1"],
        &["-x", "127.127.20.0"],
        &["-s"],
        &["127.0.0.1"],
        &["127.127.20"],
        &["127.127.300.0"],
        &["127.127.8.0"],
        &["127.127.20.0", "mode"],
        &["127.127.20.0", "time1", "1e6"],
        &["127.127.20.0", "time2", "-0.000001", "time1", "NaN"],
        &["127.127.20.0", "refid", "TOOLONG"],
        &["-i", "17", "127.127.20.255", "mode", "0XFFFFFFFF"],
        &[
            "-p", "1", "-p", "2", "-p", "3", "-p", "4", "-p", "5", "-p", "6", "-p", "7", "-p", "8",
            "-p", "9", "nmea",
        ],
        &[
            "-p1", "-p2", "-p3", "-p4", "-p5", "-p6", "-p7", "-p8", "-p9", "-p10", "nmea",
        ],
        &["-dé", "nmea"],
        &["-sé", "nmea", "stratum", "15", "refid", "A"],
    ];
    vectors
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("seed-{i}"), cli_args::encode(v)))
        .collect()
}

fn calendar_seeds() -> Seeds {
    let mut out = Seeds::new();
    let mut push = |name: &str, parts: &[&[u8]]| {
        out.push((format!("seed-{name}"), parts.concat()));
    };
    push(
        "days",
        &[
            &[0],
            &0i64.to_le_bytes(),
            &[0],
            &(-719_468i64).to_le_bytes(),
            &[0],
            &11_017i64.to_le_bytes(),
        ],
    );
    push(
        "timestamps",
        &[
            &[1],
            &1_483_228_800i64.to_le_bytes(),
            &999_999_999u32.to_le_bytes(),
            &[1],
            &(-1i64).to_le_bytes(),
            &0u32.to_le_bytes(),
        ],
    );
    push(
        "leap-second",
        &[
            &[2],
            &2016i32.to_le_bytes(),
            &[12, 31, 23, 59, 60],
            &0u32.to_le_bytes(),
        ],
    );
    push(
        "feb-29",
        &[
            &[2],
            &2024i32.to_le_bytes(),
            &[2, 29, 0, 0, 0],
            &0u32.to_le_bytes(),
            &[2],
            &2023i32.to_le_bytes(),
            &[2, 29, 0, 0, 0],
            &0u32.to_le_bytes(),
        ],
    );
    // 2024-12-31 23:59:59 (yday 366) received at 2025-01-01 00:00:01.
    push(
        "clocktime-new-year",
        &[
            &[3],
            &366u16.to_le_bytes(),
            &[23, 59, 59, 0],
            &1_735_689_601i64.to_le_bytes(),
            &0u32.to_le_bytes(),
            &[0],
        ],
    );
    push(
        "clocktime-cached",
        &[
            &[3],
            &1u16.to_le_bytes(),
            &[0, 0, 1, 0],
            &1_735_689_598i64.to_le_bytes(),
            &0u32.to_le_bytes(),
            &[1],
        ],
    );
    push(
        "periodic",
        &[
            &[4],
            &2004i64.to_le_bytes(),
            &3i64.to_le_bytes(),
            &100u32.to_le_bytes(),
            &[3],
            &2004i32.to_le_bytes(),
        ],
    );
    push(
        "basedate-2015",
        &[
            &[5],
            &16_436i64.to_le_bytes(),
            &1023u32.to_le_bytes(),
            &[2, 29],
        ],
    );
    push(
        "gps-2048",
        &[
            &[6],
            &2048u32.to_le_bytes(),
            &0u64.to_le_bytes(),
            &[18],
            &1_554_595_182i64.to_le_bytes(),
            &0u32.to_le_bytes(),
        ],
    );
    push(
        "nmea-era",
        &[
            &[7],
            &16_436i64.to_le_bytes(),
            &10_957_000i64.to_le_bytes(),
            &0u32.to_le_bytes(),
            &(-1_000_000_000i64).to_le_bytes(),
            &0u32.to_le_bytes(),
        ],
    );
    out
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = args
        .next()
        .map_or_else(|| here.join("../corpus"), PathBuf::from);
    let gpsd = args
        .next()
        .map_or_else(|| here.join("../../../shared/testdata/gpsd"), PathBuf::from);
    let caps = captures(&gpsd);
    let all: [(&str, Seeds); 6] = [
        ("nmea_parse", nmea_parse_seeds(&caps)),
        ("nmea_driver", nmea_driver_seeds(&caps)),
        ("line_framer", line_framer_seeds(&caps)),
        ("sock_decode", sock_seeds()),
        ("cli_args", cli_seeds()),
        ("calendar", calendar_seeds()),
    ];
    for (target, seeds) in all {
        let dir = corpus.join(target);
        fs::create_dir_all(&dir).expect("corpus dir");
        for e in fs::read_dir(&dir).expect("corpus dir") {
            let p = e.expect("entry").path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
            {
                fs::remove_file(&p).expect("old seed");
            }
        }
        let run = body(target).expect("a target");
        let mut hits = 0;
        for (name, bytes) in &seeds {
            hits += run(bytes);
            fs::write(dir.join(name), bytes).expect("seed");
        }
        println!("{target}: {} seeds, {hits} hits", seeds.len());
    }
}
