//! The `STATUS` (or `SHMEM`) file of ntpd's Oncore driver: the last
//! message of every kind the driver knows, in a file that monitoring
//! programs map and read while the driver runs, and that the next start
//! reads back to give the receiver its almanac and position at once.
//!
//! The layout is ntpd 4.2.8p18's (`oncore_init_shmem`), so that tools
//! written for ntpd's file read ours: byte 0 unused, then one record per
//! message kind in the order of ntpd's message table, each
//!
//! ```text
//!   len_hi len_lo count  @ @ X Y ... checksum CR LF     (len + 3 bytes)
//! ```
//!
//! with `len` the whole message's length, `count` bumped (mod 256) at each
//! message stored, and the message as it came. After the `Cb` record come
//! 34 more for the almanac pages (subframe 5 pages 1–24 at 1–24, subframe
//! 4 pages 0–5 at 24–29, 6–10 at 29–33, 25 at 34, as ntpd places them);
//! after each of `Ba`, `Ea` and `Ha` three more for the position message
//! last seen in 0D (position hold), 2D and 3D. Two zero bytes end the file
//! (a record of length 0).
//!
//! When the file exists at start with the same size, the messages of its
//! records are copied into the new one up to the first record whose
//! length or id differ (ntpd's merge; the counts start again at 0).
//!
//! The driver only computes bytes ([`StatusImage`]); the host creates and
//! maps the file ([`refclock_core::port::StatusFileSpec`]) and carries out
//! the stores the driver asks for. The driver's side of it (the almanac
//! pages kept, the almanac sent back to a receiver that has none, the
//! `POSN2D`/`POSN3D` excursions out of position hold) is at the end.

use refclock_core::calendar::CivilTime;
use refclock_core::{Context, PortId, Timestamp};

use super::codec::FixMode;
use super::driver::Unit;

/// ntpd's message table (`oncore_messages[]`): id and whole length, in
/// the order that fixes the file's layout.
pub const NTPD_MESSAGES: &[([u8; 2], usize)] = &[
    (*b"Ea", 76),
    (*b"Ba", 68),
    (*b"Ha", 154),
    (*b"Bn", 59),
    (*b"En", 69),
    (*b"Hn", 78),
    (*b"Ab", 10),
    (*b"Ac", 11),
    (*b"Ad", 11),
    (*b"Ae", 11),
    (*b"Af", 15),
    (*b"Ag", 8),
    (*b"As", 20),
    (*b"At", 8),
    (*b"Au", 12),
    (*b"Av", 8),
    (*b"Aw", 8),
    (*b"Ay", 11),
    (*b"Az", 11),
    (*b"AB", 8),
    (*b"Bb", 92),
    (*b"Bd", 23),
    (*b"Bj", 8),
    (*b"Bl", 41),
    (*b"Ca", 9),
    (*b"Cb", 33),
    (*b"Cf", 7),
    (*b"Cg", 8),
    (*b"Ch", 9),
    (*b"Cj", 294),
    (*b"Ek", 71),
    (*b"Fa", 9),
    (*b"Ga", 20),
    (*b"Gb", 17),
    (*b"Gc", 8),
    (*b"Gd", 8),
    (*b"Ge", 8),
    (*b"Gj", 21),
    (*b"Ia", 10),
    (*b"Sz", 8),
];

/// Extra almanac records after the `Cb` one.
const ALMANAC_PAGES: usize = 34;
/// Extra position records (0D, 2D, 3D) after `Ba`, `Ea` and `Ha`.
const FIX_RECORDS: usize = 3;

/// An `@@Cb` answer that holds no almanac page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("@@Cb subframe {subframe} page {page} is no almanac page")]
pub struct NoAlmanac {
    /// Its subframe byte.
    pub subframe: u8,
    /// Its page byte.
    pub page: u8,
}

/// One store for the host: `data` at `offset` of the file.
pub type Store = (usize, Vec<u8>);

/// The file's content as the driver keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusImage {
    bytes: Vec<u8>,
    /// Offset of each kind's (first) record, in table order.
    offsets: Vec<usize>,
}

/// Whether `m` is a whole message with a right checksum (ntpd's
/// `oncore_checksum_ok`: the XOR of id and payload).
fn checksum_ok(m: &[u8]) -> bool {
    m.len() >= 7
        && m.starts_with(b"@@")
        && m.ends_with(b"\r\n")
        && m[2..m.len() - 3].iter().fold(0u8, |x, &b| x ^ b) == m[m.len() - 3]
}

