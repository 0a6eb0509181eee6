//! Seeds of the NMEA targets beyond the generic ones: single lines of
//! every sentence type from the captures and by hand (`nmea_decode`), and
//! captures replayed line by line at the times their sentences name, in
//! several modes (`nmea_driver`).

use std::collections::{BTreeMap, BTreeSet};

use refclock_core::calendar::{CivilTime, SECS_PER_DAY};
use refclock_drivers::nmea::fuzz::with_checksum;
use refclock_drivers::nmea::parse::{self, Date};
use refclock_drivers::nmea::{
    NmeaDriver, MODE_DATETRUST, MODE_DELAYMEAS, MODE_EXTLOG, MODE_GGA, MODE_IGNSTATUS, MODE_RMC,
    MODE_ZDA,
};
use refclock_drivers::testkit::script::{encode, START0, START_FRACTION_UNIT};
use refclock_drivers::testkit::{Capture, FuzzDriver, Header, Op, PortOp};

use crate::Seeds;

/// The header bits for an NMEA mode.
fn mode_bits(mode: u32) -> u16 {
    Header::mode_bits_for(mode, &NmeaDriver::MODE_BITS)
}

/// `nmea_decode`: one line of each time sentence per capture, the first
/// dozen other sentence names, and hand-made lines.
pub fn decode_seeds(caps: &[Capture]) -> Seeds {
    let mut out = Seeds::new();
    let mut names_seen = BTreeSet::new();
    for c in caps.iter().filter(|c| c.is_text()) {
        let mut per_name = BTreeMap::<Vec<u8>, usize>::new();
        for l in c.lines() {
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
                out.push((format!("seed-{}-{}", c.stem(), out.len()), l.to_vec()));
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
    c.lines().into_iter().find_map(|l| {
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
        mode_bits: mode_bits(mode),
        flags,
        time2_ms,
        // 0.1 s after the second.
        start_fraction: 100_000_000 / START_FRACTION_UNIT,
        // A base date a year before the capture.
        ..Header::at(start, start / SECS_PER_DAY - 365)
    };
    let mut ops = Vec::new();
    let mut last: Option<i64> = None;
    let mut seconds = 0;
    let mut bytes = 0;
    for l in c.lines() {
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

/// `nmea_driver`: each text capture replayed line by line, a second of
/// the clock per second the sentences name, ticks and polls between, in
/// one of eight modes; and clock steps, device loss and PPS on both edges
/// by hand.
pub fn driver_seeds(caps: &[Capture]) -> Seeds {
    let mut out = Seeds::new();
    let text = caps.iter().filter(|c| c.is_text());
    for (i, c) in text.enumerate() {
        let (h, ops) = driver_script(c, i);
        out.push((format!("seed-{}-v{}", c.stem(), i % 8), encode(&h, &ops)));
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
        Op::Port {
            port: 0,
            op: PortOp::Bounce,
        },
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
    out.push(("seed-hand-steps".into(), encode(&h, &ops)));
    ops.retain(|o| !matches!(o, Op::Port { .. }));
    let h = Header {
        mode_bits: mode_bits(MODE_DATETRUST | MODE_IGNSTATUS),
        flags: 0x03,
        ..h
    };
    out.push(("seed-hand-steps-trust".into(), encode(&h, &ops)));
    out
}
