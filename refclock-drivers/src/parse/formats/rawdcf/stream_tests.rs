//! The raw DCF77 modes through the PARSE driver on scripted characters:
//! minute marks, the confirmation of telegrams, the synthesised seconds,
//! and every kind of bad input counted and never a wrong sample.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId,
    Refclock as _, Sample, Timestamp,
};

use super::codec::{self, Telegram, Zone};
use crate::parse::ParseDriver;
use crate::testkit::Outcome;

/// Mode 5's base delay.
const TIME1: f64 = 0.292;
/// A 50-baud character (11 bits) is read 220 ms after its start bit.
const READ_LAG: f64 = 0.220;

pub(super) fn clock(mode: u32, flag4: bool) -> Clock<ParseDriver> {
    let mut fudge = Fudge {
        mode,
        ..Fudge::default()
    };
    fudge.flags.set(ClockFlags::FLAG4, flag4);
    let mut c = Clock::start(DriverConfig {
        fudge,
        ..DriverConfig::default()
    })
    .expect("starts");
    let _ = c.take_actions();
    c
}

fn secs(y: i32, mo: u8, d: u8, h: u8, mi: u8) -> i64 {
    CivilTime::new(y, mo, d, h, mi, 0)
        .to_timestamp()
        .unwrap()
        .secs()
}

/// The 59 pulse characters (50 baud) of the telegram sent during the UTC
/// minute beginning at `minute`, in `zone`, with `edit` applied.
fn chars(minute: i64, zone: Zone, edit: impl Fn(&mut Telegram)) -> Vec<Option<u8>> {
    let named = minute + 60;
    let local =
        CivilTime::from_timestamp(Timestamp::from_secs(named - i64::from(zone.utc_offset())));
    let mut t = Telegram::for_local(&local, zone);
    edit(&mut t);
    codec::encode(&t)
        .iter()
        .map(|&b| Some(if b { 0x00 } else { 0xF0 }))
        .collect()
}

/// A minute as the module sends it: the characters from second 0 on
/// (`None` = nothing that second), each read `READ_LAG` after its second.
fn feed(c: &mut Clock<ParseDriver>, minute: i64, seconds: &[Option<u8>], out: &mut Outcome) {
    for (i, ch) in seconds.iter().enumerate() {
        if let Some(ch) = ch {
            let t = Timestamp::from_secs(minute + i as i64).add_secs_f64(READ_LAG);
            c.receive(PortId::MAIN, &[*ch], t);
            for a in c.take_actions() {
                out.add(a);
            }
        }
    }
}

/// The second a sample names (its reference time without time1).
fn named(s: &Sample) -> f64 {
    s.time.as_secs_f64() + s.offset - TIME1
}

/// Every sample names the second its character was sent in; returns them.
fn check(out: &Outcome) -> Vec<i64> {
    out.samples
        .iter()
        .map(|s| {
            let sent = (s.time.as_secs_f64() - READ_LAG).round();
            assert!((named(s) - sent).abs() < 1e-6, "{s:?} names {}", named(s));
            sent as i64
        })
        .collect()
}

/// `n` good minutes from `minute` on (CET).
fn good(c: &mut Clock<ParseDriver>, minute: i64, n: i64, out: &mut Outcome) {
    for k in 0..n {
        let m = minute + 60 * k;
        feed(c, m, &chars(m, Zone::Cet, |_| {}), out);
    }
}

const T0: i64 = 1_700_000_040; // 2023-11-14 22:14:00 UTC

#[test]
fn the_third_mark_gives_the_first_sample_then_one_a_second() {
    let mut c = clock(5, false);
    let mut out = Outcome::default();
    // Start in the middle of a minute.
    let half = chars(T0 - 60, Zone::Cet, |_| {});
    feed(
        &mut c,
        T0 - 60,
        &[vec![None; 30], half[30..].to_vec()].concat(),
        &mut out,
    );
    assert!(
        !out.events.contains(&ClockEvent::BadReply),
        "the first character ends nothing"
    );
    good(&mut c, T0, 3, &mut out);
    // The first mark ends half a telegram, the second one a good one that
    // only arms the check; the third gives the first sample.
    let bad = |o: &Outcome| {
        o.events
            .iter()
            .filter(|&&e| e == ClockEvent::BadReply)
            .count()
    };
    assert_eq!(bad(&out), 1);
    let sent = check(&out);
    assert_eq!(sent.first(), Some(&(T0 + 120)));
    // Then seconds 1..=58 of that minute, and the next mark.
    let want: Vec<i64> = (T0 + 120..T0 + 179).collect();
    assert_eq!(sent, want);
    assert!(out.samples.iter().all(|s| s.leap == Leap::NoWarning));
    // Offsets: the named second − the read + time1.
    let s = out.samples[0];
    assert!((s.offset - (TIME1 - READ_LAG)).abs() < 1e-6, "{s:?}");
}

