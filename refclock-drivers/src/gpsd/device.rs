//! A simulated gpsd (feature `sim`), speaking gpsd's JSON on the
//! simulator's pseudo-terminal: the driver reaches it with
//! `option server=/dev/pts/N` (what `ntp-refclock --simulate 127.127.46.0`
//! sets up).
//!
//! Until it is asked `?WATCH=...`, it announces itself each second with a
//! `VERSION` (a real gpsd does once per connection, which a terminal does
//! not have); `?VERSION;` is answered at once. Once watching, each second
//! it sends, in order: a `PPS` object at the whole second (when it has a
//! pulse: modes 1 and 2, units ≥ 128, or option `pps=yes`), the `TPV` (fix mode 3 and
//! the time, or mode 1 without a time while the epoch is invalid) and,
//! when the watch asked `"pps":true`, a `TOFF`. The simulated gpsd's
//! system clock is the timeline's: `clock_*` = `real_*` = the second
//! named. Model options: `pps=yes|no`, `proto=MAJOR.MINOR` (default
//! 3.14, gpsd 3.22's; below 3.10 the driver asks for no PPS/TOFF and times
//! the TPVs itself).

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::encode;

/// The device name the simulated gpsd reports when not told one.
const DEVICE: &str = "/dev/gps0";

/// The simulated gpsd.
#[derive(Debug)]
pub struct SimGpsd {
    major: u16,
    minor: u16,
    pulse: bool,
    watching: bool,
    toff: bool,
    device: String,
    pending: Vec<u8>,
}

/// A simulated gpsd for `setup` (see the module documentation).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    for (k, _) in &setup.options {
        if k != "pps" && k != "proto" {
            return Err(DeviceError(format!(
                "gpsd: unknown option {k:?} (pps=yes|no, proto=MAJOR.MINOR)"
            )));
        }
    }
    let pulse = match setup.option("pps") {
        None => setup.fudge.mode & 3 != 0 || setup.unit >= 128,
        Some("yes") => true,
        Some("no") => false,
        Some(v) => return Err(DeviceError(format!("gpsd: pps={v}: yes or no"))),
    };
    let (major, minor) = match setup.option("proto") {
        None => (3, 14),
        Some(v) => v
            .split_once('.')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .ok_or_else(|| DeviceError(format!("gpsd: proto={v}: MAJOR.MINOR")))?,
    };
    Ok(Box::new(SimGpsd {
        major,
        minor,
        pulse,
        watching: false,
        toff: false,
        device: DEVICE.into(),
        pending: Vec::new(),
    }))
}

impl SimGpsd {
    fn version(&self) -> Message {
        Message::line("VERSION", encode::version("3.22", self.major, self.minor))
    }
}

/// The `"device"` string of a `?WATCH=` request.
fn watched_device(req: &str) -> Option<String> {
    let json = req.strip_prefix("?WATCH=")?.trim_end_matches(';');
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v.get("device")?.as_str().map(str::to_string)
}

impl DeviceModel for SimGpsd {
    fn describe(&self) -> String {
        format!("gpsd (JSON protocol {}.{})", self.major, self.minor)
    }

    fn baud(&self) -> u32 {
        115_200
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if !self.watching {
            out.push(self.version());
            return;
        }
        let t = epoch.named;
        if epoch.valid && self.pulse && self.toff {
            out.push(
                Message::line("PPS", encode::time_pair("PPS", &self.device, t, t)).naming(epoch),
            );
        }
        let tpv = if epoch.valid {
            encode::tpv(&self.device, 3, Some(t))
        } else {
            encode::tpv(&self.device, 1, None)
        };
        out.push(Message::line("TPV", tpv).naming(epoch));
        if epoch.valid && self.toff {
            out.push(
                Message::line("TOFF", encode::time_pair("TOFF", &self.device, t, t)).naming(epoch),
            );
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        _now: Timestamp,
        _timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        self.pending.extend_from_slice(data);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line).trim().to_string();
            if text.starts_with("?VERSION") {
                out.push(self.version());
            } else if text.starts_with("?WATCH=") {
                if let Some(d) = watched_device(&text) {
                    self.device = d;
                }
                self.toff = text.contains("\"pps\":true") && (self.major, self.minor) >= (3, 10);
                self.watching = true;
                out.push(Message::line("DEVICES", encode::devices(&self.device)));
                out.push(Message::line(
                    "WATCH",
                    encode::watch(&self.device, self.toff),
                ));
            }
        }
        if self.pending.len() > 4096 {
            self.pending.clear();
        }
    }

    fn corrupt(&self, message: &mut Message) -> bool {
        // JSON has no checksum: a mangled closing brace makes the line
        // malformed, which the reader refuses.
        match message.bytes.iter().rposition(|&b| b == b'}') {
            Some(i) => {
                message.bytes[i] = b']';
                true
            }
            None => false,
        }
    }

    fn reset(&mut self) {
        self.watching = false;
        self.toff = false;
        self.pending.clear();
    }
}
