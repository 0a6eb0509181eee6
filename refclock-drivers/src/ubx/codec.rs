//! UBX messages <-> fields, both ways, no I/O: the few messages the
//! driver reads (time, leap second, acknowledgements, version) and the
//! configuration messages it writes.
//!
//! Layouts from u-blox's protocol specifications (u-blox 8 / M8
//! "Receiver Description including Protocol Specification", ZED-F9T
//! "Interface Description"); gpsd's `driver_ubx.c` decodes the same
//! fields. All numbers are little-endian.

use refclock_core::framing::{ubx_checksum, UbxMessage, UBX_SYNC};

pub use super::nav::{NavPvt, NavTimeGps, NavTimeLs, NavTimeUtc, UTC_VALID_UTC};
pub use super::tim::{TimTm2, TimTp, TP_QERR_INVALID, TP_UTC_AVAILABLE, TP_UTC_BASE};

/// Class NAV.
pub const NAV: u8 = 0x01;
/// Class ACK.
pub const ACK: u8 = 0x05;
/// Class CFG.
pub const CFG: u8 = 0x06;
/// Class MON.
pub const MON: u8 = 0x0a;
/// Class TIM.
pub const TIM: u8 = 0x0d;

/// (class, id) of each message the driver knows.
pub const NAV_PVT: (u8, u8) = (NAV, 0x07);
/// NAV-TIMEGPS.
pub const NAV_TIMEGPS: (u8, u8) = (NAV, 0x20);
/// NAV-TIMEUTC.
pub const NAV_TIMEUTC: (u8, u8) = (NAV, 0x21);
/// NAV-TIMELS.
pub const NAV_TIMELS: (u8, u8) = (NAV, 0x26);
/// ACK-NAK.
pub const ACK_NAK: (u8, u8) = (ACK, 0x00);
/// ACK-ACK.
pub const ACK_ACK: (u8, u8) = (ACK, 0x01);
/// CFG-MSG (u-blox 8 and older; still taken by F9).
pub const CFG_MSG: (u8, u8) = (CFG, 0x01);
/// CFG-VALSET (protocol 23 and later: F9, M10).
pub const CFG_VALSET: (u8, u8) = (CFG, 0x8a);
/// MON-VER.
pub const MON_VER: (u8, u8) = (MON, 0x04);
/// TIM-TP.
pub const TIM_TP: (u8, u8) = (TIM, 0x01);
/// TIM-TM2.
pub const TIM_TM2: (u8, u8) = (TIM, 0x03);

/// Why a message does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The payload is shorter than the message's layout.
    #[error("{message}: payload of {found} bytes, expected {expected}")]
    Length {
        /// The message's name.
        message: &'static str,
        /// Bytes the layout needs (at least).
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// A field out of its range.
    #[error("{message}: {field} is {value}, out of range")]
    Range {
        /// The message's name.
        message: &'static str,
        /// The field.
        field: &'static str,
        /// Its value.
        value: i64,
    },
}

pub(super) fn u16_at(p: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([p[i], p[i + 1]])
}
pub(super) fn u32_at(p: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]])
}
pub(super) fn i32_at(p: &[u8], i: usize) -> i32 {
    u32_at(p, i) as i32
}

pub(super) fn need(message: &'static str, p: &[u8], expected: usize) -> Result<(), DecodeError> {
    if p.len() < expected {
        return Err(DecodeError::Length {
            message,
            expected,
            found: p.len(),
        });
    }
    Ok(())
}

pub(super) fn range(
    message: &'static str,
    field: &'static str,
    value: i64,
    ok: bool,
) -> Result<(), DecodeError> {
    if ok {
        Ok(())
    } else {
        Err(DecodeError::Range {
            message,
            field,
            value,
        })
    }
}

