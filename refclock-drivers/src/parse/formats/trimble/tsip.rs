//! Trimble TSIP (mode 10): libparse's clk_trimtsip.c (`cvt_trimtsip`:
//! time from 0x41, state from 0x46 and 0x4F) with ntpd's
//! `trimbletsip_*` hooks (set-up packets, the 0x21 + 0x2F query, the
//! re-initialisation on trouble).

use refclock_core::calendar::{Basedate, CivilTime, SECS_PER_DAY};
use refclock_core::framing::{DleFramer, FrameStatus, Framer};
use refclock_core::gps::{EraWindow, GpsTime as GpsClock};
use refclock_core::{ClockEvent, Context, PortId, Timestamp};

use crate::parse::format::{frame_text, Decoded, Format};
use crate::parse::time::{ParseError, ParseTime, Status, When};
use crate::tsip::{self, GpsTime, Health, IoOptions, Packet, TsipError, UtcParams};

/// libparse's format name.
pub const NAME: &str = "Trimble TSIP";

/// The query sent every second and at each poll (`tsipquery`): current
/// time (0x21) and UTC parameters (0x2F).
pub const QUERY: &[u8] = &[0x10, 0x21, 0x10, 0x03, 0x10, 0x2F, 0x10, 0x03];

/// No set-up within this many seconds of the previous one
/// (`TRIMBLE_RESET_HOLDOFF`), and silence for longer than this sends
/// one (`TRIMBLETSIP_IDLE_TIME`).
pub const HOLDOFF_SECS: f64 = 300.0;

/// The position output option ntpd sets and expects back in 0x55
/// (`TRIM_POS_OPT`: high precision).
pub const POS_OPT: u8 = 0x13;
/// The timing option (`TRIM_TIME_OPT`: UTC, computed on the second).
pub const TIME_OPT: u8 = 0x03;

/// The receiver's health as libparse keeps it (`t_operable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Operable {
    /// Unknown or bad (no 0x46 yet, or no usable fix).
    #[default]
    Bad,
    /// One to three satellites: not full precision.
    Unsafe,
    /// Doing position fixes.
    Sync,
}

/// The set-up packets (`trimbletsip_setup`), in order: versions, the
/// operating parameters (static, elevation mask 5°, signal mask 4, PDOP
/// mask 12, switch 8), time transfer fix mode, the system message,
/// superpacket binary mode, the I/O options, the UTC parameters.
pub fn setup_packets() -> Vec<u8> {
    let mut out = tsip::encode(tsip::CMD_VERSION, &[]);
    let mut params = vec![4u8];
    for v in [5.0f64.to_radians(), 4.0, 12.0, 8.0] {
        params.extend_from_slice(&(v as f32).to_be_bytes());
    }
    // ntpd's own π (3.1415926535898) rounds to the same single as ours.
    out.extend(tsip::encode(tsip::CMD_OPER_PARAMS, &params));
    out.extend(tsip::encode(tsip::CMD_FIX_MODE, &[1]));
    out.extend(tsip::encode(tsip::CMD_MESSAGE, &[]));
    out.extend(tsip::encode(tsip::CMD_SUPER, &[2]));
    out.extend(tsip::encode(
        tsip::CMD_IO_OPTIONS,
        &[POS_OPT, 0x00, TIME_OPT, 0x00],
    ));
    out.extend(tsip::encode(tsip::CMD_UTC_PARAMS, &[]));
    out
}

/// The state libparse keeps from the receiver's reports (its `struct
/// trimble`), and what ntpd's hooks keep (`trimble_t`).
#[derive(Debug)]
pub struct TsipFormat {
    framer: DleFramer,
    basedate: Basedate,
    operable: Operable,
    /// The 0x46 status byte (`t_mode`; 0 = doing fixes).
    mode: u8,
    /// A leap second warning from 0x4F: +1 insert, −1 delete.
    leap: i8,
    /// 0x4F said the UTC parameters are known (`t_utcknown`).
    utc_known: bool,
    /// When the last well-formed report arrived (`last_msg`).
    last_msg: Option<Timestamp>,
    /// When the set-up was last sent (`last_reset`).
    last_reset: Option<Timestamp>,
    /// A set-up was sent before the time was known (at the port's
    /// opening): its time is the next one seen.
    reset_undated: bool,
    /// A set-up asked for by a report (0x55 with other options), sent at
    /// the next hook (a report arrives where nothing can be written).
    setup_wanted: Option<&'static str>,
}

impl TsipFormat {
    /// A format whose truncated GPS weeks unfold from `basedate`.
    pub fn new(basedate: Basedate) -> TsipFormat {
        TsipFormat {
            framer: DleFramer::new(),
            basedate,
            operable: Operable::Bad,
            mode: 0,
            leap: 0,
            utc_known: false,
            last_msg: None,
            last_reset: None,
            reset_undated: false,
            setup_wanted: None,
        }
    }

