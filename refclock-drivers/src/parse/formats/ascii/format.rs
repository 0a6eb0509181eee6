//! The eight formats behind the PARSE [`Format`] interface: each one's
//! input function (how libparse cuts its frames and which byte it
//! stamps), its conversion, and its mode's polls.

use refclock_core::{Context, PortId, Timestamp};

use super::libparse::{Buffer, Conv, Frame};
use super::{computime, dcf7000, hopf6021, rcc8000, schmid, sel240x, varitext, wharton};
use crate::parse::format::{frame_text, Decoded, Format};

/// Which of the eight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Mode 3.
    Dcf7000,
    /// Mode 4.
    Schmid,
    /// Mode 11.
    Rcc8000,
    /// Mode 12.
    Hopf6021,
    /// Mode 13.
    Computime,
    /// Mode 15.
    Wharton,
    /// Mode 17.
    Varitext,
    /// Mode 24.
    Sel240x,
}

impl Kind {
    /// The kind of PARSE `mode`, if it is one of these.
    pub fn of_mode(mode: u8) -> Option<Kind> {
        Some(match mode {
            3 => Kind::Dcf7000,
            4 => Kind::Schmid,
            11 => Kind::Rcc8000,
            12 => Kind::Hopf6021,
            13 => Kind::Computime,
            15 => Kind::Wharton,
            17 => Kind::Varitext,
            24 => Kind::Sel240x,
            _ => return None,
        })
    }

    /// libparse's format name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dcf7000 => "ELV DCF7000",
            Kind::Schmid => "Schmid",
            Kind::Rcc8000 => "Radiocode RCC8000",
            Kind::Hopf6021 => "hopf Funkuhr 6021",
            Kind::Computime => "Diem's Computime Radio Clock",
            Kind::Wharton => "WHARTON 400A Series clock Output Format 1",
            Kind::Varitext => "Varitext Radio Clock",
            Kind::Sel240x => "SEL B8",
        }
    }

    /// libparse's buffer size.
    fn size(self) -> usize {
        match self {
            Kind::Dcf7000 => dcf7000::SIZE,
            Kind::Schmid => schmid::SIZE,
            Kind::Rcc8000 => rcc8000::SIZE,
            Kind::Hopf6021 => hopf6021::SIZE,
            Kind::Computime => computime::SIZE,
            Kind::Wharton => wharton::SIZE,
            Kind::Varitext => varitext::SIZE,
            Kind::Sel240x => sel240x::SIZE,
        }
    }

    /// The length of a frame of a format that has an end byte but no
    /// start byte (framed by [`Window`]), else `None`.
    fn window(self) -> Option<usize> {
        match self {
            Kind::Dcf7000 => Some(dcf7000::MASK.len()),
            Kind::Schmid => Some(schmid::LEN),
            Kind::Rcc8000 => Some(rcc8000::MASK.len()),
            Kind::Hopf6021 => Some(hopf6021::MASK.len()),
            _ => None,
        }
    }

    /// Seven data bits: libparse masks the eighth (`PARSE_IO_CS7`).
    fn seven_bits(self) -> bool {
        matches!(self, Kind::Computime | Kind::Varitext)
    }

    /// The conversion of a frame.
    pub fn convert(self, frame: &[u8]) -> Conv {
        match self {
            Kind::Dcf7000 => dcf7000::convert(frame),
            Kind::Schmid => schmid::convert(frame),
            Kind::Rcc8000 => rcc8000::convert(frame),
            Kind::Hopf6021 => hopf6021::convert(frame),
            Kind::Computime => computime::convert(frame),
            Kind::Wharton => wharton::convert(frame),
            Kind::Varitext => varitext::convert(frame),
            Kind::Sel240x => sel240x::convert(frame),
        }
    }
}

/// One of the eight formats with its input state.
#[derive(Clone, Debug)]
pub struct AsciiFormat {
    kind: Kind,
    buf: Buffer,
    /// The receive time of the on-time byte of the frame under way
    /// (libparse's `parse_stime`).
    stime: Timestamp,
    varitext: varitext::Framer,
    window: Window,
}

/// The bytes before the end byte of a format without a start byte, at
/// most a frame's length less one, each with its receive time: a frame
/// is the last bytes before its end byte, whatever came before them.
#[derive(Clone, Debug, Default)]
struct Window {
    bytes: std::collections::VecDeque<(u8, Timestamp)>,
}

impl Window {
    fn push(&mut self, ch: u8, rectime: Timestamp, len: usize) {
        if self.bytes.len() + 1 >= len {
            self.bytes.pop_front();
        }
        self.bytes.push_back((ch, rectime));
    }