impl StatusImage {
    /// The new file, with what `old` (the file found at start) holds
    /// merged in when its size is the same.
    pub fn new(old: Option<&[u8]>) -> StatusImage {
        let mut offsets = Vec::with_capacity(NTPD_MESSAGES.len());
        let mut n = 1;
        for &(id, len) in NTPD_MESSAGES {
            offsets.push(n);
            n += (len + 3) * (1 + Self::extra_records(id));
        }
        let mut bytes = vec![0u8; n + 2];
        for (&(id, len), &at) in NTPD_MESSAGES.iter().zip(&offsets) {
            for r in 0..=Self::extra_records(id) {
                let l = at + r * (len + 3);
                bytes[l..l + 7].copy_from_slice(&[
                    (len >> 8) as u8,
                    len as u8,
                    0,
                    b'@',
                    b'@',
                    id[0],
                    id[1],
                ]);
            }
        }
        if let Some(old) = old.filter(|o| o.len() == bytes.len()) {
            let mut l = 1;
            loop {
                let len = usize::from(bytes[l]) << 8 | usize::from(bytes[l + 1]);
                let old_len = usize::from(old[l]) << 8 | usize::from(old[l + 1]);
                if len == 0 || old_len != len || old[l + 3..l + 7] != bytes[l + 3..l + 7] {
                    break;
                }
                bytes[l + 3..l + 3 + len].copy_from_slice(&old[l + 3..l + 3 + len]);
                l += len + 3;
            }
        }
        StatusImage { bytes, offsets }
    }

    fn extra_records(id: [u8; 2]) -> usize {
        match &id {
            b"Cb" => ALMANAC_PAGES,
            b"Ba" | b"Ea" | b"Ha" => FIX_RECORDS,
            _ => 0,
        }
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Offset and length of the record of kind `id`, when ntpd's table has
    /// it.
    pub fn slot(&self, id: [u8; 2]) -> Option<(usize, usize)> {
        let i = NTPD_MESSAGES.iter().position(|&(k, _)| k == id)?;
        Some((self.offsets[i], NTPD_MESSAGES[i].1))
    }

    /// Stores message `m` in record `r` of its kind: the count bumped,
    /// the message copied. `None` when ntpd's table lacks the kind or the
    /// length differs.
    fn put(&mut self, m: &[u8], r: usize) -> Option<Store> {
        let id = [*m.get(2)?, *m.get(3)?];
        let (at, len) = self.slot(id)?;
        if m.len() != len || r > Self::extra_records(id) {
            return None;
        }
        let l = at + r * (len + 3);
        self.bytes[l + 2] = self.bytes[l + 2].wrapping_add(1);
        self.bytes[l + 3..l + 3 + len].copy_from_slice(m);
        Some((l + 2, self.bytes[l + 2..l + 3 + len].to_vec()))
    }

    /// Any message with a good checksum, in its kind's record (ntpd does
    /// this before handling it).
    pub fn record(&mut self, m: &[u8]) -> Option<Store> {
        self.put(m, 0)
    }

    /// A position message again, in the record of the fix it was taken
    /// in (`oncore_msg_BaEaHa`); none when the fix is not known.
    pub fn record_fix(&mut self, m: &[u8], fix: FixMode) -> Option<Store> {
        let r = match fix {
            FixMode::Hold0D => 1,
            FixMode::Fix2D => 2,
            FixMode::Fix3D => 3,
            FixMode::Unknown => return None,
        };
        self.put(m, r)
    }

    /// An `@@Cb` almanac page in its own record (`oncore_msg_Cb`; subframe
    /// 5 page 25 and subframe 4 page 1 share record 25, subframe 4 pages 5
    /// and 6 record 29, as in ntpd: those are not almanac pages). `Err`
    /// when the message says there is no almanac (another subframe or
    /// page).
    pub fn record_almanac(&mut self, m: &[u8]) -> Result<Option<Store>, NoAlmanac> {
        let subframe = m.get(4).copied().unwrap_or(0);
        let page = m.get(5).copied().unwrap_or(0);
        let r = match (subframe, page) {
            (5, 1..=25) => usize::from(page),
            (4, 0..=5) => usize::from(page) + 24,
            (4, 6..=10) => usize::from(page) + 23,
            (4, 25) => 34,
            _ => return Err(NoAlmanac { subframe, page }),
        };
        Ok(self.put(m, r))
    }

    /// Every record's message in file order, with its kind.
    fn messages(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut l = 1;
        std::iter::from_fn(move || {
            let len = usize::from(*self.bytes.get(l)?) << 8 | usize::from(*self.bytes.get(l + 1)?);
            if len == 0 {
                return None;
            }
            let m = self.bytes.get(l + 3..l + 3 + len)?;
            l += len + 3;
            Some(m)
        })
    }

    /// The almanac pages worth sending back to the receiver
    /// (`oncore_load_almanac`): every `@@Cb` record with a good checksum
    /// and subframe 4 or 5, in file order.
    pub fn almanac(&self) -> Vec<Vec<u8>> {
        self.messages()
            .filter(|m| m.starts_with(b"@@Cb") && checksum_ok(m) && matches!(m[4], 4 | 5))
            .map(<[u8]>::to_vec)
            .collect()
    }

    /// The position (latitude, longitude in mas, height in cm) of the last
    /// record in file order of `chan`'s position message with a good
    /// checksum and a position other than 0, 0, 0.
    pub fn position(&self, chan: u8) -> Option<(i32, i32, i32)> {
        let id: &[u8] = match chan {
            6 => b"@@Ba",
            8 => b"@@Ea",
            12 => b"@@Ha",
            _ => return None,
        };
        self.messages()
            .filter(|m| m.starts_with(id) && checksum_ok(m))
            .map(|m| {
                let w = |o: usize| i32::from_be_bytes([m[o], m[o + 1], m[o + 2], m[o + 3]]);
                (w(15), w(19), w(23))
            })
            .filter(|&p| p != (0, 0, 0))
            .last()
    }
}

impl Unit {
    /// `oncore_msg_Cb`: an almanac page, kept in the status file.
    pub(super) fn on_almanac_page(&mut self, ctx: &mut Context<'_>, m: &[u8]) {
        let Some(status) = self.status.as_mut() else {
            return;
        };
        match status.record_almanac(m) {
            Ok(Some((at, data))) => ctx.status_write(at, data),
            Ok(None) => {}
            Err(e) => ctx.log(format!("Cb: Response is NO ALMANAC: {e}")),
        }
    }

