//! Each receiver's commands and replies: ntpd 4.2.8p18's
//! `jjy_poll_*` and `jjy_receive_*` for modes 1–6.

use refclock_core::calendar::CivilTime;
use refclock_core::{ClockEvent, ClockFlags, Context, Leap, Timestamp};

use super::codec::{
    decode_hms, decode_jjy200, decode_jst2000, decode_long_date, decode_lt2000, decode_tdc300,
    text_of, Jjy200Status, Jst, Tdc300, GPS01_STATUS, JST_OFFSET,
};
use super::driver::{Outcome, Receiver, Unit};

/// The TS-JJY01/02 and TS-GPSclock-01 commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `dcst`: `valid` or `invalid` (TS-JJY01).
    Dcst,
    /// `stus`: `adjusted`/`unadjusted` (TS-JJY01); `*R`, `*G`, `*U`,
    /// `+U` (TS-GPSclock-01).
    Stus,
    /// `time`: `HH:MM:SS` at once.
    Time,
    /// `date`: `YYYY/MM/DD WWW` (TS-JJY01), `YYYY/MM/DD` (TS-GPSclock-01).
    Date,
    /// `stim`: `HH:MM:SS` at the next second (TS-JJY01).
    Stim,
}

impl Command {
    /// The bytes written.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Command::Dcst => b"dcst\r\n",
            Command::Stus => b"stus\r\n",
            Command::Time => b"time\r\n",
            Command::Date => b"date\r\n",
            Command::Stim => b"stim\r\n",
        }
    }
}

/// The TS-JJY01's command sequence (index 0: idle); without flag1 a poll
/// starts at `time`.
pub const JJY01_SEQUENCE: [Option<Command>; 6] = [
    None,
    Some(Command::Dcst),
    Some(Command::Stus),
    Some(Command::Time),
    Some(Command::Date),
    Some(Command::Stim),
];

/// The TS-GPSclock-01's (index 0: idle); without flag1 a poll starts at
/// the first `time`.
pub const GPS01_SEQUENCE: [Option<Command>; 5] = [
    None,
    Some(Command::Stus),
    Some(Command::Time),
    Some(Command::Date),
    Some(Command::Time),
];

/// The JST2000's request, `ENQ 1 J ETX`.
pub const JST2000_REQUEST: &[u8] = b"\x051J\x03";
/// The LT-2000's switch to continuous output.
pub const LT2000_CONTINUOUS: &[u8] = b"C";
/// The LT-2000's switch back to request-and-send (no more lines).
pub const LT2000_REQUEST_SEND: &[u8] = b"#";

fn sequence(receiver: Receiver) -> &'static [Option<Command>] {
    match receiver {
        Receiver::TristateGps01 => &GPS01_SEQUENCE,
        _ => &JJY01_SEQUENCE,
    }
}

fn bad(why: impl std::fmt::Display) -> Outcome {
    Outcome::Bad(ClockEvent::BadReply, why.to_string())
}

impl Unit {
    /// The receiver's part of `jjy_poll`.
    pub fn start_poll(&mut self, ctx: &mut Context<'_>) {
        let flag1 = ctx.fudge().flag(ClockFlags::FLAG1);
        match self.receiver {
            Receiver::TristateJjy01 | Receiver::TristateGps01 => {
                if self.receiver == Receiver::TristateJjy01 {
                    self.adjusted = false;
                }
                self.seq = match (self.receiver, flag1) {
                    (_, true) => 1,
                    (Receiver::TristateJjy01, false) => 3,
                    _ => 2,
                };
                self.send_current(ctx);
            }
            Receiver::CdexJst2000 => {
                self.seq = 1;
                self.write(ctx, JST2000_REQUEST);
            }
            Receiver::EchoLt2000 => self.write(ctx, LT2000_CONTINUOUS),
            // They send every second: the next one is taken.
            Receiver::CitizenJjy200 | Receiver::SeikoTdc300 | Receiver::Telephone => {}
        }
    }

