//! The TrueTime driver's logic: ntpd 4.2.8p18's `true_start`,
//! `true_receive`, `true_send`, `true_doevent` and `true_poll`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, Reply, Satellite, Timecode};

/// Static facts about the driver (ntpd type 5).
pub const INFO: DriverInfo = DriverInfo {
    kind: 5,
    ntpd_name: "TRUETIME",
    name: "truetime",
    description: "TrueTime (generic) Receivers",
    refid: *b"TRUE",
};

/// Precision the clock claims (`PRECISION`, about 1 ms).
pub const PRECISION: i8 = -10;

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/true%d";

/// Polls without a line before each further poll restarts the
/// identification and reports a timeout (`pollcnt`).
pub const POLLCNT: u8 = 2;

/// The clock model, as the identification found it (`enum true_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Not identified yet.
    Unknown,
    /// 468-DC GOES receiver.
    Goes,
    /// GPS-TM/TMD or XL-DC.
    Tm,
    /// GPS-800 TCU.
    Tcu,
    /// OM-DC (Omega).
    Omega,
    /// TL-3 WWV receiver.
    Tl3,
}

/// Where the dialogue is (`enum true_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Start of the identification.
    Base,
    /// Asked a TM (`F18`).
    InqTm,
    /// Asked a TCU (`PO`).
    InqTcu,
    /// Asked an Omega (`C`).
    InqOmega,
    /// Asked a GOES (`P`).
    InqGoes,
    /// Asked a TL-3 (`ST0`, `QV`).
    InqTl3,
    /// TM: `F18` sent.
    Init,
    /// TM: identified, `F50` sent.
    F18,
    /// TM: `F51` sent.
    F50,
    /// Timecodes asked for.
    Start,
    /// Timecodes arriving.
    Auto,
}

/// What moves the dialogue (`enum true_event`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    Init,
    Huh,
    F18,
    F50,
    F51,
    Satellite,
    Tl3,
    Poll,
    Location,
    Ts,
}

/// The Kinemetrics/TrueTime driver (ntpd type 5, `TRUETIME`).
///
/// Feed it the clock's lines through a [`Clock`](refclock_core::Clock)
/// and tell it when its port opens; it identifies the model, sets it to
/// send a timecode a second, and after each poll turns the next timecode
/// into one raw sample (offset = named second − receive time of its CR +
/// time1, or time2 while a GOES receiver sees the east satellite). See
/// the module documentation.
#[derive(Debug)]
pub struct TrueTimeDriver {
    framer: LineFramer,
    unit: Unit,
}

#[derive(Debug)]
struct Unit {
    pollcnt: u8,
    satellite: Satellite,
    polled: bool,
    state: State,
    model: Model,
    /// `QV`, sent at the next tick: ntpd sleeps a second between `ST0`
    /// and `QV` instead.
    deferred: Option<&'static [u8]>,
    open: bool,
}

impl TrueTimeDriver {
    /// The model the identification found.
    pub fn model(&self) -> Model {
        self.unit.model
    }

    /// Where the dialogue is.
    pub fn state(&self) -> State {
        self.unit.state
    }

    /// The GOES satellite last reported (west until one is).
    pub fn satellite(&self) -> Satellite {
        self.unit.satellite
    }
}

impl Unit {
    /// `true_send`: writes unless flag1 (listen only).
    fn send(&mut self, ctx: &mut Context<'_>, cmd: &'static [u8]) {
        if ctx.fudge().flag(ClockFlags::FLAG1) || !self.open {
            return;
        }
        ctx.write(PortId::MAIN, cmd);
    }