    /// `oncore_load_almanac`: a receiver without an almanac gets the one
    /// the status file kept, its position (unless the configuration file
    /// gives one) and the time of day from the receive time `now`, so
    /// that it can track at once.
    pub(super) fn load_almanac(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let Some(status) = self.status.as_ref() else {
            return;
        };
        let pages = status.almanac();
        let position = status.position(self.chan);
        ctx.log(format!("Loading {} almanac pages from SHMEM", pages.len()));
        for page in pages {
            ctx.write(PortId::MAIN, page);
        }
        if self.cfg.position.is_none() {
            if let Some(p) = position {
                ctx.log("Loading Posn from SHMEM");
                self.cfg.position = Some(p);
            }
        }
        // Deliberate: ntpd sets position hold at 0°, 0°, 0 m when neither
        // the file nor the configuration has a position.
        if self.cfg.position.is_some() {
            self.set_position(ctx);
        }
        let t = CivilTime::from_timestamp(now);
        let [yh, yl] = (t.year.clamp(0, 65535) as u16).to_be_bytes();
        if self.chan == 12 {
            let gb = [
                b'G', b'b', t.month, t.day, yh, yl, t.hour, t.minute, t.second, 0, 0, 0,
            ];
            self.send(ctx, &gb);
        } else {
            self.send(ctx, &[b'A', b'b', 0, 0, 0]);
            self.send(ctx, &[b'A', b'c', t.month, t.day, yh, yl]);
            self.send(ctx, &[b'A', b'a', t.hour, t.minute, t.second]);
        }
        ctx.log("Setting Posn and Time after Loading Almanac");
    }

    /// `oncore_shmem_get_3D`: with `POSN2D`/`POSN3D`, once every 15 s
    /// (at second 3, 18, 33, 48 of the receiver's minute) leave position
    /// hold for one fix, so that the status file's 2D or 3D record is
    /// refreshed, and go back to it at the next message.
    pub(super) fn position_excursion(&mut self, ctx: &mut Context<'_>, second: u8) {
        let two_d = self.cfg.shmem_posn == 2;
        if second % 15 == 3 {
            self.status_reset = true;
            if self.chan == 12 {
                self.send(ctx, &[b'G', b'd', if two_d { 2 } else { 0 }]);
            } else if self.saw_at {
                self.send(ctx, &[b'A', b't', 0]);
                if two_d {
                    self.send(ctx, &[b'A', b'v', 1]);
                }
            } else {
                self.send(ctx, &[b'A', b'v', 0]);
            }
        } else if self.status_reset || self.fix != FixMode::Hold0D {
            self.status_reset = false;
            if self.chan == 12 {
                self.send(ctx, &[b'G', b'd', 1]);
            } else if self.saw_at {
                if self.fix == FixMode::Fix2D {
                    self.send(ctx, &[b'A', b'v', 0]);
                }
                self.send(ctx, &[b'A', b't', 1]);
            } else {
                self.send(ctx, &[b'A', b'v', 1]);
            }
        }
    }
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
