//! The Ultralink driver's logic: ntpd 4.2.8p18's `ulink_start`,
//! `ulink_receive` and `ulink_poll`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, LeapWarning};

/// Static facts about the driver (ntpd type 34).
pub const INFO: DriverInfo = DriverInfo {
    kind: 34,
    ntpd_name: "ULINK",
    name: "ulink",
    description: "Ultralink M320 WWVB receiver",
    refid: *b"WWVB",
};

/// Precision the clock claims (about 1 ms).
pub const PRECISION: i8 = -10;

/// The poll character written with flag1.
pub const POLL: u8 = b'T';

/// The Ultralink WWVB receivers (ntpd type 34, `ULINK`): see the module
/// documentation.
#[derive(Debug)]
pub struct UlinkDriver {
    framer: LineFramer,
    /// Times of the last two line ends (CR or LF), the older first.
    eols: [Option<Timestamp>; 2],
    /// The on-time mark of the line being received: the line end before
    /// the LF that preceded it (the CR of its CR LF).
    mark: Option<Timestamp>,
    /// A timecode decoded since the last poll.
    heard: bool,
}

impl UlinkDriver {
    fn line(&mut self, ctx: &mut Context<'_>, code: &[u8], mark: Option<Timestamp>) {
        ctx.clock.save_timecode(code);
        let text = ctx.clock.timecode().to_string();
        let t = match codec::decode(code) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("bad timecode '{text}': {e}"));
                ctx.report(e.event());
                return;
            }
        };
        ctx.clock.fields = DecodedFields {
            year: i32::from(t.year),
            day: t.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: u32::from(t.hundredths) * 10_000_000,
        };
        self.heard = true;
        if !t.sync {
            ctx.clock.leap = Leap::NotInSync;
            return;
        }
        ctx.clock.leap = match t.leap {
            LeapWarning::None => Leap::NoWarning,
            LeapWarning::Insert => Leap::AddSecond,
            LeapWarning::Delete => Leap::DelSecond,
        };
        let Some(mark) = mark else {
            // The first line after the port opened: its CR was not seen.
            return;
        };
        // A failure is reported (CEVNT_BADTIME) by `process`.
        let _ = ctx.process(mark);
    }
}

impl Driver for UlinkDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let port = PortSpec::serial(
            config.device_or("/dev/wwvb%d"),
            SerialConfig::canonical_8n1(9600),
        );
        let driver = UlinkDriver {
            framer: LineFramer::new(),
            eols: [None, None],
            mark: None,
            heard: false,
        };
        Ok((driver, Ports::one(port)))
    }

    /// Lines, each stamped with the CR before it: in canonical mode the
    /// CR (made a NL by ICRNL) and the LF are reads of their own, or the
    /// CR ends the read of the line before (33x), so the mark is the
    /// older of the two line ends before the text.
    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        for &b in data {
            let eol = matches!(b & 0x7f, b'\r' | b'\n');
            if !eol && self.framer.pending() == 0 && (0x20..0x7f).contains(&(b & 0x7f)) {
                self.mark = self.eols[0];
            }
            let mut line = None;
            self.framer
                .feed(&[b], rectime, |f| line = Some(f.data.to_vec()));
            if let Some(line) = line {
                let mark = self.mark.take();
                self.line(ctx, &line, mark);
            }
            if eol {
                self.eols = [self.eols[1], Some(rectime)];
            }
        }
    }

    /// `ulink_poll`: `T` with flag1; a timeout without a timecode since
    /// the last poll, else the pending samples filtered (none while the
    /// receiver is not in sync); the last timecode to clockstats.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        if ctx.fudge().flag(ClockFlags::FLAG1) {
            ctx.write(PortId::MAIN, vec![POLL]);
        }
        ctx.clock.counters.polls += 1;
        if !std::mem::take(&mut self.heard) {
            ctx.report(ClockEvent::Timeout);
            return;
        }
        if !ctx.clock.pending().is_empty() {
            let _ = ctx.receive();
        }
        let code = ctx.clock.timecode().to_string();
        ctx.clockstats(code);
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Closed(_) => {
                self.framer.reset();
                self.eols = [None, None];
                self.mark = None;
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
