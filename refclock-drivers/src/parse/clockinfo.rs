//! ntpd's PARSE clock table (`parse_clockinfo[]` in
//! ntpd/refclock_parse.c, 4.2.8p18): for each mode 0..=24 the receiver,
//! its libparse format, serial settings, base delay, refid and trust
//! time.

use refclock_core::port::{DataBits, InputMode, Parity, SerialConfig};

/// One mode's entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockInfo {
    /// The mode (index in the table).
    pub mode: u8,
    /// The receiver (`cl_description`).
    pub description: &'static str,
    /// The libparse format (`cl_format`).
    pub format: &'static str,
    /// The reference id (`cl_id`), NUL-padded.
    pub refid: [u8; 4],
    /// The serial delay of the timecode, `time1`'s default
    /// (`cl_basedelay`), seconds.
    pub basedelay: f64,
    /// How long the time is trusted after the receiver lost sync
    /// (`cl_maxunsync`), seconds; 0 = not at all.
    pub maxunsync: u32,
    /// Port settings (`cl_speed`, `cl_cflag`, `cl_iflag`, `cl_oflag`,
    /// `cl_lflag`).
    pub serial: SerialConfig,
    /// A PPS edge marks the start of the second the timecode names
    /// (`PARSE_F_PPSONSECOND`); otherwise the timecode describes the
    /// pulse (raw DCF77).
    pub pps_on_second: bool,
    /// The POWERUP state is trusted within the trust time after sync
    /// was seen (`PARSE_F_POWERUPTRUST`, modes 22 and 23).
    pub powerup_trust: bool,
    /// `cl_samples` / `cl_keep` (ntpd leaves them unused).
    pub samples: (u8, u8),
}

/// Number of modes.
pub const MODES: usize = 25;

const fn serial(baud: u32, bits: DataBits, parity: Parity, stop: u8) -> SerialConfig {
    SerialConfig {
        data_bits: bits,
        parity,
        stop_bits: stop,
        crnl: false,
        ..SerialConfig::raw_8n1(baud)
    }
}

const fn strip(c: SerialConfig) -> SerialConfig {
    SerialConfig { strip: true, ..c }
}

use DataBits::{Eight, Seven};
use Parity::{Even, None as NoParity, Odd};

/// Meinberg standard string clocks: 9600 7E2, ISTRIP (`MBG_CFLAG`).
const MBG: SerialConfig = strip(serial(9600, Seven, Even, 2));
/// Meinberg GPS: 19200 8N1.
const GPS16X: SerialConfig = serial(19200, Eight, NoParity, 1);
/// Raw DCF77: 50 baud 8E1, iflag 0 on Linux (`RAWDCF_NO_IGNPAR`).
const RAWDCF: SerialConfig = serial(50, Eight, Even, 1);

#[allow(clippy::too_many_arguments)]
const fn entry(
    mode: u8,
    description: &'static str,
    format: &'static str,
    refid: &[u8; 4],
    basedelay: f64,
    maxunsync: u32,
    serial: SerialConfig,
    pps_on_second: bool,
) -> ClockInfo {
    ClockInfo {
        mode,
        description,
        format,
        refid: *refid,
        basedelay,
        maxunsync,
        serial,
        pps_on_second,
        powerup_trust: false,
        samples: (5, 3),
    }
}

const MBG_STANDARD: &str = "Meinberg Standard";
const MBG_GPS: &str = "Meinberg GPS Extended";
const RAW_DCF: &str = "RAW DCF77 Timecode";
const C51: &str = "Meinberg DCF77 C51 or compatible";
const GPS_RX: &str = "Meinberg GPS receiver";

/// A Meinberg GPS receiver (modes 7, 18, 23): 19200 8N1, trusted 4 days.
const fn gps16x(mode: u8) -> ClockInfo {
    entry(
        mode,
        GPS_RX,
        MBG_GPS,
        b"GPS\0",
        0.001968,
        96 * 3600,
        GPS16X,
        true,
    )
}

const fn rawdcf(mode: u8, description: &'static str, basedelay: f64, baud: u32) -> ClockInfo {
    ClockInfo {
        samples: (20, 12),
        ..entry(
            mode,
            description,
            RAW_DCF,
            b"DCFa",
            basedelay,
            0,
            SerialConfig { baud, ..RAWDCF },
            false,
        )
    }
}

