//! The configurations one run measures: how the simulated receiver writes
//! (all at once or paced at 4800 baud, which sentences, with jitter or
//! not), each with and without `-P 50`.

use std::time::Duration;

use refclock_core::sim::{DeviceModel, Epoch};
use refclock_drivers::nmea::device::NmeaDevice;
use refclock_drivers::nmea::encode::NmeaStyle;
use refclock_sim::{parse_scenarios, Scenario, SimConfig, SimError};

/// The serial speed of the paced configurations (NMEA's standard).
pub const BAUD: u32 = 4800;
/// The SCHED_FIFO priority of the `-P` rows.
pub const PRIORITY: i32 = 50;
/// The seed of the simulators' random choices (jitter).
pub const SEED: u64 = 20;

/// How the simulated receiver writes.
#[derive(Clone, Debug)]
pub struct Receiver {
    /// Short name, the first column of the table.
    pub name: &'static str,
    /// NMEA style name (see [`NmeaStyle::NAMES`]).
    pub style: &'static str,
    /// Replacement sentence list (`zda`), if any.
    pub sentences: Option<&'static str>,
    /// Scenarios joined with `+` (`jitter:max=20`); empty for clean.
    pub scenarios: &'static str,
    /// Paced at [`BAUD`] (`true`) or each second's output in one `write()`.
    pub paced: bool,
}

impl Receiver {
    /// The NMEA style with the sentence list applied.
    pub fn nmea_style(&self) -> Result<NmeaStyle, SimError> {
        let style = NmeaStyle::by_name(self.style).map_err(|e| SimError::Config(e.to_string()))?;
        match self.sentences {
            None => Ok(style),
            Some(list) => style
                .with_sentences(list)
                .map_err(|e| SimError::Config(e.to_string())),
        }
    }

    /// The scenarios.
    pub fn scenario_list(&self) -> Result<Vec<Scenario>, SimError> {
        parse_scenarios(self.scenarios)
    }

    /// The simulated receiver.
    pub fn device(&self) -> Result<NmeaDevice, SimError> {
        Ok(NmeaDevice::new(self.nmea_style()?))
    }

    /// The simulator configuration, with the on-time byte `delay` after
    /// the whole second.
    pub fn sim_config(&self, delay: Duration) -> Result<SimConfig, SimError> {
        Ok(SimConfig {
            scenarios: self.scenario_list()?,
            baud: Some(BAUD),
            paced: self.paced,
            delay,
            seed: SEED,
            ..SimConfig::new(Box::new(self.device()?))
        })
    }

    /// Length in bytes of the on-time sentence up to its line end (`$` to
    /// the checksum), as the simulator writes it.
    pub fn on_time_length(&self) -> Result<usize, SimError> {
        // Any second will do: the time fields have a fixed width.
        let mut out = Vec::new();
        self.device()?.second(&Epoch::at(1_700_000_000), &mut out);
        let first = out
            .first()
            .ok_or_else(|| SimError::Config("no sentence planned".into()))?;
        Ok(first.end)
    }

    /// The mean extra delay of the on-time byte the scenarios add, seconds
    /// (`jitter:max=M` draws uniformly from 0..=M ms: M/2).
    pub fn mean_scenario_delay(&self) -> Result<f64, SimError> {
        let mut d = 0.0;
        for s in self.scenario_list()? {
            match s {
                Scenario::Delay { ms } => d += f64::from(ms) * 1e-3,
                Scenario::Jitter { max_ms } => d += f64::from(max_ms) * 1e-3 / 2.0,
                _ => {}
            }
        }
        Ok(d)
    }

    /// The `time2` a user would set for this receiver: the mean delay of
    /// the on-time sentence's line end after the second it names
    /// (scenario delay, plus its transmission when paced: one byte is 10
    /// bits, start and stop bit included).
    pub fn nominal_time2(&self) -> Result<f64, SimError> {
        let transmission = if self.paced {
            self.on_time_length()? as f64 * 10.0 / f64::from(BAUD)
        } else {
            0.0
        };
        Ok(self.mean_scenario_delay()? + transmission)
    }
}

/// One row of the table: a receiver, with or without real-time priority.
#[derive(Clone, Debug)]
pub struct Configuration {
    /// How the receiver writes.
    pub receiver: Receiver,
    /// `-P PRIORITY` for `ntp-refclock` (and SCHED_FIFO for the floor
    /// reader), or ordinary scheduling.
    pub priority: Option<i32>,
}

/// The receivers measured, in table order.
pub fn receivers() -> Vec<Receiver> {
    vec![
        Receiver {
            name: "burst",
            style: "ublox",
            sentences: None,
            scenarios: "",
            paced: false,
        },
        Receiver {
            name: "paced zda",
            style: "ublox",
            sentences: Some("zda"),
            scenarios: "",
            paced: true,
        },
        Receiver {
            name: "paced ublox",
            style: "ublox",
            sentences: None,
            scenarios: "",
            paced: true,
        },
        Receiver {
            name: "paced garmin jitter",
            style: "garmin",
            sentences: None,
            scenarios: "jitter:max=20",
            paced: true,
        },
    ]
}

/// Every configuration: each receiver without and with `-P`.
pub fn all() -> Vec<Configuration> {
    receivers()
        .into_iter()
        .flat_map(|r| {
            [None, Some(PRIORITY)].map(|priority| Configuration {
                receiver: r.clone(),
                priority,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_receiver_builds_and_on_time_lengths_differ() {
        let mut lengths = Vec::new();
        for r in receivers() {
            let cfg = r.sim_config(Duration::ZERO).unwrap();
            assert_eq!(cfg.paced, r.paced);
            let n = r.on_time_length().unwrap();
            assert!((30..=82).contains(&n), "{}: {n}", r.name);
            lengths.push(n);
        }
        // The paced receivers' on-time sentences are not all as long.
        let mut paced: Vec<usize> = lengths[1..].to_vec();
        paced.dedup();
        assert!(paced.len() > 1, "{lengths:?}");
        assert_eq!(all().len(), 2 * receivers().len());
    }

    #[test]
    fn nominal_time2() {
        let rs = receivers();
        // Burst, no scenario: the line end is written at the second.
        assert_eq!(rs[0].nominal_time2().unwrap(), 0.0);
        // ZDA only: `$GPZDA,hhmmss.ss,dd,mm,yyyy,00,00*hh` is 36 bytes,
        // 36 · 10 / 4800 s.
        assert_eq!(rs[1].on_time_length().unwrap(), 36);
        assert!((rs[1].nominal_time2().unwrap() - 36.0 / 480.0).abs() < 1e-12);
        // Jitter 0..=20 ms adds 10 ms on average.
        let g = &rs[3];
        let n = g.on_time_length().unwrap() as f64;
        assert!((g.nominal_time2().unwrap() - (0.010 + n / 480.0)).abs() < 1e-12);
    }
}
