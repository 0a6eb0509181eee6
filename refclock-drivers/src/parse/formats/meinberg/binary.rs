//! The binary messages of the Meinberg GPS receivers (mbg_gps166.h,
//! data_mbg.c): `SOH`, an 8-byte header (command, data length, data
//! checksum, header checksum; each 16 bits, least significant byte
//! first), then the data. A checksum is the 16-bit sum of the bytes it
//! covers; the header's covers its first six bytes.
//!
//! ntpd's modes 7 and 23 query the receiver every 6 s, cycling through
//! eight commands (`gps16x_poll`); the answers only fill variables
//! that ntpq shows (`gps16x_message`). Here they become log lines.

use super::codec::SOH;

/// Software revision (`GPS_SW_REV`).
pub const GPS_SW_REV: u16 = 0x002;
/// Status of the buffered variables (`GPS_BVAR_STAT`).
pub const GPS_BVAR_STAT: u16 = 0x003;
/// Position, ECEF (`GPS_POS_XYZ`).
pub const GPS_POS_XYZ: u16 = 0x005;
/// Position, latitude/longitude/altitude (`GPS_POS_LLA`).
pub const GPS_POS_LLA: u16 = 0x006;
/// Antenna status (`GPS_ANT_INFO`).
pub const GPS_ANT_INFO: u16 = 0x00A;
/// Satellite configuration and health (`GPS_CFGH`).
pub const GPS_CFGH: u16 = 0x100;
/// UTC parameters (`GPS_UTC`).
pub const GPS_UTC: u16 = 0x103;
/// The GPS ASCII message (`GPS_ASCII_MSG`).
pub const GPS_ASCII_MSG: u16 = 0x105;

/// The commands ntpd's `gps16x_poll` sends, in its order.
pub const QUERY_SEQUENCE: [u16; 8] = [
    GPS_SW_REV,
    GPS_BVAR_STAT,
    GPS_UTC,
    GPS_ASCII_MSG,
    GPS_ANT_INFO,
    GPS_CFGH,
    GPS_POS_XYZ,
    GPS_POS_LLA,
];

/// Seconds between two queries (`GPS16X_POLLRATE`).
pub const QUERY_INTERVAL: u32 = 6;

/// Header length after the SOH.
pub const HEADER_LEN: usize = 8;

/// libparse's message buffer (`PARSE_TCMAX`): a message whose data
/// would not fit (with SOH and header) is dropped unread.
pub const MSG_MAX: usize = 400;

/// The 16-bit byte sum (`mbg_csum`).
pub fn csum(bytes: &[u8]) -> u16 {
    bytes
        .iter()
        .fold(0u16, |s, &b| s.wrapping_add(u16::from(b)))
}

/// A message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The command.
    pub cmd: u16,
    /// Data length.
    pub len: u16,
    /// Checksum of the data.
    pub data_csum: u16,
    /// Checksum of the header's first six bytes.
    pub hdr_csum: u16,
}

impl Header {
    /// The header of the 8 bytes after a SOH.
    pub fn parse(b: &[u8; HEADER_LEN]) -> Header {
        let w = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        Header {
            cmd: w(0),
            len: w(2),
            data_csum: w(4),
            hdr_csum: w(6),
        }
    }

    /// Whether the header checksum matches.
    pub fn hdr_ok(b: &[u8; HEADER_LEN]) -> bool {
        csum(&b[..6]) == Header::parse(b).hdr_csum
    }
}

/// A whole message: SOH, header with both checksums, `data`.
pub fn encode(cmd: u16, data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    let mut m = vec![SOH];
    m.extend_from_slice(&cmd.to_le_bytes());
    m.extend_from_slice(&len.to_le_bytes());
    m.extend_from_slice(&csum(data).to_le_bytes());
    let h = csum(&m[1..7]);
    m.extend_from_slice(&h.to_le_bytes());
    m.extend_from_slice(data);
    m
}

/// The query `gps16x_poll` writes for `cmd`: a header without data
/// (the data checksum 0, as ntpd leaves it).
pub fn query(cmd: u16) -> Vec<u8> {
    encode(cmd, &[])
}

/// What a complete binary message says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A message with good checksums: its command and a description of
    /// what it carries (ntpd's variable, where it sets one).
    Good {
        /// The command.
        cmd: u16,
        /// ntpd's variable text (`meinberg_gps_version="1.23"`), if the
        /// command is one ntpd reads and the data are long enough.
        text: Option<String>,
    },
    /// A checksum does not match.
    BadChecksum(String),
}