    fn send_current(&mut self, ctx: &mut Context<'_>) {
        if let Some(Some(cmd)) = sequence(self.receiver).get(self.seq) {
            self.write(ctx, cmd.bytes());
            ctx.clockstats(format!(
                "--> {}",
                String::from_utf8_lossy(&cmd.bytes()[..4])
            ));
        }
    }

    /// The receiver's `jjy_receive_*`.
    pub fn dispatch(&mut self, ctx: &mut Context<'_>, data: &[u8], rectime: Timestamp) -> Outcome {
        match self.receiver {
            Receiver::TristateJjy01 | Receiver::TristateGps01 => {
                self.command_reply(ctx, data, rectime)
            }
            Receiver::CdexJst2000 => {
                if self.seq != 1 {
                    return bad(format!("unexpected reply {:?}", printable(data)));
                }
                match decode_jst2000(&text_of(data)) {
                    Ok(t) => {
                        self.jst = t;
                        self.synctime(ctx, rectime, Leap::NoWarning);
                        Outcome::Done
                    }
                    Err(e) => bad(e),
                }
            }
            Receiver::EchoLt2000 => match decode_lt2000(data) {
                Ok((t, _status)) => {
                    // The line comes half a second before the second it
                    // names.
                    self.jst = t.half_second_before();
                    self.synctime(ctx, rectime, Leap::NoWarning);
                    self.write(ctx, LT2000_REQUEST_SEND);
                    Outcome::Done
                }
                Err(e) => bad(e),
            },
            Receiver::CitizenJjy200 => match decode_jjy200(data) {
                Ok((Jjy200Status::Ok, t)) => {
                    self.jst = t;
                    self.synctime(ctx, rectime, Leap::NoWarning);
                    Outcome::Done
                }
                Ok((status, _)) => {
                    ctx.clockstats(format!("* Unsure timestamp : status={status:?}"));
                    ctx.report(ClockEvent::Prop);
                    Outcome::Done
                }
                Err(e) => bad(e),
            },
            Receiver::SeikoTdc300 => self.tdc300(ctx, data, rectime),
            Receiver::Telephone => Outcome::Done,
        }
    }

    /// TS-JJY01/02 and TS-GPSclock-01: one reply of the command sequence.
    fn command_reply(&mut self, ctx: &mut Context<'_>, data: &[u8], rectime: Timestamp) -> Outcome {
        let gps = self.receiver == Receiver::TristateGps01;
        let mut text = data;
        if gps {
            // NMEA sentences and the command prompt are skipped.
            let nmea = |t: &[u8]| t.len() > 5 && (t.starts_with(b"$GP") || t.starts_with(b"$PFEC"));
            if nmea(text) || text == b"$Cmd>" {
                return Outcome::Wait;
            }
            if let Some(rest) = text.strip_prefix(b"$Cmd>") {
                text = rest;
            }
            if nmea(text) {
                return Outcome::Wait;
            }
        }
        let Some(Some(cmd)) = sequence(self.receiver).get(self.seq).copied() else {
            return bad(format!("unexpected reply {:?}", printable(text)));
        };
        match cmd {
            Command::Date => match decode_long_date(text, if gps { 0 } else { 4 }) {
                Ok((y, m, d)) => {
                    self.jst.year = y;
                    self.jst.month = m;
                    self.jst.day = d;
                }
                Err(e) => return bad(e),
            },
            Command::Time | Command::Stim => {
                if self.stamps.len() >= 2 {
                    return bad(format!("too many time replies ({})", self.stamps.len()));
                }
                match decode_hms(text) {
                    Ok((h, m, s)) => {
                        self.jst.hour = h;
                        self.jst.minute = m;
                        self.jst.second = s;
                        self.jst.millis = 0;
                        self.stamps.push(self.jst.second_of_day());
                    }
                    Err(e) => return bad(e),
                }
            }
            Command::Stus if gps => {
                if !GPS01_STATUS.contains(&text) {
                    return bad(format!("invalid status {:?}", printable(text)));
                }
            }
            Command::Stus => {
                if text.eq_ignore_ascii_case(b"adjusted") {
                    self.adjusted = true;
                    self.adjusted_once = true;
                    self.last_adjusted = Some(rectime);
                } else if text.eq_ignore_ascii_case(b"unadjusted") {
                    self.adjusted = false;
                } else {
                    return bad(format!("invalid stus reply {:?}", printable(text)));
                }
            }
            Command::Dcst => {
                if !(text.eq_ignore_ascii_case(b"valid") || text.eq_ignore_ascii_case(b"invalid")) {
                    return bad(format!("invalid dcst reply {:?}", printable(text)));
                }
            }
        }
        if self.stamps.len() == 2 {
            return self.two_stamps(ctx, rectime);
        }
        self.seq += 1;
        if sequence(self.receiver)
            .get(self.seq)
            .copied()
            .flatten()
            .is_none()
        {
            return Outcome::Done;
        }
        self.send_current(ctx);
        Outcome::Wait
    }

