//! `@@Bl`: the leap second computed from the VP's broadcast subframes.

use refclock_core::{Leap, PortId, Refclock, Timestamp};

use super::super::codec;
use super::super::driver_tests::{clock, Bench};

/// GPS week (mod 1024) of the bench's start, Wednesday 2026-01-21.
const WEEK: u16 = 2402 % 1024;

/// A `@@Bl` message: `valid`, `subframe`, `page`, and `set` applied.
fn bl(valid: u8, subframe: u8, page: u8, set: impl Fn(&mut [u8])) -> Vec<u8> {
    let mut body = vec![0u8; 36];
    body[..2].copy_from_slice(b"Bl");
    body[4] = valid << 4 | subframe;
    body[5] = page;
    // body[i] is message byte i + 2.
    set(&mut body);
    codec::message(&body)
}

/// Subframe 4 page 18: ΔtLS 18, the leap second at the end of day `dn`
/// of week `wn_lsf`, ΔtLSF `next`.
fn page18(wn_lsf: u16, dn: u8, next: u8) -> Vec<u8> {
    bl(10, 4, 18, |b| {
        b[30] = 18;
        b[31] = wn_lsf as u8;
        b[32] = dn;
        b[33] = next;
    })
}

/// Subframe 1 of week `WEEK` at `sow` seconds of the week.
fn subframe1(sow: u32) -> Vec<u8> {
    bl(10, 1, 0, |b| {
        let how = (sow / 6) << 7;
        b[9] = (how >> 16) as u8;
        b[10] = (how >> 8) as u8;
        b[11] = how as u8;
        let w = WEEK << 6;
        b[12] = (w >> 8) as u8;
        b[13] = w as u8;
    })
}

/// Wednesday 07:33:00 in seconds of the week.
const NOW_SOW: u32 = 3 * 86_400 + 7 * 3600 + 33 * 60;

fn bench(tag: &str) -> Bench {
    let mut b = Bench::new(clock("MODE 0\n", true, tag), 8);
    b.run(20);
    assert_eq!(b.clock.state().leap, Leap::NoWarning);
    b
}

fn feed(b: &mut Bench, messages: &[Vec<u8>]) {
    for m in messages {
        let t = Timestamp::from_secs(b.now);
        b.clock.receive(PortId::MAIN, m, t);
    }
    b.run(1);
}

#[test]
fn a_leap_second_ten_days_ahead_is_announced_and_bl_turned_off() {
    let mut b = bench("bl-soon");
    // Saturday of next week: 2026-01-31, the end of this month.
    feed(&mut b, &[page18(WEEK + 1, 7, 19), subframe1(NOW_SOW)]);
    assert_eq!(b.clock.state().leap, Leap::AddSecond);
    assert!(
        b.out.logs.iter().any(|l| l.contains("in 10 days")),
        "{:?}",
        b.out.logs
    );
    assert!(b.out.writes.iter().any(|(_, w)| w.starts_with(b"@@Bl\x00")));
    // A deletion the same way.
    feed(&mut b, &[page18(WEEK + 1, 7, 17), subframe1(NOW_SOW)]);
    assert_eq!(b.clock.state().leap, Leap::DelSecond);
}

#[test]
fn a_leap_second_far_ahead_past_or_unchanged_is_no_warning() {
    let mut b = bench("bl-far");
    // Five weeks ahead: not yet.
    feed(&mut b, &[page18(WEEK + 5, 7, 19), subframe1(NOW_SOW)]);
    assert_eq!(b.clock.state().leap, Leap::NoWarning);
    assert!(b.out.logs.iter().any(|l| l.contains("in 38 days")));
    // No change of the offset.
    feed(&mut b, &[page18(WEEK + 1, 7, 18), subframe1(NOW_SOW)]);
    assert_eq!(b.clock.state().leap, Leap::NoWarning);
    // Subframes the receiver marks not valid are ignored.
    let invalid = bl(9, 4, 18, |p| p[31] = 19);
    feed(&mut b, &[invalid, subframe1(NOW_SOW)]);
    assert_eq!(b.clock.state().leap, Leap::NoWarning);
    let offs = b
        .out
        .writes
        .iter()
        .filter(|(_, w)| w.starts_with(b"@@Bl\x00"))
        .count();
    assert_eq!(offs, 2, "turned off once per complete set");
}

#[test]
fn subframe_1_before_page_18_waits_for_it() {
    let mut b = bench("bl-order");
    feed(&mut b, &[subframe1(NOW_SOW), page18(WEEK + 1, 7, 19)]);
    assert_eq!(b.clock.state().leap, Leap::NoWarning, "not yet: no week");
    feed(&mut b, &[subframe1(NOW_SOW)]);
    assert_eq!(b.clock.state().leap, Leap::AddSecond);
}