    /// The health libparse keeps.
    pub fn operable(&self) -> Operable {
        self.operable
    }

    /// The leap warning from the last 0x4F (+1, −1 or 0).
    pub fn leap(&self) -> i8 {
        self.leap
    }

    /// Whether a 0x4F with known UTC parameters was seen.
    pub fn utc_known(&self) -> bool {
        self.utc_known
    }

    fn date(&mut self, now: Timestamp) {
        if self.reset_undated {
            self.reset_undated = false;
            self.last_reset = Some(now);
        }
        if self.last_msg.is_none() {
            self.last_msg = Some(now);
        }
    }

    /// ntpd's `trimbletsip_setup`: the set-up packets, unless one went
    /// out less than [`HOLDOFF_SECS`] ago.
    fn setup(&mut self, ctx: &mut Context<'_>, now: Option<Timestamp>, reason: &str) {
        if let (Some(last), Some(now)) = (self.last_reset, now) {
            if last.diff(now) > -HOLDOFF_SECS {
                return;
            }
        }
        match now {
            Some(now) => self.last_reset = Some(now),
            None => self.reset_undated = true,
        }
        ctx.write(PortId::MAIN, setup_packets());
        ctx.log(format!("TSIP receiver re-initialised ({reason})"));
    }

    fn pending_setup(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if let Some(reason) = self.setup_wanted.take() {
            self.setup(ctx, Some(now), reason);
        }
    }

    /// One packet (`cvt_trimtsip` and `trimbletsip_message`).
    fn packet(&mut self, frame: &[u8], rectime: Timestamp) -> Option<Decoded> {
        let packet = Packet::from_frame(frame)?;
        let text = frame_text(frame);
        let bad = |e: TsipError| Decoded::Error {
            error: ParseError::format(NAME, e.to_string()),
            text: text.clone(),
        };
        match packet.id {
            tsip::ID_GPS_TIME => {
                let t = match GpsTime::decode(&packet) {
                    Ok(t) => t,
                    Err(e) => return Some(bad(e)),
                };
                Some(match self.gps_time(&t, rectime) {
                    Ok(time) => {
                        self.last_msg = Some(rectime);
                        Decoded::Time {
                            time,
                            rectime,
                            text,
                        }
                    }
                    Err(error) => Decoded::Error { error, text },
                })
            }
            tsip::ID_HEALTH => match Health::decode(&packet) {
                Ok(h) => {
                    self.operable = match h.status {
                        0x00 => Operable::Sync,
                        0x09..=0x0B => Operable::Unsafe,
                        _ => Operable::Bad,
                    };
                    self.mode = h.status;
                    self.last_msg = Some(rectime);
                    Some(Decoded::Other { note: None })
                }
                Err(e) => Some(bad(e)),
            },
            tsip::ID_UTC_PARAMS => match UtcParams::decode(&packet) {
                Ok(u) => match u.known() {
                    Ok(known) => {
                        self.utc_params(&u, known, rectime);
                        self.last_msg = Some(rectime);
                        Some(Decoded::Other { note: None })
                    }
                    Err(e) => Some(bad(e)),
                },
                Err(e) => Some(bad(e)),
            },
            tsip::ID_IO_OPTIONS => {
                self.last_msg = Some(rectime);
                if let Ok(IoOptions(o)) = IoOptions::decode(&packet) {
                    if o[0] != POS_OPT || o[2] != TIME_OPT {
                        self.setup_wanted = Some("bad io options");
                    }
                }
                Some(Decoded::Other { note: None })
            }
            _ => {
                // Well-formed, not read (libparse's CVT_SKIP).
                self.last_msg = Some(rectime);
                Some(Decoded::Other { note: None })
            }
        }
    }

    /// A 0x41 as `cvt_trimtsip` converts it.
    fn gps_time(&self, t: &GpsTime, rectime: Timestamp) -> Result<ParseTime, ParseError> {
        let tow = f64::from(t.tow);
        if tow.is_nan() || tow.is_infinite() {
            return Err(ParseError::format(NAME, format!("time of week {tow}")));
        }
        // libparse returns POWERUP with no time at all for these, which
        // its date conversion then refuses (CVT_BADDATE).
        if tow.floor() <= 0.0 {
            return Err(ParseError::BadDate(format!(
                "time of week {tow}: the receiver has no time yet"
            )));
        }
        if !self.utc_known {
            return Err(ParseError::BadDate(
                "no UTC parameters (report 0x4F) seen yet".to_string(),
            ));
        }
        let window = EraWindow::new(&self.basedate, rectime);
        let utc = t
            .utc(&window)
            .map_err(|e| ParseError::format(NAME, e.to_string()))?;
        let mut status = Status(0);
        match self.leap {
            1 => status = status.with(Status::LEAPADD),
            -1 => status = status.with(Status::LEAPDEL),
            _ => {}
        }
        match self.operable {
            Operable::Sync => {}
            Operable::Unsafe => status = status.with(Status::NOSYNC),
            Operable::Bad => status = status.with(Status::NOSYNC | Status::POWERUP),
        }
        if self.mode == 0 {
            status = status.with(Status::POSITION);
        }
        Ok(ParseTime {
            when: When::Utc(utc),
            status,
        })
    }

