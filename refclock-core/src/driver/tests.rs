//! Unit tests of the driver interface.

use super::*;
use crate::action::Action;
use crate::clock::ClockId;
use crate::event::ClockEvent;
use crate::port::{PortSpec, PpsEdgeKind, SerialConfig};

/// A driver that answers every line with `ok` and takes a sample from
/// each byte count.
struct Echo {
    opened: usize,
}

impl Driver for Echo {
    const INFO: DriverInfo = DriverInfo {
        kind: 250,
        ntpd_name: "ECHO",
        name: "echo",
        description: "test driver",
        refid: *b"ECHO",
    };

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        if config.fudge.mode > 1 {
            return Err(StartError::BadMode {
                mode: config.fudge.mode,
                reason: "0 or 1".into(),
            });
        }
        ctx.clock.leap = Leap::NoWarning;
        let path = config.device_or("/dev/echo%d");
        Ok((
            Echo { opened: 0 },
            Ports::one(PortSpec::serial(path, SerialConfig::raw_8n1(9600))),
        ))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, port: PortId, data: &[u8], t: Timestamp) {
        ctx.write(port, b"ok".to_vec());
        ctx.push_sample(t, data.len() as f64);
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        if event == PortEvent::Opened {
            self.opened += 1;
            ctx.report(ClockEvent::Nominal);
        }
    }
}

#[test]
fn start_checks_and_names_the_ports() {
    let mut cfg = DriverConfig {
        unit: 3,
        ..DriverConfig::default()
    };
    let clock = Clock::<Echo>::start(cfg.clone()).unwrap();
    assert_eq!(clock.id(), ClockId { kind: 250, unit: 3 });
    assert_eq!(
        clock.ports().get(PortId::MAIN).unwrap().kind.path(),
        Some(std::path::Path::new("/dev/echo3"))
    );
    assert_eq!(clock.state().leap, Leap::NoWarning);
    cfg.fudge.mode = 2;
    assert!(matches!(
        Clock::<Echo>::start(cfg),
        Err(StartError::BadMode { mode: 2, .. })
    ));
}

#[test]
fn entry_points_queue_actions_in_order() {
    let mut clock: Box<dyn Refclock> =
        Box::new(Clock::<Echo>::start(DriverConfig::default()).unwrap());
    clock.port_event(PortId::MAIN, PortEvent::Opened);
    clock.receive(PortId::MAIN, b"abc", Timestamp::from_secs(5));
    let mut got = Vec::new();
    while let Some(a) = clock.next_action() {
        got.push(a);
    }
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got[0],
        Action::Write {
            port: PortId::MAIN,
            data: b"ok".to_vec()
        }
    );
    let Action::Sample(s) = got[1] else {
        panic!("{got:?}")
    };
    assert_eq!((s.offset, s.pulse, s.leap), (3.0, false, Leap::NoWarning));
    assert_eq!(downcast_driver::<Echo>(clock.as_ref()).unwrap().opened, 1);
    assert_eq!(clock.state().counters.samples, 1);
}

#[test]
fn pps_samples_carry_the_pulse_flag() {
    let mut clock = Clock::<Echo>::start(DriverConfig::default()).unwrap();
    let s = clock.with(|_, ctx| ctx.process_pps(Timestamp::new(50, 999_000_000), 0.0));
    assert!(s.pulse);
    assert!((s.offset - 0.001).abs() < 1e-12);
    let s = clock.with(|_, ctx| ctx.process_pps(Timestamp::new(51, 2_000_000), 0.0));
    assert!((s.offset + 0.002).abs() < 1e-12);
    let _ = PpsEdgeKind::Assert;
}

#[test]
fn default_poll_reports_a_timeout_or_filters() {
    let mut clock = Clock::<Echo>::start(DriverConfig::default()).unwrap();
    clock.poll(Timestamp::from_secs(1));
    assert_eq!(
        clock.take_actions(),
        vec![Action::Event(ClockEvent::Timeout)]
    );
    assert_eq!(clock.state().counters.noreply, 1);
    clock.receive(PortId::MAIN, b"x", Timestamp::from_secs(2));
    let _ = clock.take_actions();
    clock.poll(Timestamp::from_secs(3));
    let acts = clock.take_actions();
    assert!(
        matches!(acts[..], [Action::Filtered(f)] if f.n == 1),
        "{acts:?}"
    );
}

#[test]
fn driver_options_are_checked_against_the_declared_ones() {
    use super::{check_options, OptionInfo};
    const DECLARED: &[OptionInfo] = &[
        OptionInfo::switch("listen-only", "send nothing"),
        OptionInfo::value("config", "a file"),
    ];
    let o = |n: &str, v: Option<&str>| (n.to_string(), v.map(str::to_string));
    assert!(check_options(DECLARED, &[]).is_ok());
    assert!(check_options(DECLARED, &[o("listen-only", None), o("config", Some("/x"))]).is_ok());
    let err =
        |opts: &[(String, Option<String>)]| check_options(DECLARED, opts).unwrap_err().to_string();
    assert_eq!(
        err(&[o("pps", None)]),
        "driver option \"pps\": unknown; this driver has listen-only, config"
    );
    assert!(err(&[o("config", None)]).contains("needs a value"));
    assert!(err(&[o("listen-only", Some("1"))]).contains("takes no value"));
    assert!(err(&[o("config", Some("a")), o("config", Some("b"))]).contains("given twice"));
    assert!(check_options(&[], &[o("x", None)])
        .unwrap_err()
        .to_string()
        .contains("has no options"));
    let cfg = DriverConfig {
        options: vec![o("listen-only", None), o("config", Some("/etc/x"))],
        ..DriverConfig::default()
    };
    assert!(cfg.has_option("listen-only") && !cfg.has_option("pps"));
    assert_eq!(cfg.option_value("config"), Some("/etc/x"));
    assert_eq!(cfg.option_value("listen-only"), None);
}
