//! Tests of the DCF77 telegram codec.

use refclock_core::calendar::{civil_from_days, days_from_civil, CivilTime};
use refclock_core::ClockEvent;

use super::codec::{self, Pulse, Telegram, Zone, BITS};
use crate::parse::time::Status;

/// The bit buffer of rene0/dcf77_utils' decoder tests (src/lib.rs,
/// `BIT_BUFFER`): Saturday 2022-10-22 16:58 CEST, call bit set, third
/// party bits 0x18f2; written out here second by second.
const RENE0: &str = concat!(
    "0",              // 0
    "01001111000110", // 1..=14: 0x18f2
    "1",              // 15 R
    "010",            // 16 A1, 17 Z1 (CEST), 18 Z2
    "0",              // 19 A2
    "1",              // 20 S
    "00011011",       // minute 58, P1
    "0110101",        // hour 16, P2
    "010001",         // day 22
    "011",            // Saturday
    "00001",          // October
    "01000100",       // 22
    "1",              // P3
);

pub(super) fn bits_of(s: &str) -> Vec<bool> {
    s.bytes().map(|b| b == b'1').collect()
}

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8) -> i64 {
    CivilTime::new(y, mo, d, h, mi, 0)
        .to_timestamp()
        .unwrap()
        .secs()
}

#[test]
fn an_independent_decoders_telegram() {
    let bits = bits_of(RENE0);
    assert_eq!(bits.len(), BITS);
    let t = codec::decode(&bits).unwrap();
    assert_eq!(
        (t.year, t.month, t.day, t.weekday, t.hour, t.minute),
        (2022, 10, 22, 6, 16, 58)
    );
    assert_eq!(t.zone, Zone::Cest);
    assert!(t.call && !t.zone_change && !t.leap);
    assert_eq!(t.free >> 1, 0x18f2);
    assert_eq!(t.status(), Status(Status::DST | Status::CALLBIT));
    // 16:58 CEST is 14:58 UTC.
    assert_eq!(t.utc().unwrap().secs(), ts(2022, 10, 22, 14, 58));
    // The encoder gives the same bits back.
    assert_eq!(codec::encode(&t).to_vec(), bits);
    // and libparse's log text of it.
    let pulses: Vec<Pulse> = bits
        .iter()
        .map(|&b| if b { Pulse::One } else { Pulse::Zero })
        .collect();
    assert_eq!(
        codec::text(&pulses),
        concat!(
            "--#--####---##-",
            "R-D--S",
            "---81-4P",
            "-24-1-P",
            "-2---2",
            "-24",
            "----1",
            "-2---2--",
            "P"
        )
    );
}

#[test]
fn every_parity_start_and_zone_error_is_refused() {
    let good = bits_of(RENE0);
    // One flipped bit in each parity-checked field (the decoder test of
    // rene0 flips second 26).
    for i in [21, 26, 28, 29, 34, 35, 36, 44, 49, 57, 58] {
        let mut bits = good.clone();
        bits[i] = !bits[i];
        let e = codec::decode(&bits).unwrap_err();
        assert!(e.to_string().contains("parity"), "second {i}: {e}");
        assert_eq!(e.event(), ClockEvent::BadReply);
    }
    let mut bits = good.clone();
    bits[20] = false;
    assert!(codec::decode(&bits)
        .unwrap_err()
        .to_string()
        .contains("start"));
    for (z1, z2) in [(false, false), (true, true)] {
        let mut bits = good.clone();
        bits[17] = z1;
        bits[18] = z2;
        let e = codec::decode(&bits).unwrap_err();
        assert!(e.to_string().contains("zone"), "{e}");
    }
    // Two flipped bits in one field keep its parity: libparse takes it.
    let mut bits = good.clone();
    bits[21] = !bits[21];
    bits[22] = !bits[22];
    assert_eq!(codec::decode(&bits).unwrap().minute, 61);
    // Truncated.
    assert!(codec::decode(&good[..58]).is_err());
}

#[test]
fn fields_out_of_range_are_bad_dates_and_times() {
    let base = codec::decode(&bits_of(RENE0)).unwrap();
    let cases = [
        (Telegram { hour: 24, ..base }, ClockEvent::BadTime),
        (Telegram { minute: 60, ..base }, ClockEvent::BadTime),
    ];
    for (t, event) in cases {
        let d = codec::decode(&codec::encode(&t)).unwrap();
        assert_eq!(d.utc().unwrap_err().event(), event, "{t:?}");
    }
    // 30 February 2023 gets a century from its weekday (as 2 March) and
    // fails as a date.
    let feb30 = Telegram {
        year: 2023,
        month: 2,
        day: 30,
        weekday: 4, // 2023-03-02 was a Thursday
        ..base
    };
    let d = codec::decode(&codec::encode(&feb30)).unwrap();
    assert_eq!(d.year, 2023);
    assert_eq!(d.utc().unwrap_err().event(), ClockEvent::BadDate);
    // A weekday that fits no century of the cycle is a format error.
    let wrong = Telegram { weekday: 1, ..base };
    let e = codec::decode(&codec::encode(&wrong)).unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadReply, "{e}");
    // BCD digits above 9 are read as libparse reads them (no check).
    let mut bits = bits_of(RENE0);
    // minute units 58 -> 8 = 0b1000; make it 0b1010 + P1 fixed: 60 + ...
    bits[22] = true;
    bits[28] = !bits[28];
    let d = codec::decode(&bits).unwrap();
    assert_eq!(d.minute, 60);
}

