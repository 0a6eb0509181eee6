//! Seeds of the targets that are not drivers': `line_framer` (capture
//! bytes in chunks), `sock_decode` (good and bad datagrams), `cli_args`
//! (the command lines of the man page and the tests) and `calendar`
//! (leap seconds, 29 February, GPS week limits, era boundaries).

use refclock_drivers::testkit::Capture;
use refclock_fuzz_harness::{cli_args, line_framer};
use refclock_sock::{layout, SockSample};

use crate::Seeds;

/// `line_framer`: every other capture in chunks, and long lines by hand.
pub fn line_framer_seeds(caps: &[Capture]) -> Seeds {
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
            let payload = &c.body()[..c.body().len().min(1500)];
            let spec = specs[i / 2 % specs.len()];
            (
                format!("seed-{}", c.stem()),
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

/// `sock_decode`: valid samples and one of each error.
pub fn sock_seeds() -> Seeds {
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

/// `cli_args`: command lines of the man page and the tests, good and bad.
pub fn cli_seeds() -> Seeds {
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

/// `calendar`: one input per check, at its interesting values.
pub fn calendar_seeds() -> Seeds {
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
    // 2059-12-31 (a base date of 2015 and a clock 512 weeks later).
    push(
        "era-2060",
        &[
            &[7],
            &16_436i64.to_le_bytes(),
            &32_872_000i64.to_le_bytes(),
            &0u32.to_le_bytes(),
            &10_957_000i64.to_le_bytes(),
            &0u32.to_le_bytes(),
            &1023u32.to_le_bytes(),
            &604_799_000_000_000u64.to_le_bytes(),
            &[18],
            &(-1_000_000_000i64).to_le_bytes(),
            &0u32.to_le_bytes(),
            &[99, 80],
        ],
    );
    out
}