/// The table, indexed by mode.
pub const TABLE: [ClockInfo; MODES] = [
    entry(
        0,
        "Meinberg DCF PZF 535/509 / TCXO",
        MBG_STANDARD,
        b"DCFp",
        0.001968,
        12 * 3600,
        MBG,
        true,
    ),
    entry(
        1,
        "Meinberg DCF PZF 535/509 / OCXO",
        MBG_STANDARD,
        b"DCFp",
        0.001968,
        96 * 3600,
        MBG,
        true,
    ),
    entry(2, C51, MBG_STANDARD, b"DCFa", 0.010, 30 * 60, MBG, true),
    entry(
        3,
        "ELV DCF7000",
        "ELV DCF7000",
        b"DCFa",
        0.405,
        5 * 60,
        serial(9600, Eight, Odd, 1),
        true,
    ),
    entry(
        4,
        "WS/DCF Receiver",
        "Schmid",
        b"DCFa",
        0.010,
        3600,
        serial(1200, Eight, NoParity, 1),
        false,
    ),
    rawdcf(
        5,
        "RAW DCF77 CODE (Conrad DCF77 receiver module)",
        0.292,
        50,
    ),
    rawdcf(6, "RAW DCF77 CODE (TimeBrick)", 0.210, 50),
    gps16x(7),
    // IGEL:clock: 1200 baud without parity.
    ClockInfo {
        serial: serial(1200, Eight, NoParity, 1),
        ..rawdcf(8, "RAW DCF77 CODE (IGEL:clock)", 0.258, 1200)
    },
    // TAIP: iflag BRKINT|IGNPAR|ISTRIP|ICRNL|IXON, oflag OPOST|ONLCR.
    entry(
        9,
        "Trimble GPS (TAIP) receiver",
        "Trimble TAIP",
        b"GPS\0",
        0.0,
        0,
        SerialConfig {
            xon: true,
            opost: true,
            crnl: true,
            ..strip(serial(4800, Eight, NoParity, 1))
        },
        true,
    ),
    // TSIP: canonical, reads end at ETX (VEOL) and DLE (VEOL2).
    entry(
        10,
        "Trimble GPS (TSIP) receiver",
        "Trimble TSIP",
        b"GPS\0",
        0.020,
        0,
        SerialConfig {
            input: InputMode::Canonical,
            eol: [Some(0x03), Some(0x10)],
            ..serial(9600, Eight, Odd, 1)
        },
        true,
    ),
    entry(
        11,
        "RCC 8000 MSF Receiver",
        "Radiocode RCC8000",
        b"MSF\0",
        0.0,
        3600,
        serial(2400, Eight, NoParity, 1),
        false,
    ),
    entry(
        12,
        "HOPF 6021",
        "hopf Funkuhr 6021",
        b"DCF\0",
        0.0,
        3600,
        strip(serial(9600, Eight, NoParity, 1)),
        false,
    ),
    entry(
        13,
        "Diem's Computime receiver",
        "Diem's Computime Radio Clock",
        b"DCF\0",
        0.0,
        3600,
        strip(serial(9600, Seven, NoParity, 2)),
        false,
    ),
    rawdcf(14, "RAW DCF77 CODE (DTR SET/RTS CLR)", 0.258, 50),
    entry(
        15,
        "WHARTON 400A Series clock",
        "WHARTON 400A Series clock Output Format 1",
        b"DCF\0",
        11.0 / 9600.0,
        3600,
        serial(9600, Eight, Even, 1),
        false,
    ),
    rawdcf(16, "RAW DCF77 CODE (DTR CLR/RTS SET)", 0.258, 50),
    ClockInfo {
        samples: (32, 20),
        ..entry(
            17,
            "Varitext receiver",
            "Varitext Radio Clock",
            b"MSF\0",
            0.0,
            3600,
            SerialConfig {
                check_parity: true,
                ..serial(9600, Seven, Odd, 1)
            },
            false,
        )
    },
    gps16x(18),
    rawdcf(
        19,
        "RAW DCF77 CODE (Expert mouseCLOCK USB v2.0)",
        0.425,
        4800,
    ),
    rawdcf(20, "RAW DCF77 CODE (DTR SET/RTS CLR @ 75 baud)", 0.258, 75),
    rawdcf(21, "RAW DCF77 CODE (DTR CLR/RTS SET @ 75 baud)", 0.258, 75),
    ClockInfo {
        powerup_trust: true,
        ..entry(22, C51, MBG_STANDARD, b"DCFa", 0.010, 30 * 60, MBG, true)
    },
    ClockInfo {
        powerup_trust: true,
        ..gps16x(23)
    },
    entry(
        24,
        "SEL240x Satellite Synchronized Clock",
        "SEL B8",
        b"GPS\0",
        0.0,
        12 * 3600,
        serial(9600, Eight, NoParity, 1),
        true,
    ),
];

/// The entry for `mode` (0..=24), if there is one.
pub fn clock_info(mode: u32) -> Option<&'static ClockInfo> {
    TABLE.get(usize::try_from(mode).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_by_mode() {
        for (i, e) in TABLE.iter().enumerate() {
            assert_eq!(e.mode as usize, i);
        }
        assert!(clock_info(25).is_none());
    }

    #[test]
    fn serial_settings_as_ntpd() {
        let c = |m: u32| clock_info(m).unwrap().serial;
        // 7E2 with ISTRIP for the Meinberg standard string.
        let m = c(0);
        assert_eq!(
            (m.baud, m.data_bits, m.parity, m.stop_bits, m.strip),
            (9600, Seven, Even, 2, true)
        );
        assert_eq!((c(5).baud, c(5).parity), (50, Even));
        assert_eq!((c(20).baud, c(21).baud, c(19).baud), (75, 75, 4800));
        assert_eq!((c(8).baud, c(8).parity), (1200, NoParity));
        assert_eq!((c(3).parity, c(10).parity, c(17).parity), (Odd, Odd, Odd));
        assert!(c(17).check_parity && !c(0).check_parity);
        assert_eq!((c(13).data_bits, c(13).stop_bits), (Seven, 2));
        assert_eq!(c(10).input, InputMode::Canonical);
        assert_eq!(c(10).eol, [Some(0x03), Some(0x10)]);
        assert!(!c(10).crnl && c(9).crnl);
        for m in 0..MODES as u32 {
            if m != 10 {
                assert_eq!(c(m).input, InputMode::Raw, "mode {m}");
            }
        }
        assert!(TABLE[22].powerup_trust && TABLE[23].powerup_trust && !TABLE[2].powerup_trust);
    }
}
