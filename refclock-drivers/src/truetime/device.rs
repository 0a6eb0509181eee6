//! The simulated TrueTime clock (feature `sim`): a model chosen with
//! `model=goes|tl3|tm|tcu` (default `goes`) that answers the driver's
//! identification dialogue and then sends a timecode a second,
//! `^A ddd:hh:mm:ssQ CR LF`, its CR on time.
//!
//! * `goes` (468-DC): `P` answers the satellite position (west,
//!   `13500+039-000`), `C` starts the timecodes; other commands are
//!   ignored.
//! * `tl3` (TL-3): `ST0`/`ST1` stop and start the stream, `QV` answers
//!   `VER 01.02`; a CR ends an unknown command, answered `?`.
//! * `tm` (GPS-TM/TMD) and `tcu` (GPS-800): commands end with CR; `F18`
//!   answers ` TRUETIME Mk III ` (tm), `PO` the position
//!   `N03726428W12209421+000033` (tcu), `F50`/`F51` are echoed (tm),
//!   `F08` (tm) or `AU` (tcu) starts the stream, `MD3` and `TSU` are
//!   taken silently, `^C` stops; anything else is answered `?`.
//!
//! A valid second has quality `' '`, an invalid one `?`. The format has
//! no leap warning; an inserted second is stated as second 60.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, Timecode};

/// Which clock the device plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceModelKind {
    /// 468-DC GOES receiver.
    Goes,
    /// TL-3 WWV receiver.
    Tl3,
    /// GPS-TM/TMD.
    Tm,
    /// GPS-800 TCU.
    Tcu,
}

/// The simulated clock.
#[derive(Clone, Debug)]
pub struct TrueTimeDevice {
    model: DeviceModelKind,
    streaming: bool,
    input: Vec<u8>,
}

/// Builds the model: option `model=goes|tl3|tm|tcu`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut model = DeviceModelKind::Goes;
    for (key, value) in &setup.options {
        model = match (key.as_str(), value.as_str()) {
            ("model", "goes") => DeviceModelKind::Goes,
            ("model", "tl3") => DeviceModelKind::Tl3,
            ("model", "tm") => DeviceModelKind::Tm,
            ("model", "tcu") => DeviceModelKind::Tcu,
            ("model", v) => {
                return Err(DeviceError(format!(
                    "truetime: model {v:?}: goes, tl3, tm or tcu"
                )))
            }
            (k, _) => return Err(DeviceError(format!("truetime: unknown option {k:?}"))),
        };
    }
    Ok(Box::new(TrueTimeDevice::new(model)))
}

impl TrueTimeDevice {
    /// A device playing `model`, not sending timecodes yet.
    pub fn new(model: DeviceModelKind) -> TrueTimeDevice {
        TrueTimeDevice {
            model,
            streaming: false,
            input: Vec::new(),
        }
    }

    /// Whether it sends a timecode a second.
    pub fn streaming(&self) -> bool {
        self.streaming
    }

    fn answer(out: &mut Vec<Message>, text: &str) {
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend(b"\r\n");
        out.push(Message::line("REPLY", bytes));
    }

    /// GOES: single letters, CRs ignored.
    fn goes(&mut self, out: &mut Vec<Message>) {
        for b in std::mem::take(&mut self.input) {
            match b {
                b'P' => Self::answer(out, "13500+039-000"),
                b'C' => self.streaming = true,
                0x03 => self.streaming = false,
                _ => {}
            }
        }
    }

    /// TL-3: `ST0`, `ST1`, `QV` act at once; a CR ends anything else.
    fn tl3(&mut self, out: &mut Vec<Message>) {
        let mut i = 0;
        while i < self.input.len() {
            let rest = &self.input[i..];
            if rest.starts_with(b"ST0") || rest.starts_with(b"ST1") {
                self.streaming = rest[2] == b'1';
                self.input.drain(..i + 3);
                i = 0;
            } else if rest.starts_with(b"QV") {
                Self::answer(out, "VER 01.02");
                self.input.drain(..i + 2);
                i = 0;
            } else if rest[0] == b'\r' {
                let junk = self.input[..i].iter().any(|&b| b != 0x03);
                if self.input[..i].contains(&0x03) {
                    self.streaming = false;
                }
                if junk {
                    Self::answer(out, "?");
                }
                self.input.drain(..=i);
                i = 0;
            } else {
                i += 1;
            }
        }
    }

    /// TM and TCU: commands end with CR.
    fn line_commands(&mut self, out: &mut Vec<Message>) {
        while let Some(cr) = self.input.iter().position(|&b| b == b'\r') {
            let cmd: Vec<u8> = self.input.drain(..=cr).take(cr).collect();
            let tm = self.model == DeviceModelKind::Tm;
            match (cmd.as_slice(), tm) {
                (b"\x03", _) => self.streaming = false,
                (b"F18", true) => Self::answer(out, " TRUETIME Mk III "),
                (b"F50", true) => Self::answer(out, "F50"),
                (b"F51", true) => Self::answer(out, "F51"),
                (b"F08", true) => self.streaming = true,
                (b"PO", false) => Self::answer(out, "N03726428W12209421+000033"),
                (b"MD3", false) | (b"TSU", false) => {}
                (b"AU", false) => self.streaming = true,
                _ => Self::answer(out, "?"),
            }
        }
    }
}

impl DeviceModel for TrueTimeDevice {
    fn describe(&self) -> String {
        format!("TrueTime {:?}", self.model)
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if !self.streaming {
            return;
        }
        let t = &epoch.time;
        let code = codec::encode(&Timecode {
            day: t.yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            quality: if epoch.valid { b' ' } else { b'?' },
        });
        let mut m = Message::line("TCODE", code).naming(epoch);
        // The CR is on time; the ^A and the timecode go before it.
        m.on_time = m.end;
        out.push(m);
    }

    fn input(
        &mut self,
        data: &[u8],
        _now: Timestamp,
        _timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        self.input.extend_from_slice(data);
        match self.model {
            DeviceModelKind::Goes => self.goes(out),
            DeviceModelKind::Tl3 => self.tl3(out),
            DeviceModelKind::Tm | DeviceModelKind::Tcu => self.line_commands(out),
        }
        if self.input.len() > 64 {
            self.input.clear();
        }
    }

    /// Replaces the colon before the minutes (`CEVNT_BADREPLY`).
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TCODE" {
            return false;
        }
        match message.bytes.get_mut(7) {
            Some(b) => {
                *b = b';';
                true
            }
            None => false,
        }
    }

    fn reset(&mut self) {
        self.streaming = false;
        self.input.clear();
    }
}
