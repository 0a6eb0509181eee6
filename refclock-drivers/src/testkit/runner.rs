//! The script runner: a driver driven by a [script](super::script) as a
//! host would drive it, every call checked.

use refclock_core::driver::HostStatus;
use refclock_core::port::{CloseReason, ModemStatus, OpenPolicy, PortEvent, PpsEdge, PpsEdgeKind};
use refclock_core::{Action, Clock, DriverConfig, PortId, Refclock, Timestamp};

use super::fuzz::{Call, Checker, FuzzDriver};
use super::invariants::Invariants;
use super::replay::drain;
use super::script::{Op, PortOp, Step, Steps, FRACTION_UNIT};

const SECOND: i128 = 1_000_000_000;
/// Rounds of host answers (an open answering an open...) after one call.
const MAX_ANSWER_ROUNDS: usize = 8;

/// Runs the script in `data` (a [header](super::Header) and its steps)
/// against a fresh `Clock<D>`, checking after every call the properties
/// every driver keeps and `D`'s own ([`FuzzDriver::checker`]); panics when
/// one fails. Returns the number of samples taken.
///
/// The runner plays the host: it announces each port opened at start
/// ([`OpenPolicy::AtStart`], [`OpenPolicy::Keep`]), answers
/// [`Action::Open`] with [`PortEvent::Opened`], [`Action::Close`] with
/// [`PortEvent::Closed`] and [`Action::QueryModem`] with the script's
/// modem lines; it delivers device data only to a port that is open, and
/// PPS edges only to a driver that asked for a PPS source.
///
/// The generic properties, after every call:
///
/// * no panic;
/// * every sample's offset is finite;
/// * every sample's time is a receive time handed in (moved by
///   [`Rules::sample_time_shift`](super::Rules::sample_time_shift)), or a
///   timer or poll time when the rules allow, or, for a driver with a PPS
///   source, within 1 s of a receive time or a PPS edge;
/// * no sample while the clock's leap indicator says not in sync, unless
///   the rules allow it;
/// * the clock's counters never decrease, and `counters.samples` is the
///   number of samples queued;
/// * an [`Action::Event`] only on a change of status, and the clock's
///   status is the last event;
/// * at most one [`Action::Filtered`] per poll interval, finite, from at
///   most the samples taken since the last one and between their smallest
///   and largest offset;
/// * actions that address a port address one the driver asked for;
/// * clockstats and log lines are single lines; the saved timecode is
///   printable and shorter than 128 bytes.
pub fn run_script<D: FuzzDriver>(data: &[u8]) -> usize {
    let (header, steps) = Steps::new(data);
    let config = D::script_config(header.config(&D::MODE_BITS));
    run_steps::<D>(&config, header.start_time(), steps)
}

/// [`run_script`] with the configuration and start time given, and the
/// script as ops (for property tests).
pub fn run_ops<D: FuzzDriver>(config: &DriverConfig, start: Timestamp, ops: &[Op]) -> usize {
    let steps = ops.iter().map(|op| match op {
        Op::Data(d) => Step::Data(d),
        other => Step::Command(other.clone()),
    });
    run_steps::<D>(config, start, steps)
}

fn run_steps<'a, D: FuzzDriver>(
    config: &DriverConfig,
    start: Timestamp,
    steps: impl Iterator<Item = Step<'a>>,
) -> usize {
    let rules = D::rules(config);
    let clock = match Clock::<D>::start(config.clone()) {
        Ok(c) => c,
        Err(e) => {
            assert!(!rules.must_start, "the driver refused {config:?}: {e}");
            return 0;
        }
    };
    let ports = clock.ports().list.len();
    let mut run = Run {
        invariants: Invariants::new(
            rules,
            ports,
            clock.ports().pps.is_some(),
            clock
                .ports()
                .status_file
                .as_ref()
                .map_or(0, |f| f.image.len()),
        ),
        checker: D::checker(config),
        open: clock
            .ports()
            .list
            .iter()
            .map(|p| p.open != OpenPolicy::OnDemand)
            .collect(),
        clock,
        data_port: 0,
        modem: ModemStatus::default(),
        sequence: 0,
        samples: 0,
    };
    run.checked(Call::Start);
    for i in 0..ports {
        if run.open[i] {
            run.call(Call::Port {
                port: PortId(i as u8),
                event: PortEvent::Opened,
            });
        }
    }
    let mut now = start;
    for step in steps {
        match step {
            Step::Data(bytes) => {
                if run.open.get(run.data_port) == Some(&true) {
                    run.call(Call::Receive {
                        port: PortId(run.data_port as u8),
                        data: bytes,
                        rectime: now,
                    });
                }
            }
            Step::Command(op) => run.command(op, &mut now),
        }
    }
    run.checked(Call::Shutdown);
    run.checker.finish(&run.clock);
    run.samples
}

struct Run<D: FuzzDriver> {
    clock: Clock<D>,
    invariants: Invariants,
    checker: Box<dyn Checker<D>>,
    /// Which ports are open.
    open: Vec<bool>,
    data_port: usize,
    modem: ModemStatus,
    sequence: u32,
    samples: usize,
}

fn shift(t: Timestamp, nanos: i128) -> Timestamp {
    Timestamp::from_nanos(t.as_nanos() + nanos)
}

