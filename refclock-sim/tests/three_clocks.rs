//! Three real drivers in one host, each reading its own simulated device:
//! an NMEA receiver (ZDA at 9600 baud), an HP 58503A answering the
//! queries its driver writes, and a Zyfer GPStarplus. Every clock gets its
//! samples, each taken at the read of its on-time mark: the lag behind
//! the simulator's write is small for all three at once (loose bounds for
//! a loaded machine; the latency benchmark measures the real figures).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use refclock_core::os::host::{ClockOptions, Handler, Host};
use refclock_core::sim::DeviceSetup;
use refclock_core::{Action, ClockId, DriverConfig, Fudge, Sample, Timestamp};
use refclock_sim::{device_model, SimConfig, SimHandle, Simulator, TruthRecord};

/// Keeps every sample with its clock.
#[derive(Default)]
struct Samples(Vec<(ClockId, Sample)>);

impl Handler for Samples {
    fn action(&mut self, id: ClockId, _: Timestamp, action: Action) -> Result<(), String> {
        if let Action::Sample(s) = action {
            self.0.push((id, s));
        }
        Ok(())
    }
    fn log(&mut self, _: &str) {}
}

fn temp_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-three-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fudge(mode: u32, time1: Option<f64>) -> Fudge {
    Fudge {
        mode,
        time1,
        ..Fudge::default()
    }
}

/// The simulated device of driver `kind`, linked at `dir/name`.
fn device(kind: u8, fudge: &Fudge, dir: &Path, name: &str) -> SimHandle {
    let setup = DeviceSetup {
        fudge: fudge.clone(),
        ..DeviceSetup::default()
    };
    let model = device_model(kind, &setup).unwrap();
    Simulator::start(SimConfig {
        link: Some(dir.join(name)),
        ..SimConfig::new(model)
    })
    .unwrap()
}

/// The truth record of the timecode naming the second a sample's
/// reference time (time + offset − time1) falls in.
fn record<'a>(truth: &'a [TruthRecord], s: &Sample, time1: f64) -> Option<&'a TruthRecord> {
    let reftime = s.time + (s.offset - time1);
    truth.iter().find(|r| {
        r.named
            .is_some_and(|n| (reftime - n).abs() < 1e-6 && r.first.is_some())
    })
}

#[test]
fn three_drivers_on_their_simulated_devices_in_one_host() {
    let dir = temp_dir();
    let clocks = [
        (20, fudge(0x18, None), "gps0"), // ZDA only, 9600 baud
        (26, fudge(0, Some(-0.955)), "hpgps0"),
        (42, fudge(0, None), "zyfer0"),
    ];
    let sims: Vec<SimHandle> = clocks
        .iter()
        .map(|(kind, fudge, name)| device(*kind, fudge, &dir, name))
        .collect();
    let mut host = Host::new();
    let mut out = Samples::default();
    for (kind, fudge, name) in &clocks {
        let clock = refclock_drivers::registry::start(
            *kind,
            DriverConfig {
                fudge: fudge.clone(),
                device: Some(dir.join(name)),
                ..DriverConfig::default()
            },
        )
        .expect("in this build")
        .expect("starts");
        // -i 0: the HP is asked for its timecode every second.
        let opts = ClockOptions {
            poll_exponent: 0,
            ..ClockOptions::default()
        };
        host.add(clock, opts, &mut out).unwrap();
    }
    let end = Instant::now() + Duration::from_secs(7);
    while Instant::now() < end {
        host.run_once(&mut out).unwrap();
    }
    host.shutdown(&mut out);
    let truths: Vec<Vec<TruthRecord>> = sims.iter().map(SimHandle::truth).collect();
    drop(sims);
    let _ = std::fs::remove_dir_all(&dir);

    for (i, (kind, fudge, _)) in clocks.iter().enumerate() {
        let (kind, time1) = (*kind, fudge.time1());
        let samples: Vec<&Sample> = out
            .0
            .iter()
            .filter(|(id, _)| id.kind == kind)
            .map(|(_, s)| s)
            .collect();
        assert!(samples.len() >= 4, "type {kind}: {} samples", samples.len());
        let mut lags = Vec::new();
        for s in &samples {
            let r = record(&truths[i], s, time1)
                .unwrap_or_else(|| panic!("type {kind}: no timecode names {s:?}"));
            // NMEA and the HP are read at the line's end (the CR), the
            // Zyfer at its '!', the first byte.
            let mark = if kind == 42 { r.first } else { r.eol }.unwrap();
            lags.push(s.time - mark);
        }
        assert!(lags.iter().all(|&l| l >= 0.0), "type {kind}: {lags:?}");
        lags.sort_by(f64::total_cmp);
        let median = lags[lags.len() / 2];
        assert!(median < 0.02, "type {kind}: median lag {median}, {lags:?}");
        assert!(lags[lags.len() - 1] < 0.3, "type {kind}: {lags:?}");
    }
}
