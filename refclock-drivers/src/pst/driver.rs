//! The PST driver's logic: ntpd 4.2.8p18's `pst_start`, `pst_receive`
//! and `pst_poll`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::codec;

/// Static facts about the driver (ntpd type 3).
pub const INFO: DriverInfo = DriverInfo {
    kind: 3,
    ntpd_name: "WWV_PST",
    name: "pst",
    description: "PSTI/Traconex WWV/WWVH Receiver",
    refid: *b"WWV\0",
};

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/wwv%d";

/// What each poll writes: ntpd's `write(fd, "QTQDQMT", 6)`, so without
/// the final `T`.
pub const POLL: &[u8] = b"QTQDQM";

/// The PSTI 1010 / Traconex 1020 driver (ntpd type 3, `WWV_PST`).
///
/// See the module documentation for the answers and what differs from
/// ntpd.
#[derive(Debug)]
pub struct PstDriver {
    framer: LineFramer,
    /// The answers of the current group: the time line (with the receive
    /// time of its CR, the on-time mark), then the date line.
    time: Option<(Vec<u8>, Timestamp)>,
    date: Option<Vec<u8>>,
    /// The last whole answer, joined as ntpd joins it (clockstats at the
    /// poll).
    last: Option<Vec<u8>>,
    /// The user gave a refid: the station heard does not change it.
    fixed_refid: bool,
    /// A whole answer came since the last poll.
    heard: bool,
    port_open: bool,
}

impl PstDriver {
    /// The last whole answer, joined with spaces (ntpd's `a_lastcode`).
    pub fn last_answer(&self) -> Option<&[u8]> {
        self.last.as_deref()
    }

    fn line(&mut self, ctx: &mut Context<'_>, line: &[u8], rectime: Timestamp) {
        // A time line always opens a group: the answers resynchronise on
        // it, whoever polled the clock.
        if codec::decode_time(line).is_ok() {
            self.time = Some((line.to_vec(), rectime));
            self.date = None;
            return;
        }
        let Some((time, stamp)) = self.time.clone() else {
            ctx.log(format!(
                "pst: answer outside a group: {}",
                String::from_utf8_lossy(line)
            ));
            ctx.report(ClockEvent::BadReply);
            return;
        };
        let Some(date) = self.date.clone() else {
            self.date = Some(line.to_vec());
            return;
        };
        self.time = None;
        self.date = None;
        self.answer(ctx, &time, &date, line, stamp);
    }

    /// The three answers of one poll; `rectime` is the time line's.
    fn answer(
        &mut self,
        ctx: &mut Context<'_>,
        time: &[u8],
        date: &[u8],
        status: &[u8],
        rectime: Timestamp,
    ) {
        let joined = codec::join(&[time, date, status]);
        ctx.clock.save_timecode(&joined);
        self.last = Some(joined.clone());
        let (t, d, s) = match codec::decode(time, date, status) {
            Ok(v) => v,
            Err(e) => {
                ctx.log(format!("pst: bad answer: {e}"));
                ctx.report(ClockEvent::BadReply);
                return;
            }
        };
        self.heard = true;
        if !self.fixed_refid {
            ctx.clock.fudge.refid = Some(if s.wwvh() { *b"WWVH" } else { *b"WWV\0" });
        }
        if !s.in_sync() {
            // Deliberate difference: ntpd sets "not in sync" here and never
            // clears it; we say it for as long as the clock does, and take
            // no sample meanwhile.
            ctx.clock.leap = Leap::NotInSync;
            return;
        }
        ctx.clock.leap = Leap::NoWarning;
        ctx.clock.fields = DecodedFields {
            year: 0,
            day: d.yday,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: u32::from(t.millis) * 1_000_000,
        };
        let _ = ctx.process(rectime);
    }
}

impl Driver for PstDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let fixed_refid = ctx.clock.fudge.refid.is_some();
        let port = PortSpec::serial(config.device_or(DEVICE), SerialConfig::canonical_8n1(9600));
        Ok((
            PstDriver {
                framer: LineFramer::new(),
                time: None,
                date: None,
                last: None,
                fixed_refid,
                heard: false,
                port_open: false,
            },
            Ports::one(port),
        ))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let mut lines = Vec::new();
        self.framer
            .feed(data, rectime, |f| lines.push((f.data.to_vec(), f.last)));
        for (line, t) in lines {
            self.line(ctx, &line, t);
        }
    }

    /// `pst_poll`: a new group starts, `QTQDQM` goes out, and what came
    /// since the last poll is filtered (or a timeout reported when no
    /// answer came); the last answer goes to clockstats.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        self.time = None;
        self.date = None;
        if self.port_open {
            ctx.write(PortId::MAIN, POLL);
        } else {
            ctx.report(ClockEvent::Fault);
        }
        // ntpd's test is "a raw sample since the last poll"; it takes them
        // also while not in sync, we do not: a clock that answers is not
        // reported silent.
        ctx.clock.counters.polls += 1;
        let heard = std::mem::take(&mut self.heard);
        if !ctx.clock.pending().is_empty() {
            let _ = ctx.receive();
        } else if !heard {
            ctx.report(ClockEvent::Timeout);
        }
        if heard {
            if let Some(last) = &self.last {
                ctx.clockstats(String::from_utf8_lossy(last).into_owned());
            }
        }
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => self.port_open = true,
            PortEvent::Closed(_) => {
                self.port_open = false;
                self.framer.reset();
                self.time = None;
                self.date = None;
            }
            _ => {}
        }
    }
}