#[test]
fn a_wrong_parity_spoils_its_minute_only() {
    let mut c = clock(5, false);
    let mut out = Outcome::default();
    good(&mut c, T0, 3, &mut out); // samples from T0 + 120 on
    let before = check(&out).len();
    // Minute T0+180: its telegram (naming T0+240) has a wrong P2.
    let mut bad = chars(T0 + 180, Zone::Cet, |_| {});
    bad[35] = Some(if bad[35] == Some(0) { 0xF0 } else { 0 });
    feed(&mut c, T0 + 180, &bad, &mut out);
    good(&mut c, T0 + 240, 2, &mut out);
    let sent = check(&out);
    // Minute T0+180 still counts on from the good telegram before; the
    // bad one gives no sample at its mark (T0+240) and nothing is
    // counted on in that minute; the next mark gives time again.
    assert!(sent.contains(&(T0 + 238)));
    assert!(!sent.iter().any(|&s| (T0 + 240..T0 + 300).contains(&s)));
    assert!(sent.contains(&(T0 + 300)) && sent.contains(&(T0 + 358)));
    assert_eq!(sent.len(), before + 59 + 59);
    assert_eq!(
        out.events
            .iter()
            .filter(|&&e| e == ClockEvent::BadReply)
            .count(),
        1
    );
    assert!(
        out.logs.iter().any(|l| l.contains("parity P2")),
        "{:?}",
        out.logs
    );
}

#[test]
fn noise_spoils_the_telegram_and_stops_the_count() {
    let mut c = clock(5, false);
    let mut out = Outcome::default();
    good(&mut c, T0, 3, &mut out);
    // Noise after second 10's character, in the same read.
    let m = T0 + 180;
    let seconds = chars(m, Zone::Cet, |_| {});
    feed(&mut c, m, &seconds[..10], &mut out);
    let t = Timestamp::from_secs(m + 10).add_secs_f64(READ_LAG);
    c.receive(PortId::MAIN, &[seconds[10].unwrap(), 0x5A], t);
    out = c.take_actions().into_iter().fold(out, |mut o, a| {
        o.add(a);
        o
    });
    let rest: Vec<Option<u8>> = [vec![None; 11], seconds[11..].to_vec()].concat();
    feed(&mut c, m, &rest, &mut out);
    good(&mut c, T0 + 240, 2, &mut out);
    let sent = check(&out);
    // Seconds up to the noise are counted, none after it, none from the
    // spoilt telegram; the minute after it is good again.
    assert!(sent.contains(&(m + 10)));
    assert!(!sent.iter().any(|&s| (m + 11..m + 120).contains(&s)));
    assert!(sent.contains(&(m + 120)) && sent.contains(&(m + 178)));
    assert!(
        out.logs.iter().any(|l| l.contains("not a pulse")),
        "{:?}",
        out.logs
    );
}

#[test]
fn a_lost_minute_mark_gives_no_wrong_sample() {
    let mut c = clock(5, false);
    let mut out = Outcome::default();
    good(&mut c, T0, 3, &mut out);
    // Second 59 of minute T0+180 carries a pulse: no gap at T0+240.
    let m = T0 + 180;
    let mut seconds = chars(m, Zone::Cet, |_| {});
    seconds.push(Some(0xF0));
    feed(&mut c, m, &seconds, &mut out);
    good(&mut c, T0 + 240, 4, &mut out);
    let sent = check(&out);
    // Counted on through second 59 and the next second 0 (both right);
    // then the 62nd character ends 61 without a mark: a bad reply, no
    // sample. The next mark is 120 s after the last one (no raster) and
    // ends a short telegram; the one after gives time again.
    assert!(sent.contains(&(m + 59)) && sent.contains(&(m + 60)));
    assert!(
        !sent.iter().any(|&s| (m + 61..m + 180).contains(&s)),
        "{sent:?}"
    );
    assert!(sent.contains(&(m + 180)));
    assert!(out.logs.iter().any(|l| l.contains("without a minute mark")));
}