    /// `true_doevent`.
    fn event(&mut self, ctx: &mut Context<'_>, event: Event) {
        if event != Event::Ts {
            ctx.log(format!(
                "truetime: clock {:?}, state {:?}, event {:?}",
                self.model, self.state, event
            ));
        }
        match self.model {
            Model::Goes | Model::Omega => {
                if self.model == Model::Goes {
                    match event {
                        Event::Init | Event::Satellite => {
                            self.send(ctx, b"C");
                            self.state = State::Start;
                        }
                        Event::Poll => self.send(ctx, b"P"),
                        _ => {}
                    }
                }
                // ntpd falls through from the GOES case into the Omega one.
                match event {
                    Event::Init => {
                        self.send(ctx, b"C");
                        self.state = State::Start;
                    }
                    Event::Ts => self.timecode_arrived(ctx),
                    _ => {}
                }
            }
            Model::Tm => match event {
                Event::Init => {
                    self.send(ctx, b"F18\r");
                    self.state = State::Init;
                }
                Event::F18 => {
                    // ntpd calls itself again here when the line is an
                    // XL's identification, without end: see the module
                    // documentation.
                    self.send(ctx, b"F50\r");
                    self.state = State::F18;
                }
                Event::F50 => {
                    self.send(ctx, b"F51\r");
                    self.state = State::F50;
                }
                Event::F51 => {
                    self.send(ctx, b"F08\r");
                    self.state = State::Start;
                }
                Event::Ts => self.timecode_arrived(ctx),
                _ => {}
            },
            Model::Tcu => match event {
                Event::Init => {
                    self.send(ctx, b"MD3\r");
                    self.send(ctx, b"TSU\r");
                    self.send(ctx, b"AU\r");
                    self.state = State::Start;
                }
                Event::Ts => self.timecode_arrived(ctx),
                _ => {}
            },
            Model::Tl3 => match event {
                Event::Init => self.send(ctx, b"ST1"),
                Event::Ts => self.state = State::Auto,
                _ => {}
            },
            Model::Unknown => self.identify(ctx, event),
        }
    }

    /// A timecode from an identified clock: on if timecodes were asked
    /// for, else stop it (`^C`).
    fn timecode_arrived(&mut self, ctx: &mut Context<'_>) {
        if self.state != State::Start && self.state != State::Auto {
            self.send(ctx, b"\x03\r");
        } else {
            self.state = State::Auto;
        }
    }

    /// The identification dialogue of an unknown clock.
    fn identify(&mut self, ctx: &mut Context<'_>, event: Event) {
        if event == Event::Poll {
            return;
        }
        let unexpected = |ctx: &mut Context<'_>, state: State| {
            // ntpd aborts here in some states: see the module documentation.
            ctx.log(format!(
                "truetime: event {event:?} unexpected in state {state:?}; ignored"
            ));
        };
        match self.state {
            State::Base => match event {
                Event::Init => {
                    self.send(ctx, b"P\r");
                    self.state = State::InqGoes;
                }
                _ => unexpected(ctx, self.state),
            },
            State::InqGoes => match event {
                Event::Satellite => {
                    self.model = Model::Goes;
                    self.event(ctx, Event::Init);
                }
                Event::Init | Event::Huh | Event::Ts => {
                    // Turn a TL-3's stream off, then ask it its version a
                    // second later (at the next tick; ntpd sleeps).
                    self.send(ctx, b"ST0");
                    self.state = State::InqTl3;
                    self.deferred = Some(b"QV");
                }
                _ => unexpected(ctx, self.state),
            },
            State::InqTl3 => match event {
                Event::Tl3 => {
                    self.model = Model::Tl3;
                    self.state = State::Auto;
                    self.send(ctx, b"ST1");
                }
                Event::Init | Event::Huh => {
                    self.state = State::InqOmega;
                    self.send(ctx, b"C\r");
                }
                Event::Ts => {
                    self.model = Model::Tl3;
                    self.state = State::Auto;
                }
                _ => unexpected(ctx, self.state),
            },
            State::InqOmega => match event {
                Event::Ts => {
                    self.model = Model::Omega;
                    self.state = State::Auto;
                }
                Event::Init | Event::Huh => {
                    self.state = State::InqTm;
                    self.send(ctx, b"F18\r");
                }
                _ => unexpected(ctx, self.state),
            },
            State::InqTm => match event {
                Event::F18 => {
                    self.model = Model::Tm;
                    self.event(ctx, Event::Init);
                }
                Event::Init | Event::Huh => {
                    self.send(ctx, b"PO\r");
                    self.state = State::InqTcu;
                }
                _ => unexpected(ctx, self.state),
            },
            State::InqTcu => match event {
                Event::Location => {
                    self.model = Model::Tcu;
                    self.event(ctx, Event::Init);
                }
                Event::Init | Event::Huh => {
                    // Round again at the next timeout (ntpd sleeps a
                    // second here too).
                    self.state = State::Base;
                }
                _ => unexpected(ctx, self.state),
            },
            State::Init | State::F18 | State::F50 | State::Start | State::Auto => {
                unexpected(ctx, self.state)
            }
        }
    }

    /// One line from the clock (`true_receive`), its CR read at `rectime`.
    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(text);
        self.pollcnt = POLLCNT;
        let shown = ctx.clock.timecode().to_string();
        ctx.clockstats(shown.clone());
        let reply = match codec::decode(text) {
            Ok(r) => r,
            Err(e) => {
                ctx.log(format!("truetime: bad reply '{shown}': {e}"));
                ctx.report(e.event());
                return;
            }
        };
        match reply {
            Reply::Huh => self.event(ctx, Event::Huh),
            Reply::Position { satellite, .. } => {
                if satellite != Satellite::Unknown {
                    self.satellite = satellite;
                }
                ctx.log(format!("truetime: GOES satellite {satellite:?}"));
                self.event(ctx, Event::Satellite);
            }
            Reply::Function(50) => self.event(ctx, Event::F50),
            Reply::Function(51) => self.event(ctx, Event::F51),
            Reply::Function(_) => {}
            Reply::Version => {
                ctx.log(format!("truetime: TL3: {shown}"));
                self.event(ctx, Event::Tl3);
            }
            Reply::Identification => {
                ctx.log(format!("truetime: TM/TMD/XL: {shown}"));
                self.event(ctx, Event::F18);
            }
            Reply::Location => {
                ctx.log(format!("truetime: TCU-800: {shown}"));
                self.event(ctx, Event::Location);
            }
            Reply::Time(t) => self.timecode(ctx, &t, rectime),
        }
    }

    fn timecode(&mut self, ctx: &mut Context<'_>, t: &Timecode, rectime: Timestamp) {
        ctx.clock.fields = DecodedFields {
            year: 0,
            day: t.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: 0,
        };
        ctx.clock.leap = if t.in_sync() {
            Leap::NoWarning
        } else {
            Leap::NotInSync
        };
        self.event(ctx, Event::Ts);
        // A timecode a second; one sample per poll.
        if !self.polled {
            return;
        }
        if matches!(self.model, Model::Goes | Model::Unknown) {
            self.event(ctx, Event::Poll);
        }
        let fudge = match self.satellite {
            Satellite::East => ctx.fudge().time2(),
            Satellite::West | Satellite::Unknown => ctx.fudge().time1(),
        };
        if ctx.process_fields(rectime, fudge).is_err() {
            return;
        }
        let _ = ctx.receive();
        ctx.report(ClockEvent::Nominal);
        self.polled = false;
    }
}