    /// The frame ending with `end`: its bytes and the receive times of
    /// its first byte and of `end`.
    fn end(&mut self, end: u8, rectime: Timestamp) -> (Vec<u8>, Timestamp) {
        let first = self.bytes.front().map_or(rectime, |&(_, t)| t);
        let mut bytes: Vec<u8> = self.bytes.drain(..).map(|(b, _)| b).collect();
        bytes.push(end);
        (bytes, first)
    }
}

impl AsciiFormat {
    /// The format of `kind`.
    pub fn new(kind: Kind) -> AsciiFormat {
        AsciiFormat {
            kind,
            buf: Buffer::new(kind.size()),
            stime: Timestamp::EPOCH,
            varitext: varitext::Framer::default(),
            window: Window::default(),
        }
    }

    /// Which format.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The format's input function for one byte: a frame when one ends
    /// (or when the buffer overflowed).
    pub fn input(&mut self, ch: u8, rectime: Timestamp) -> Option<Frame> {
        let ch = if self.kind.seven_bits() {
            ch & 0x7f
        } else {
            ch
        };
        let frame = |bytes: Vec<u8>, stime| Some(Frame { bytes, stime });
        let full = |this: &mut Self, ch| {
            let stime = this.stime;
            this.buf.add(ch).and_then(|b| frame(b, stime))
        };
        match (self.kind, ch) {
            (Kind::Varitext, _) => self.varitext.input(ch, rectime),
            // No start byte: the frame is the bytes before the end byte
            // (libparse's buffer would keep stray bytes before them).
            (Kind::Dcf7000 | Kind::Schmid | Kind::Rcc8000 | Kind::Hopf6021, _) => {
                let len = self.kind.window().unwrap_or(1);
                let end = match self.kind {
                    Kind::Dcf7000 => b'\r',
                    Kind::Schmid => schmid::END,
                    Kind::Rcc8000 => b'\n',
                    _ => hopf6021::ETX,
                };
                if ch != end {
                    self.window.push(ch, rectime, len);
                    return None;
                }
                let (bytes, first) = self.window.end(ch, rectime);
                // DCF7000 and hopf are stamped at the end byte, Schmid
                // and RCC8000 at the first.
                let stime = match self.kind {
                    Kind::Dcf7000 | Kind::Hopf6021 => rectime,
                    _ => first,
                };
                frame(bytes, stime)
            }
            // A start byte, stamped, and an end byte.
            (Kind::Computime, b'T')
            | (Kind::Wharton, wharton::STX)
            | (Kind::Sel240x, sel240x::SOH) => {
                self.buf.start(ch);
                self.stime = rectime;
                None
            }
            (Kind::Computime | Kind::Sel240x, b'\n') | (Kind::Wharton, wharton::ETX) => {
                frame(self.buf.end_with(ch), self.stime)
            }
            _ => full(self, ch),
        }
    }

    /// A frame converted.
    pub fn decode(&self, frame: Frame) -> Decoded {
        let shown = match frame.bytes.split_last() {
            Some((0, rest)) => rest,
            _ => &frame.bytes[..],
        };
        let text = frame_text(shown);
        match self.kind.convert(&frame.bytes) {
            Conv::None => Decoded::Other { note: None },
            Conv::Fail(error) => Decoded::Error { error, text },
            Conv::Ok(time) => Decoded::Time {
                time,
                rectime: frame.stime,
                text,
            },
        }
    }
}

impl Format for AsciiFormat {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>) {
        for &b in data {
            if let Some(frame) = self.input(b, rectime) {
                out.push(self.decode(frame));
            }
        }
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.varitext.reset();
        self.window.bytes.clear();
    }

    /// Schmid: ntpd's `poll_init` sends the first poll byte at once.
    fn on_open(&mut self, ctx: &mut Context<'_>) {
        if self.kind == Kind::Schmid {
            ctx.write(PortId::MAIN, schmid::POLL);
        }
    }

    /// Schmid: the poll byte every second (`poll_poll` at rate 1).
    fn on_second(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        if self.kind == Kind::Schmid {
            ctx.write(PortId::MAIN, schmid::POLL);
        }
    }

    /// Schmid, RCC8000 and SEL240x: their poll once per poll interval
    /// (`poll_dpoll` as `cl_poll`, from `parse_poll`; Schmid's comes on
    /// top of the one every second).
    fn on_poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        match self.kind {
            Kind::Schmid => ctx.write(PortId::MAIN, schmid::POLL),
            Kind::Rcc8000 => ctx.write(PortId::MAIN, rcc8000::POLL),
            Kind::Sel240x => ctx.write(PortId::MAIN, sel240x::POLL),
            _ => {}
        }
    }
}
