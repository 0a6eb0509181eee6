//! Starting a simulation: the pty (and its link), the truth log and its
//! header, the shared state, and the thread that runs [`Runner`].

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use refclock_core::os::clock::now;
use refclock_core::os::pty::Pty;

use crate::handle::{Inner, Shared, SimHandle};
use crate::runner::Runner;
use crate::scenario::Scenario;
use crate::{SimConfig, SimError};

/// Starts simulations.
#[derive(Debug, Clone, Copy)]
pub struct Simulator;

impl Simulator {
    /// Creates the pty (and the link), opens the truth log, and starts the
    /// thread that plays the device. Set-up errors are returned here; the
    /// handle stops the thread on [`SimHandle::stop`] or drop.
    pub fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        Scenario::check_combination(&config.scenarios)?;
        if config.delay >= Duration::from_secs(1) {
            return Err(SimError::Config(format!(
                "delay {:?} is not below one second",
                config.delay
            )));
        }
        if config.baud == Some(0) || config.device.baud() == 0 {
            return Err(SimError::Config("baud rate 0".into()));
        }
        let pty = open_pty(&config)?;
        let slave = pty.slave_path().to_path_buf();
        let truth = match &config.truth_log {
            None => None,
            Some(path) => Some(open_truth_log(path, &config)?),
        };
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                running: true,
                slave: Some(slave.clone()),
                ..Inner::default()
            }),
            cond: Condvar::new(),
            stop: AtomicBool::new(false),
            capacity: config.truth_capacity,
        });
        let path = config.link.clone().unwrap_or_else(|| slave.clone());
        let start = now();
        let mut runner = Runner::new(Arc::clone(&shared), config, pty, truth, start);
        runner.appeared(slave)?;
        let thread = std::thread::Builder::new()
            .name("refclock-sim".into())
            .spawn(move || runner.run_to_end())
            .map_err(|e| SimError::Thread(e.to_string()))?;
        Ok(SimHandle {
            shared,
            path,
            thread: Some(thread),
            private_dir: None,
        })
    }
}

fn open_truth_log(
    path: &std::path::Path,
    config: &SimConfig,
) -> Result<(PathBuf, BufWriter<File>), SimError> {
    let err = |source| SimError::TruthLog {
        path: path.to_path_buf(),
        source,
    };
    let mut w = BufWriter::new(File::create(path).map_err(err)?);
    let scenarios = if config.scenarios.is_empty() {
        "clean".to_string()
    } else {
        config
            .scenarios
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("+")
    };
    let header = format!(
        "# refclock-sim truth log: scenarios={scenarios} seed={} delay_ms={} paced={} baud={} device={}\n",
        config.seed,
        config.delay.as_millis(),
        config.paced,
        config
            .baud
            .map_or_else(|| "slave".to_string(), |b| b.to_string()),
        config.device.describe(),
    );
    w.write_all(header.as_bytes())
        .and_then(|()| w.flush())
        .map_err(err)?;
    Ok((path.to_path_buf(), w))
}

pub(crate) fn open_pty(config: &SimConfig) -> Result<Pty, SimError> {
    let mut pty = Pty::open().map_err(SimError::Pty)?;
    if let Some(link) = &config.link {
        pty.link_at(link).map_err(SimError::Link)?;
    }
    // A model that hangs up when the driver closes the device must see
    // the close: nothing else may hold the slave open.
    if config.hold_slave && !config.device.sees_close() {
        pty.hold_slave_open().map_err(|source| SimError::Setup {
            what: "opening the slave",
            source,
        })?;
    }
    pty.set_nonblocking(true)
        .map_err(|source| SimError::Setup {
            what: "O_NONBLOCK on the master",
            source,
        })?;
    Ok(pty)
}