    /// A 0x4F: the leap warning, as libparse derives it.
    fn utc_params(&mut self, u: &UtcParams, known: bool, rectime: Timestamp) {
        self.utc_known = known;
        let window = EraWindow::new(&self.basedate, rectime);
        let week = |w: i16| i64::from(window.expand_week(u32::from(w as u16)));
        // libparse keeps the offsets as unsigned 16-bit numbers.
        let (tls, tlsf) = (u.dtls as u16, u.dtlsf as u16);
        self.leap = if known && tlsf != tls && week(u.wnlsf) - week(u.wnt) < 5 {
            if tlsf > tls {
                1
            } else {
                -1
            }
        } else {
            0
        };
    }
}

impl Format for TsipFormat {
    fn name(&self) -> &'static str {
        NAME
    }

    fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>) {
        self.date(rectime);
        let mut input = data;
        while let Some(frame) = self.framer.next_frame(&mut input, rectime) {
            if frame.status != FrameStatus::Complete {
                continue;
            }
            // The packet's time is that of its opening DLE.
            let first = frame.first;
            let bytes = frame.data.to_vec();
            if let Some(d) = self.packet(&bytes, first) {
                out.push(d);
            }
        }
    }

    fn reset(&mut self) {
        self.framer = DleFramer::new();
        // A receiver that comes back is set up again at once.
        self.last_reset = None;
        self.reset_undated = false;
    }

    /// `trimbletsip_init`: the set-up packets.
    fn on_open(&mut self, ctx: &mut Context<'_>) {
        self.setup(ctx, None, "initial startup");
    }

    /// `trimble_check`, which ntpd runs every second (its `nextaction`
    /// is never moved on): a set-up after [`HOLDOFF_SECS`] of silence,
    /// then the query.
    fn on_second(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        self.date(now);
        self.pending_setup(ctx, now);
        if self.last_msg.is_some_and(|m| now.diff(m) > HOLDOFF_SECS) {
            self.setup(ctx, Some(now), "message timeout");
        }
        ctx.write(PortId::MAIN, QUERY);
    }

    /// `poll_dpoll`: the query again.
    fn on_poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        self.date(now);
        self.pending_setup(ctx, now);
        ctx.write(PortId::MAIN, QUERY);
    }

    /// `trimbletsip_event`: a set-up on a bad reply or a time-out.
    fn on_event(&mut self, ctx: &mut Context<'_>, event: ClockEvent, now: Timestamp) {
        if matches!(event, ClockEvent::BadReply | ClockEvent::Timeout) {
            self.date(now);
            self.setup(ctx, Some(now), "event BAD_REPLY/TIMEOUT");
        }
    }
}

/// The 0x41 a receiver sends for the UTC second `named`: the time of
/// week of that second (GPS time), the week modulo 1024, GPS − UTC.
pub fn gps_time_at(named: Timestamp, gps_utc: i32) -> GpsTime {
    let g = GpsClock::from_utc(named, gps_utc);
    GpsTime {
        tow: (g.tow_nanos as f64 / 1e9) as f32,
        week: (g.week % 1024) as i16,
        utc_offset: gps_utc as f32,
    }
}

/// The 0x4F a receiver sends at `now`: ΔtLS = `gps_utc`, and with
/// `leap` (+1 insert, −1 delete) a leap second at the end of the month
/// (ΔtLSF one more or less, WNLSF and DN of the month's last day), else
/// ΔtLSF = ΔtLS. Weeks modulo 1024.
pub fn utc_params_at(now: Timestamp, gps_utc: i32, leap: i8) -> UtcParams {
    let g = GpsClock::from_utc(now, gps_utc);
    let dtls = gps_utc as i16;
    let (wnlsf, dn, dtlsf) = if leap == 0 {
        (g.week, 1, dtls)
    } else {
        let t = CivilTime::from_timestamp(now);
        let (y, m) = if t.month == 12 {
            (t.year + 1, 1)
        } else {
            (t.year, t.month + 1)
        };
        let next = CivilTime::new(y, m, 1, 0, 0, 0)
            .to_timestamp()
            .unwrap_or(now);
        let last_day = Timestamp::from_secs(next.secs() - SECS_PER_DAY);
        let lg = GpsClock::from_utc(last_day, 0);
        let dn = (lg.tow_secs() / SECS_PER_DAY as u32) as i16 + 1;
        (lg.week, dn, dtls + i16::from(leap))
    };
    UtcParams {
        a0: 0.0,
        a1: 0.0,
        dtls,
        t0t: 405_504.0,
        wnt: (g.week % 1024) as i16,
        wnlsf: (wnlsf % 1024) as i16,
        dn,
        dtlsf,
    }
}