/// MON-VER (0x0A 0x04): software and hardware versions, and extensions
/// (`PROTVER=27.11`, `PROTVER 16.00`, `MOD=ZED-F9T`, …).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MonVer {
    /// Software version.
    pub sw: String,
    /// Hardware version.
    pub hw: String,
    /// The extension strings.
    pub extensions: Vec<String>,
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn fixed(s: &str, n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s.bytes().take(n - 1).collect();
    v.resize(n, 0);
    v
}

impl MonVer {
    fn decode(p: &[u8]) -> Result<MonVer, DecodeError> {
        need("MON-VER", p, 40)?;
        Ok(MonVer {
            sw: cstr(&p[..30]),
            hw: cstr(&p[30..40]),
            extensions: p[40..].chunks_exact(30).map(cstr).collect(),
        })
    }

    fn payload(&self) -> Vec<u8> {
        let mut p = fixed(&self.sw, 30);
        p.extend(fixed(&self.hw, 10));
        for e in &self.extensions {
            p.extend(fixed(e, 30));
        }
        p
    }

    /// The protocol version × 100 from a `PROTVER` extension (`27.11` →
    /// 2711), if any.
    pub fn protocol_version(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| {
            let v = e.strip_prefix("PROTVER")?.trim_start_matches([' ', '=']);
            let (whole, frac) = v.trim().split_once('.').unwrap_or((v.trim(), "0"));
            let frac: String = frac.chars().take(2).collect();
            Some(whole.parse::<u32>().ok()? * 100 + format!("{frac:0<2}").parse::<u32>().ok()?)
        })
    }
}

/// A decoded message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// TIM-TP.
    TimTp(TimTp),
    /// TIM-TM2.
    TimTm2(TimTm2),
    /// NAV-TIMEUTC.
    NavTimeUtc(NavTimeUtc),
    /// NAV-TIMELS.
    NavTimeLs(NavTimeLs),
    /// NAV-PVT.
    NavPvt(NavPvt),
    /// NAV-TIMEGPS.
    NavTimeGps(NavTimeGps),
    /// ACK-ACK (`true`) or ACK-NAK of the message (class, id).
    Ack(bool, u8, u8),
    /// MON-VER.
    MonVer(MonVer),
    /// Any other message (class, id), not read.
    Other(u8, u8),
}

impl Message {
    /// Decodes the payload of message (class, id).
    pub fn decode(class: u8, id: u8, p: &[u8]) -> Result<Message, DecodeError> {
        Ok(match (class, id) {
            TIM_TP => Message::TimTp(TimTp::decode(p)?),
            TIM_TM2 => Message::TimTm2(TimTm2::decode(p)?),
            NAV_TIMEUTC => Message::NavTimeUtc(NavTimeUtc::decode(p)?),
            NAV_TIMELS => Message::NavTimeLs(NavTimeLs::decode(p)?),
            NAV_PVT => Message::NavPvt(NavPvt::decode(p)?),
            NAV_TIMEGPS => Message::NavTimeGps(NavTimeGps::decode(p)?),
            (ACK, 0 | 1) => {
                need(if id == 1 { "ACK-ACK" } else { "ACK-NAK" }, p, 2)?;
                Message::Ack(id == 1, p[0], p[1])
            }
            MON_VER => Message::MonVer(MonVer::decode(p)?),
            _ => Message::Other(class, id),
        })
    }

    /// Decodes a whole framed message (checksum not checked).
    pub fn from_frame(m: &UbxMessage<'_>) -> Result<Message, DecodeError> {
        Message::decode(m.class(), m.id(), m.payload())
    }

    /// (class, id) and payload, as a device sends it.
    pub fn parts(&self) -> ((u8, u8), Vec<u8>) {
        match self {
            Message::TimTp(t) => (TIM_TP, t.payload()),
            Message::TimTm2(t) => (TIM_TM2, t.payload()),
            Message::NavTimeUtc(t) => (NAV_TIMEUTC, t.payload()),
            Message::NavTimeLs(t) => (NAV_TIMELS, t.payload()),
            Message::NavPvt(t) => (NAV_PVT, t.payload()),
            Message::NavTimeGps(t) => (NAV_TIMEGPS, t.payload()),
            Message::Ack(ack, c, i) => ((ACK, u8::from(*ack)), vec![*c, *i]),
            Message::MonVer(v) => (MON_VER, v.payload()),
            Message::Other(c, i) => ((*c, *i), Vec::new()),
        }
    }