fn text_of(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    bytes[..end]
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                (b as char).to_string()
            } else {
                format!("<{b:02X}>")
            }
        })
        .collect()
}

/// Checks and reads a message (ntpd's `gps16x_message`): `msg` starts
/// with SOH and holds the header and the data.
pub fn decode(msg: &[u8]) -> Message {
    let Some(hdr) = msg.get(1..1 + HEADER_LEN) else {
        return Message::BadChecksum(format!("truncated header ({} bytes)", msg.len()));
    };
    let hdr: &[u8; HEADER_LEN] = hdr.try_into().expect("8 bytes");
    let h = Header::parse(hdr);
    let data = &msg[1 + HEADER_LEN..];
    if !Header::hdr_ok(hdr) {
        return Message::BadChecksum(format!(
            "header checksum 0x{:04x}, expected 0x{:04x}",
            h.hdr_csum,
            csum(&hdr[..6])
        ));
    }
    if data.len() != usize::from(h.len) {
        return Message::BadChecksum(format!("{} data bytes, header says {}", data.len(), h.len));
    }
    if h.len != 0 && csum(data) != h.data_csum {
        return Message::BadChecksum(format!(
            "data checksum 0x{:04x}, expected 0x{:04x}",
            h.data_csum,
            csum(data)
        ));
    }
    let w = |i: usize| data.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let text = match h.cmd {
        GPS_SW_REV => w(0).map(|code| {
            let name = text_of(data.get(2..).unwrap_or_default());
            format!(
                "meinberg_gps_version=\"{:x}.{:02x}{}{}\"",
                code >> 8,
                code & 0xff,
                if name.is_empty() { "" } else { " " },
                name
            )
        }),
        GPS_BVAR_STAT => w(0).map(|status| {
            const NAMES: [&str; 5] = [
                "Configuration/Health",
                "Almanachs",
                "UTC Correction",
                "Ionospheric Correction",
                "Receiver Position",
            ];
            let what = if status == 0 {
                "<all buffered data complete>".to_string()
            } else {
                let bad: Vec<&str> = NAMES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| status & (1 << i) != 0)
                    .map(|(_, n)| *n)
                    .collect();
                format!("incomplete buffered data: {}", bad.join(", "))
            };
            format!("meinberg_gps_status=\"[0x{status:04x}] {what}\"")
        }),
        GPS_ANT_INFO => w(0).map(|status| {
            let what = match status {
                0 => "<OK>".to_string(),
                1 => "DISCONNECTED".to_string(),
                2 => "SYNC AFTER RECONNECT".to_string(),
                other => format!("bad status 0x{other:04x}"),
            };
            format!("meinberg_antenna_status=\"{what}\"")
        }),
        GPS_ASCII_MSG => w(2).map(|valid| {
            if valid != 0 {
                format!(
                    "gps_message=\"{}\"",
                    text_of(data.get(4..).unwrap_or_default())
                )
            } else {
                "gps_message=<NONE>".to_string()
            }
        }),
        _ => None,
    };
    Message::Good { cmd: h.cmd, text }
}

/// The answers of the simulated receiver: version, buffered-variable
/// status, antenna status and the ASCII message (`None` for the
/// other commands, which it leaves unanswered).
pub fn answer(cmd: u16) -> Option<Vec<u8>> {
    let data = match cmd {
        GPS_SW_REV => {
            let mut d = 0x0123u16.to_le_bytes().to_vec();
            let mut name = [0u8; 18];
            name[..8].copy_from_slice(b"refclock");
            d.extend_from_slice(&name);
            d
        }
        GPS_BVAR_STAT => 0u16.to_le_bytes().to_vec(),
        GPS_ANT_INFO => {
            // status ANT_INVALID (never disconnected), two empty times
            // (20 bytes each) and the offset at reconnect.
            let mut d = vec![0u8; 2 + 20 + 20 + 4];
            d[..2].copy_from_slice(&0u16.to_le_bytes());
            d
        }
        GPS_ASCII_MSG => {
            let mut d = Vec::new();
            let mut s = [0u8; 24];
            s[..17].copy_from_slice(b"simulated message");
            d.extend_from_slice(&csum(&s).to_le_bytes());
            d.extend_from_slice(&1u16.to_le_bytes());
            d.extend_from_slice(&s);
            d
        }
        _ => return None,
    };
    Some(encode(cmd, &data))
}