#[test]
fn a_lost_second_is_an_incomplete_telegram() {
    let mut c = clock(5, false);
    let mut out = Outcome::default();
    good(&mut c, T0, 3, &mut out);
    let m = T0 + 180;
    let mut seconds = chars(m, Zone::Cet, |_| {});
    seconds[40] = None;
    feed(&mut c, m, &seconds, &mut out);
    good(&mut c, T0 + 240, 2, &mut out);
    let sent = check(&out);
    // The 2 s gap is taken for a minute mark: it ends a telegram of 40
    // seconds, and the next (true) mark one of 18, both incomplete and
    // 19 s apart (no raster); the true mark after that gives time.
    assert!(sent.contains(&(m + 39)));
    assert!(!sent.iter().any(|&s| (m + 40..m + 120).contains(&s)));
    assert!(sent.contains(&(m + 120)));
    for n in [40, 18] {
        let text = format!("incomplete: {n} of 59");
        assert!(out.logs.iter().any(|l| l.contains(&text)), "{:?}", out.logs);
    }
}

#[test]
fn a_leap_second_minute() {
    for flag4 in [false, true] {
        let mut c = clock(5, flag4);
        let mut out = Outcome::default();
        // 2016-12-31 23:59:60 UTC = 2017-01-01 00:59:60 CET. A2 is set
        // in the hour before.
        let leap_min = secs(2016, 12, 31, 23, 59);
        let start = leap_min - 4 * 60;
        for k in 0..4 {
            let m = start + 60 * k;
            feed(&mut c, m, &chars(m, Zone::Cet, |t| t.leap = true), &mut out);
        }
        // The leap minute: 60 characters (a 0 in second 59), the gap in
        // second 60; the next minute starts a second later than Unix
        // time counts it, on a system clock that inserts the second.
        let mut seconds = chars(leap_min, Zone::Cet, |t| t.leap = true);
        seconds.push(Some(0xF0));
        feed(&mut c, leap_min, &seconds, &mut out);
        let n = out.samples.len();
        let after = leap_min + 60;
        let next = chars(after, Zone::Cet, |_| {});
        // A system clock that does not insert the second reads the new
        // minute's characters a second later than they name.
        for (i, ch) in next.iter().enumerate() {
            let t = Timestamp::from_secs(after + 1 + i as i64).add_secs_f64(READ_LAG);
            c.receive(PortId::MAIN, &[ch.unwrap()], t);
            for a in c.take_actions() {
                out.add(a);
            }
        }
        let warned = &out.samples[..n];
        let want = if flag4 {
            Leap::DelSecond
        } else {
            Leap::AddSecond
        };
        assert!(warned.iter().all(|s| s.leap == want), "{warned:?}");
        // The leap minute was counted through its second 59; the mark
        // after the 61-s minute gives 00:00 (its telegram, sent in the
        // hour before, still warns), but the raster is broken so nothing
        // is counted on in that minute.
        let sent: Vec<i64> = warned
            .iter()
            .map(|s| (s.time.as_secs_f64() - READ_LAG).round() as i64)
            .collect();
        assert_eq!(sent.last(), Some(&(leap_min + 59)));
        let rest = &out.samples[n..];
        assert_eq!(rest.len(), 1, "{rest:?}");
        assert_eq!(rest[0].leap, want);
        assert!((named(&rest[0]) - after as f64).abs() < 1e-6);
    }
}