    /// The whole message: sync, header, payload, checksum.
    pub fn encode(&self) -> Vec<u8> {
        let ((class, id), p) = self.parts();
        frame(class, id, &p)
    }

    /// Its name (`TIM-TP`).
    pub fn name(&self) -> &'static str {
        match self {
            Message::TimTp(_) => "TIM-TP",
            Message::TimTm2(_) => "TIM-TM2",
            Message::NavTimeUtc(_) => "NAV-TIMEUTC",
            Message::NavTimeLs(_) => "NAV-TIMELS",
            Message::NavPvt(_) => "NAV-PVT",
            Message::NavTimeGps(_) => "NAV-TIMEGPS",
            Message::Ack(true, ..) => "ACK-ACK",
            Message::Ack(false, ..) => "ACK-NAK",
            Message::MonVer(_) => "MON-VER",
            Message::Other(..) => "other",
        }
    }
}

/// A UBX message of class `class`, id `id` and `payload`, framed.
pub fn frame(class: u8, id: u8, payload: &[u8]) -> Vec<u8> {
    let mut m = UBX_SYNC.to_vec();
    m.extend_from_slice(&[class, id]);
    m.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    m.extend_from_slice(payload);
    let ck = ubx_checksum(&m[2..]);
    m.extend_from_slice(&ck);
    m
}

/// The messages the driver enables (class, id), in the order it asks.
pub const ENABLED: [(u8, u8); 3] = [TIM_TP, NAV_TIMEUTC, NAV_TIMELS];

/// CFG-MSG setting the rate of (class, id) on the port it is sent on to
/// once per navigation epoch.
pub fn cfg_msg(msg: (u8, u8)) -> Vec<u8> {
    frame(CFG_MSG.0, CFG_MSG.1, &[msg.0, msg.1, 1])
}

/// CFG-VALSET keys (F9 and later) of the output rate of each message of
/// [`ENABLED`] on UART1 and on USB (a key for an interface the receiver
/// lacks is refused as a whole, so that the two go in two messages).
pub const VALSET_KEYS: [[u32; 3]; 2] = [
    // CFG-MSGOUT-UBX_TIM_TP_UART1, _NAV_TIMEUTC_UART1, _NAV_TIMELS_UART1
    [0x2091_017e, 0x2091_005c, 0x2091_0061],
    // the same on USB
    [0x2091_0180, 0x2091_005e, 0x2091_0063],
];

/// CFG-VALSET writing rate 1 for `keys` in the RAM layer only (nothing
/// is saved: the receiver's stored configuration is left as it was).
pub fn cfg_valset(keys: &[u32]) -> Vec<u8> {
    let mut p = vec![0x00, 0x01, 0x00, 0x00];
    for k in keys {
        p.extend_from_slice(&k.to_le_bytes());
        p.push(1);
    }
    frame(CFG_VALSET.0, CFG_VALSET.1, &p)
}

/// The keys and values of a CFG-VALSET payload (U1 values only: the
/// MSGOUT keys), `None` when it is not one.
pub fn valset_items(payload: &[u8]) -> Option<Vec<(u32, u8)>> {
    let items = payload.get(4..)?;
    if items.len() % 5 != 0 {
        return None;
    }
    Some(
        items
            .chunks_exact(5)
            .map(|c| (u32_at(c, 0), c[4]))
            .collect(),
    )
}

/// The MON-VER poll (an empty MON-VER).
pub fn mon_ver_poll() -> Vec<u8> {
    frame(MON_VER.0, MON_VER.1, &[])
}
