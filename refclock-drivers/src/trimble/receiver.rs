//! The receivers ntpd's `mode` selects (`CLK_TYPE`), their line settings
//! and the configuration the driver writes when the port opens.

use refclock_core::port::{Parity, SerialConfig};

use crate::tsip;

/// The receiver the mode selects (`mode & 0x7F`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// Mode 0: Trimble Palisade (event input, 8F-0B / 8F-AD).
    Palisade,
    /// Mode 1: Endrun Praecis in Trimble emulation (`SPSTAT` first).
    Praecis,
    /// Mode 2: Thunderbolt (8F-AB / 8F-AC once a second).
    Thunderbolt,
    /// Mode 3: Acutime Gold (event input, 8F-AD / 8F-0B).
    Acutime,
    /// Mode 4: Acutime Gold on its port B: run as mode 0, as ntpd does.
    AcutimePortB,
    /// Mode 5: Resolution, Resolution SMT (8F-AB / 8F-AC), and the RES
    /// 720 (TSIP version 1, A1-00).
    Resolution,
    /// Mode 6: ACE III (0x41 in answer to 0x21).
    Ace,
    /// Mode 7: Copernicus II (0x41 once a second).
    Copernicus,
}

impl Receiver {
    /// The receiver of `mode` (already masked with 0x7F); `None` beyond 7.
    pub fn from_mode(mode: u32) -> Option<Receiver> {
        Some(match mode {
            0 => Receiver::Palisade,
            1 => Receiver::Praecis,
            2 => Receiver::Thunderbolt,
            3 => Receiver::Acutime,
            4 => Receiver::AcutimePortB,
            5 => Receiver::Resolution,
            6 => Receiver::Ace,
            7 => Receiver::Copernicus,
            _ => return None,
        })
    }

    /// Its name, as ntpd logs it.
    pub fn name(self) -> &'static str {
        match self {
            Receiver::Palisade => "Palisade",
            Receiver::Praecis => "Praecis",
            Receiver::Thunderbolt => "Thunderbolt",
            Receiver::Acutime => "Acutime Gold",
            Receiver::AcutimePortB => "Acutime Gold port B",
            Receiver::Resolution => "Resolution",
            Receiver::Ace => "ACE III",
            Receiver::Copernicus => "Copernicus II",
        }
    }

    /// The line: raw, no CR mapping; 9600 8O1, but 9600 8N1 for the
    /// Thunderbolt and 38400 8N1 for the Copernicus II (see the module
    /// documentation for how ntpd gets there).
    pub fn serial_config(self) -> SerialConfig {
        let base = SerialConfig {
            crnl: false,
            ..SerialConfig::raw_8n1(9600)
        };
        match self {
            Receiver::Thunderbolt => base,
            Receiver::Copernicus => SerialConfig {
                baud: 38_400,
                ..base
            },
            _ => SerialConfig {
                parity: Parity::Odd,
                ..base
            },
        }
    }

    /// Receivers without an event input: their 1 Hz packets are always
    /// used, `flag2` or not (ntpd needs `flag2` for them).
    pub fn always_synchronous(self) -> bool {
        matches!(
            self,
            Receiver::Thunderbolt | Receiver::Resolution | Receiver::Copernicus
        )
    }

    /// Whether ntpd's `TSIP_decode` takes it for a Palisade (ignoring the
    /// port B reports 0x41, 0x46, 0x54, 0x4B and 0x6D).
    pub fn palisade_like(self) -> bool {
        matches!(
            self,
            Receiver::Palisade | Receiver::Praecis | Receiver::AcutimePortB
        )
    }

    /// The packets written when the port opens (`init_thunderbolt`,
    /// `init_acutime`, `init_resolution`).
    pub fn start_packets(self) -> Vec<Vec<u8>> {
        let sup = |data: &[u8]| tsip::encode(tsip::CMD_SUPER, data);
        match self {
            // UTC time and PPS; 8F-AB and 8F-AC on.
            Receiver::Thunderbolt => vec![sup(&[0xA2, 0x03]), sup(&[0xA5, 0x00, 0x05])],
            // Outputs off but event polling on port A.
            Receiver::Acutime => vec![sup(&[0xA5, 0x02, 0x00, 0x00, 0x00])],
            // UTC; PPS only when locked to a satellite; 8F-AB and 8F-AC.
            Receiver::Resolution => vec![
                sup(&[0xA2, 0x03]),
                sup(&[0x4E, 0x03]),
                sup(&[0xA5, 0x00, 0x05]),
            ],
            _ => Vec::new(),
        }
    }
}