impl Driver for TrueTimeDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let port = PortSpec::serial(config.device_or(DEVICE), SerialConfig::canonical_8n1(9600));
        ctx.clock.leap = Leap::NoWarning;
        let driver = TrueTimeDriver {
            framer: LineFramer::new(),
            unit: Unit {
                pollcnt: POLLCNT,
                satellite: Satellite::West,
                polled: false,
                state: State::Base,
                model: Model::Unknown,
                deferred: None,
                open: false,
            },
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let TrueTimeDriver { framer, unit } = self;
        // The CR ending a timecode goes out on time.
        framer.feed(data, rectime, |line| unit.line(ctx, line.data, line.last));
    }

    /// The deferred `QV` goes out a tick after `ST0`.
    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        if let Some(cmd) = self.unit.deferred.take() {
            self.unit.send(ctx, cmd);
        }
    }

    /// `true_poll`: count down, or restart the identification (or the
    /// model's set-up) and report a timeout; the next timecode gives the
    /// sample.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        if unit.pollcnt > 0 {
            unit.pollcnt -= 1;
        } else {
            unit.event(ctx, Event::Init);
            ctx.report(ClockEvent::Timeout);
        }
        unit.polled = true;
        ctx.clock.counters.polls += 1;
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        let unit = &mut self.unit;
        match event {
            PortEvent::Opened => {
                // What ntpd does at start, here at every opening: stop a
                // clock that may be sending, then identify it.
                unit.open = true;
                self.framer.reset();
                unit.model = Model::Unknown;
                unit.state = State::Base;
                unit.deferred = None;
                unit.send(ctx, b"\x03\r");
                unit.event(ctx, Event::Init);
            }
            PortEvent::Closed(_) => {
                unit.open = false;
                unit.deferred = None;
                self.framer.reset();
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("truetime: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