#[test]
fn the_weekday_picks_the_century_for_every_day_of_the_cycle() {
    let first = days_from_civil(1970, 1, 1);
    let last = days_from_civil(2369, 12, 31);
    for day in first..=last {
        let (y, m, d) = civil_from_days(day);
        let wd = ((day + 3).rem_euclid(7) + 1) as u32;
        assert_eq!(
            codec::century_from_weekday((y % 100) as u32, m.into(), d.into(), wd),
            Some(y),
            "{y}-{m}-{d}"
        );
    }
    assert_eq!(codec::century_from_weekday(100, 1, 1, 1), None);
    assert_eq!(codec::century_from_weekday(22, 13, 1, 1), None);
    assert_eq!(codec::century_from_weekday(22, 1, 32, 1), None);
    assert_eq!(codec::century_from_weekday(22, 1, 1, 0), None);
    assert_eq!(codec::century_from_weekday(22, 1, 1, 8), None);
}

#[test]
fn round_trips_over_many_minutes() {
    // Every 7919 minutes over 1970..2370, plus the year ends, leap days
    // and 2099 -> 2100, in both zones.
    let mut minutes: Vec<i64> = (0..)
        .map(|k: i64| k * 7919 * 60)
        .take_while(|&t| t < ts(2369, 12, 31, 0, 0))
        .collect();
    for y in [1999, 2000, 2024, 2099, 2100, 2368] {
        minutes.push(ts(y, 12, 31, 23, 59));
        minutes.push(ts(y + 1, 1, 1, 0, 0));
    }
    minutes.push(ts(2024, 2, 29, 12, 0));
    minutes.push(ts(2096, 2, 29, 23, 59));
    for t in minutes {
        for zone in [Zone::Cet, Zone::Cest] {
            let local = CivilTime::from_timestamp(refclock_core::Timestamp::from_secs(
                t - i64::from(zone.utc_offset()),
            ));
            if local.year > 2369 {
                continue;
            }
            let mut tg = Telegram::for_local(&local, zone);
            tg.zone_change = t % 3 == 0;
            tg.leap = t % 5 == 0;
            tg.free = (t % 32768) as u16;
            let bits = codec::encode(&tg);
            let back = codec::decode(&bits).unwrap_or_else(|e| panic!("{local:?}: {e}"));
            assert_eq!(back, tg);
            assert_eq!(back.utc().unwrap().secs(), t);
        }
    }
}

#[test]
fn pulse_characters_and_the_histogram_cut() {
    // 50 baud, as the C program reads a Conrad module: 100 ms = 0xF0,
    // 200 ms = 0x00.
    assert_eq!(codec::pulse_chars(50), (0xF0, 0x00));
    assert_eq!(codec::zero_run(0xF0), Some(4));
    assert_eq!(codec::zero_run(0x00), Some(8));
    assert_eq!(codec::zero_run(0xFF), Some(0));
    assert_eq!(codec::zero_run(0x80), Some(7));
    for noise in [0x55, 0x0F, 0xF1, 0x7F, 0x81] {
        assert_eq!(codec::zero_run(noise), None, "{noise:#x}");
    }
    let bits = bits_of(RENE0);
    for baud in [50, 75, 1200, 4800] {
        let (short, long) = codec::pulse_chars(baud);
        let chars: Vec<u8> = bits.iter().map(|&b| if b { long } else { short }).collect();
        let pulses = codec::classify(&chars);
        let back: Vec<bool> = pulses.iter().map(|&p| p == Pulse::One).collect();
        assert_eq!(back, bits, "{baud} baud");
    }
    // A jittery module: short pulses read 0xF8, 0xF0 or 0xE0, long ones
    // 0x80 or 0x00; the cut still falls between them.
    let chars: Vec<u8> = bits
        .iter()
        .enumerate()
        .map(|(i, &b)| match (b, i % 3) {
            (false, 0) => 0xF8,
            (false, 1) => 0xF0,
            (false, _) => 0xE0,
            (true, 0) => 0x80,
            (true, _) => 0x00,
        })
        .collect();
    let back: Vec<bool> = codec::classify(&chars)
        .iter()
        .map(|&p| p == Pulse::One)
        .collect();
    assert_eq!(back, bits);
    // A noise character is marked and spoils nothing else's reading.
    let mut noisy: Vec<u8> = bits.iter().map(|&b| if b { 0 } else { 0xF0 }).collect();
    noisy[30] = 0x5A;
    let pulses = codec::classify(&noisy);
    assert_eq!(pulses[30], Pulse::Noise(0x5A));
    assert_eq!(codec::text(&pulses).as_bytes()[30], b'?');
}