    /// Both time replies are in: a sample when the second came within
    /// two seconds of the first (so that the date between them is of the
    /// same day).
    fn two_stamps(&mut self, ctx: &mut Context<'_>, rectime: Timestamp) -> Outcome {
        let (first, second) = (self.stamps[0], self.stamps[1]);
        if self.receiver == Receiver::TristateJjy01
            && ctx.fudge().flag(ClockFlags::FLAG2)
            && !self.adjusted
        {
            let since = self.last_adjusted.map_or(0.0, |t| rectime.diff(t).max(0.0));
            if since >= ctx.fudge().time2() * 3600.0 || !self.adjusted_once {
                ctx.clockstats(format!(
                    "* Skip time synchronization : STUS is 'UNADJUSTED' for {since:.0} seconds"
                ));
                return Outcome::Done;
            }
        }
        if second >= first && second - first <= 2 {
            self.synctime(ctx, rectime, Leap::NoWarning);
            Outcome::Done
        } else if first > second {
            ctx.clockstats(format!("* Over midnight : timestamp={first}, {second}"));
            Outcome::Done
        } else {
            bad(format!("slow reply: timestamps {first}, {second}"))
        }
    }

    /// TDC-300: type 3's announcement and second signal, or a type 1 or
    /// type 2 timecode.
    fn tdc300(&mut self, ctx: &mut Context<'_>, data: &[u8], rectime: Timestamp) -> Outcome {
        self.receive_seq += 1;
        let text = text_of(data);
        let frame = match decode_tdc300(&text) {
            Ok(f) => f,
            Err(e) => return bad(e),
        };
        match frame {
            Tdc300::Announce(t) => {
                self.jst = t;
                Outcome::Wait
            }
            Tdc300::Second if self.receive_seq == 1 => {
                // A second signal before any announcement: wait for one.
                self.receive_seq = 0;
                Outcome::Wait
            }
            Tdc300::Second if self.receive_seq >= 3 => bad("unexpected second signal"),
            Tdc300::Second => {
                self.synctime(ctx, rectime, Leap::NoWarning);
                Outcome::Done
            }
            Tdc300::Full(t, _) => {
                self.jst = t;
                self.synctime(ctx, rectime, Leap::NoWarning);
                Outcome::Done
            }
            Tdc300::Time(h, m, s) => {
                if h == 23 && m == 59 && s >= 55 {
                    // The date could be the next day's by the time it is
                    // taken from the computer's clock.
                    return Outcome::Wait;
                }
                // The date is the computer's, in JST.
                let local =
                    CivilTime::from_timestamp(Timestamp::from_secs(rectime.secs() + JST_OFFSET));
                self.jst = Jst {
                    year: local.year,
                    month: local.month,
                    day: local.day,
                    hour: h,
                    minute: m,
                    second: s,
                    millis: 0,
                };
                self.synctime(ctx, rectime, Leap::NoWarning);
                Outcome::Done
            }
        }
    }
}

fn printable(data: &[u8]) -> String {
    super::driver::printable(data)
}