impl<D: FuzzDriver> Run<D> {
    fn command(&mut self, op: Op, now: &mut Timestamp) {
        let ports = self.open.len();
        match op {
            Op::Data(_) => unreachable!("data is a step of its own"),
            Op::AdvanceMs(n) => *now = shift(*now, i128::from(n) * 1_000_000),
            Op::AdvanceSecs(n) => *now = shift(*now, i128::from(n) * SECOND),
            Op::BackMs(n) => *now = shift(*now, -i128::from(n) * 1_000_000),
            Op::SetFraction(n) => {
                *now = Timestamp::from_nanos(
                    i128::from(now.secs()) * SECOND + i128::from(n) * FRACTION_UNIT,
                )
            }
            Op::Ticks(n) => {
                for _ in 0..=(n % 64) {
                    *now = shift(*now, SECOND);
                    self.call(Call::Timer(*now));
                }
            }
            Op::Poll => self.call(Call::Poll(*now)),
            Op::Pps { offset, clear } => {
                if self.clock.ports().pps.is_some() {
                    self.sequence = self.sequence.wrapping_add(1);
                    self.call(Call::Pps(PpsEdge {
                        time: shift(*now, i128::from(offset) * 100_000),
                        sequence: self.sequence,
                        kind: if clear {
                            PpsEdgeKind::Clear
                        } else {
                            PpsEdgeKind::Assert
                        },
                    }));
                }
            }
            Op::PpsFault => {
                if self.clock.ports().pps.is_some() {
                    self.call(Call::PpsFault);
                }
            }
            Op::Port { port, op } => self.port_op(usize::from(port), op),
            Op::DataPort(n) => self.data_port = usize::from(n) % ports.max(1),
            Op::Modem(bits) => self.modem = Op::modem_status(bits),
            Op::HostLeap(code) => self.clock.set_host_status(HostStatus {
                sys_leap: Op::host_leap(code),
            }),
        }
    }

    fn port_op(&mut self, i: usize, op: PortOp) {
        let Some(&open) = self.open.get(i) else {
            return;
        };
        let port = PortId(i as u8);
        let reopens = self.clock.ports().list[i].open != OpenPolicy::OnDemand;
        let lost = || PortEvent::Closed(CloseReason::Lost("end of file".into()));
        match op {
            PortOp::Bounce if open => {
                self.open[i] = false;
                self.call(Call::Port {
                    port,
                    event: lost(),
                });
                if reopens {
                    self.open[i] = true;
                    self.call(Call::Port {
                        port,
                        event: PortEvent::Opened,
                    });
                }
            }
            PortOp::Lost if open => {
                self.open[i] = false;
                self.call(Call::Port {
                    port,
                    event: lost(),
                });
            }
            PortOp::Reopened if !open && reopens => {
                self.open[i] = true;
                self.call(Call::Port {
                    port,
                    event: PortEvent::Opened,
                });
            }
            PortOp::WriteFailed if open => self.call(Call::Port {
                port,
                event: PortEvent::WriteFailed("resource temporarily unavailable".into()),
            }),
            _ => {}
        }
    }

    /// Makes the call, checks it, and gives the host's answers to what the
    /// driver asked.
    fn call(&mut self, call: Call<'_>) {
        let mut actions = self.checked(call);
        for _ in 0..MAX_ANSWER_ROUNDS {
            let answers = self.answers(&actions);
            if answers.is_empty() {
                return;
            }
            actions.clear();
            for call in answers {
                actions.extend(self.checked(call));
            }
        }
    }

    fn checked(&mut self, call: Call<'_>) -> Vec<Action> {
        self.invariants.before(&call);
        match &call {
            Call::Start => {}
            Call::Shutdown => self.clock.shutdown(),
            Call::Receive {
                port,
                data,
                rectime,
            } => self.clock.receive(*port, data, *rectime),
            Call::Pps(edge) => self.clock.pps(*edge),
            Call::PpsFault => self.clock.pps_fault("no PPS edge"),
            Call::Timer(t) => self.clock.timer(*t),
            Call::Poll(t) => self.clock.poll(*t),
            Call::Port { port, event } => self.clock.port_event(*port, event.clone()),
        }
        let actions = drain(&mut self.clock);
        self.invariants.after(self.clock.state(), &call, &actions);
        self.checker.check(&self.clock, &call, &actions);
        self.samples += actions
            .iter()
            .filter(|a| matches!(a, Action::Sample(_)))
            .count();
        actions
    }

    /// The host's answers to the actions of one call.
    fn answers(&mut self, actions: &[Action]) -> Vec<Call<'static>> {
        let mut out = Vec::new();
        for a in actions {
            match *a {
                Action::Open(port) if self.open.get(port.index()) == Some(&false) => {
                    self.open[port.index()] = true;
                    out.push(Call::Port {
                        port,
                        event: PortEvent::Opened,
                    });
                }
                Action::Close(port) if self.open.get(port.index()) == Some(&true) => {
                    self.open[port.index()] = false;
                    out.push(Call::Port {
                        port,
                        event: PortEvent::Closed(CloseReason::Requested),
                    });
                }
                Action::QueryModem(port) if port.index() < self.open.len() => {
                    out.push(Call::Port {
                        port,
                        event: PortEvent::ModemStatus(self.modem),
                    })
                }
                _ => {}
            }
        }
        out
    }
}