#[test]
fn a_change_to_summer_time() {
    let mut c = clock(5, false);
    let mut out = Outcome::default();
    // 2024-03-31 01:00 UTC: 02:00 CET becomes 03:00 CEST.
    let change = secs(2024, 3, 31, 1, 0);
    let mut statuses = Vec::new();
    for k in -4..3 {
        let m = change + 60 * k;
        // The telegram sent during m names m + 60.
        let zone = if m + 60 >= change {
            Zone::Cest
        } else {
            Zone::Cet
        };
        let announce = m + 60 <= change && m + 60 > change - 3600;
        feed(
            &mut c,
            m,
            &chars(m, zone, |t| t.zone_change = announce),
            &mut out,
        );
        statuses.extend(out.clockstats.drain(..).filter(|l| l.starts_with("STATE")));
    }
    let sent = check(&out);
    // UTC runs on through the change, one sample a second.
    assert_eq!(sent.first(), Some(&(change - 120)));
    assert_eq!(sent.len(), 5 * 59);
    assert!(statuses.iter().any(|l| l.contains("DST SWITCH WARNING")));
    assert!(statuses.last().unwrap().ends_with("<DST>"), "{statuses:?}");
}

#[test]
fn the_dtr_rts_modes_set_the_modem_lines_at_open() {
    for (mode, lines) in [
        (5, None),
        (6, None),
        (8, None),
        (14, Some((true, false))),
        (16, Some((false, true))),
        (19, None),
        (20, Some((true, false))),
        (21, Some((false, true))),
    ] {
        let mut c = clock(mode, false);
        c.port_event(PortId::MAIN, PortEvent::Opened);
        let set: Vec<(Option<bool>, Option<bool>)> = c
            .take_actions()
            .into_iter()
            .filter_map(|a| match a {
                Action::ModemLines { dtr, rts, .. } => Some((dtr, rts)),
                _ => None,
            })
            .collect();
        let want: Vec<_> = lines.into_iter().map(|(d, r)| (Some(d), Some(r))).collect();
        assert_eq!(set, want, "mode {mode}");
        // A failure (a pty) is logged only.
        c.port_event(
            PortId::MAIN,
            PortEvent::ModemLinesFailed("Inappropriate ioctl for device".into()),
        );
        let o = Outcome::of(c.take_actions());
        assert!(o.samples.is_empty() && o.events.is_empty());
    }
}

#[test]
fn every_mode_decodes_at_its_speed() {
    for (mode, baud) in [(6, 50), (8, 1200), (14, 50), (19, 4800), (20, 75), (21, 75)] {
        let (short, long) = codec::pulse_chars(baud);
        let mut c = clock(mode, false);
        let mut out = Outcome::default();
        for k in 0..3 {
            let m = T0 + 60 * k;
            let seconds: Vec<Option<u8>> = chars(m, Zone::Cet, |_| {})
                .iter()
                .map(|ch| Some(if *ch == Some(0) { long } else { short }))
                .collect();
            feed(&mut c, m, &seconds, &mut out);
        }
        assert_eq!(out.samples.len(), 59, "mode {mode}");
        let info = crate::parse::clock_info(mode).unwrap();
        assert_eq!(info.serial.baud, baud);
        let s = out.samples[0];
        let off = s.offset - (info.basedelay - READ_LAG);
        assert!(off.abs() < 1e-6, "mode {mode}: {s:?}");
    }
}

#[test]
fn a_telegram_before_a_loss_of_reception_is_stale() {
    let mut c = clock(5, false);
    let mut out = Outcome::default();
    good(&mut c, T0, 4, &mut out);
    // Reception is lost from T0+240 (a whole telegram waits in the
    // buffer) until T0+310; libparse would decode that telegram at
    // T0+310 and stamp T0+240 on it.
    let m = T0 + 300;
    let rest = chars(m, Zone::Cet, |_| {});
    let from_10: Vec<Option<u8>> = [vec![None; 10], rest[10..].to_vec()].concat();
    feed(&mut c, m, &from_10, &mut out);
    good(&mut c, T0 + 360, 3, &mut out);
    let sent = check(&out);
    assert!(sent.contains(&(T0 + 238)));
    assert!(
        !sent.iter().any(|&s| (T0 + 239..T0 + 420).contains(&s)),
        "{sent:?}"
    );
    assert!(sent.contains(&(T0 + 420)));
    assert!(
        out.logs
            .iter()
            .any(|l| l.contains("no minute mark: 72.0 s")),
        "{:?}",
        out.logs
    );
}
