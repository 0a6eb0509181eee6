//! The leap second: `@@Gj` (M12, later UT), `@@Bj` (the Oncore's own
//! flag, set months early) and the VP's `@@Bl` (the broadcast subframes,
//! from which the leap second is computed as ntpd's `oncore_msg_Bl` does),
//! asked once a day (`oncore_check_leap_sec`).

use refclock_core::{Context, Leap};

use super::codec::{self, Position};
use super::driver::Unit;

/// What `@@Bl` has given so far (ntpd's `struct Bl`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Broadcast {
    /// From subframe 4 page 18: ΔtLS, WNLSF (8 bits), DN, ΔtLSF.
    pub(super) lsf: Option<(u8, u8, u8, u8)>,
    /// From subframe 1: the week (10 bits) and the day of the week (1–7).
    pub(super) now: Option<(u16, u8)>,
}

impl Unit {
    /// `oncore_msg_Gj`: warn within the month of the leap second.
    pub(super) fn on_gj(&mut self, ctx: &mut Context<'_>, l: &codec::LeapInfo) {
        self.saw_gj = 1;
        let Some(p) = self.pos else {
            return;
        };
        let dt = l.delta();
        // The receiver names the leap second's date, or (some firmware)
        // the first day after it: either way the month it ends.
        let (mut year, mut month) = (l.year, l.month);
        if l.day == 1 && (l.hour, l.minute, l.second) == (0, 0, 0) {
            if month == 1 {
                year -= 1;
                month = 12;
            } else {
                month -= 1;
            }
        }
        let this_month = i32::from(year) == p.time.year && month == p.time.month;
        ctx.clock.leap = match dt {
            d if d > 0 && this_month => Leap::AddSecond,
            d if d < 0 && this_month => Leap::DelSecond,
            _ => Leap::NoWarning,
        };
        if dt != 0 {
            ctx.log(format!(
                "Leap second {} ({dt}) at {:04}-{:02}-{:02}",
                if dt > 0 { "inserted" } else { "removed" },
                l.year,
                l.month,
                l.day
            ));
        }
    }

    /// `oncore_check_leap_sec`: once a day ask `@@Gj`, or when there is
    /// no `@@Gj` `@@Bj` (June and December) and the VP's `@@Bl`.
    pub(super) fn check_leap(&mut self, ctx: &mut Context<'_>, p: &Position) {
        let june_dec = matches!(p.time.month, 6 | 12);
        if self.bj_day != i16::from(p.time.day) {
            self.bj_day = i16::from(p.time.day);
            if self.saw_gj < 0 {
                if june_dec {
                    self.send(ctx, &[b'B', b'j', 0]);
                }
                self.send(ctx, &[b'B', b'l', 1]);
                return;
            }
            if self.saw_gj == 0 {
                self.count4 = 1;
            }
            self.send(ctx, b"Gj");
            return;
        }
        if self.count4 > 0 {
            if self.saw_gj == 1 {
                self.count4 = 0;
            } else {
                let c = self.count4;
                self.count4 += 1;
                if c > 5 {
                    self.saw_gj = -1;
                    self.count4 = 0;
                    if june_dec {
                        self.send(ctx, &[b'B', b'j', 0]);
                        self.send(ctx, &[b'B', b'l', 1]);
                    }
                }
            }
        }
    }

    /// `oncore_msg_Bj`: the receiver's own leap flag.
    pub(super) fn on_bj(&mut self, ctx: &mut Context<'_>, m: &[u8]) {
        let (leap, what) = match m[4] {
            1 => (Leap::AddSecond, "LEAP_ADDSECOND"),
            2 => (Leap::DelSecond, "LEAP_DELSECOND"),
            _ => (Leap::NoWarning, "LEAP_NOWARNING"),
        };
        ctx.clock.leap = leap;
        ctx.log(format!("Set pp.leap to {what}"));
    }

    /// `oncore_msg_Bl`: a broadcast subframe. Subframe 4 page 18 gives
    /// the leap second's week, day and the new offset, subframe 1 today's
    /// week and day; with both, `@@Bl` is turned off and the leap
    /// indicator set when the leap second is less than four weeks away
    /// (28–31 days: only before the 20th of the month, so that it is the
    /// end of this month, not of the last).
    pub(super) fn on_bl(&mut self, ctx: &mut Context<'_>, m: &[u8]) {
        let subframe = m[6] & 0x0f;
        let valid = m[6] >> 4;
        let page = m[7];
        if valid != 10 {
            return;
        }
        if self.broadcast.lsf.is_none()
            && self.broadcast.now.is_none()
            && subframe == 4
            && page == 18
        {
            self.broadcast.lsf = Some((m[32], m[33], m[34], m[35]));
        }
        if self.broadcast.lsf.is_some() && self.broadcast.now.is_none() && subframe == 1 {
            let week = (u16::from(m[14]) << 8 | u16::from(m[15])) >> 6;
            // The HOW's 17-bit time of week in 6 s units, made 1.5 s
            // Z-counts: 57600 of them a day.
            let tow = (u32::from(m[11]) << 16 | u32::from(m[12]) << 8 | u32::from(m[13])) >> 7;
            let z = (tow & 0x1_ffff) << 2;
            self.broadcast.now = Some((week, (z / 57_600 + 1) as u8));
        }
        let (Some((dt_ls, wn_lsf, dn_lsf, dt_lsf)), Some((week, day))) =
            (self.broadcast.lsf, self.broadcast.now)
        else {
            return;
        };
        self.broadcast = Broadcast::default();
        self.send(ctx, &[b'B', b'l', 0]);
        // WNLSF has the week's 8 low bits: the two above are today's.
        let wn_lsf = i32::from(wn_lsf) | i32::from(week & 0x300);
        let weeks = (wn_lsf - i32::from(week)).rem_euclid(1024);
        let day_now = i32::from(day);
        let day_lsf = 7 * weeks + i32::from(dn_lsf);
        let step = i32::from(dt_lsf) - i32::from(dt_ls);
        let soon = day_lsf >= day_now
            && day_lsf - day_now < 32
            && (day_lsf - day_now < 28 || self.pos.is_some_and(|p| p.time.day < 20));
        ctx.clock.leap = match step {
            1 if soon => Leap::AddSecond,
            -1 if soon => Leap::DelSecond,
            _ => Leap::NoWarning,
        };
        ctx.log(format!("Set peer.leap to {:?} (from @@Bl)", ctx.clock.leap));
        if step != 0 {
            ctx.log(format!(
                "see Leap_Second ({step:+}) in {} days",
                day_lsf - day_now
            ));
        }
    }
}

#[cfg(all(test, feature = "sim"))]
#[path = "leap_tests.rs"]
mod tests;
