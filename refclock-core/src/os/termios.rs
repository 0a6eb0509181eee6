//! Terminal settings: the termios ntpd's `refclock_setup` makes of a
//! [`SerialConfig`], reading settings back as a [`SerialConfig`] or a
//! one-line summary, and the table of standard speeds.
//!
//! The settings are nix's [`Termios`]; speeds are nix's [`BaudRate`].
//! Speeds read back come from the `CBAUD` bits of the control flags
//! (what `cfgetospeed` returns on Linux) rather than from nix's
//! `cfgetospeed`, which panics on a code outside [`BaudRate`] (`BOTHER`,
//! left behind by a program that set an arbitrary speed): such a code is
//! reported as "speed code 0o10000".

use std::fmt::Write as _;
use std::io;

use nix::sys::termios::{
    cfsetspeed, BaudRate, ControlFlags, InputFlags, LocalFlags, OutputFlags,
    SpecialCharacterIndices, Termios,
};

use crate::os::error::OsError;
use crate::port::{DataBits, InputMode, Parity, SerialConfig};

/// Every speed a [`SerialConfig`] may ask for, with its `Bxxx` constant.
const SPEEDS: &[(u32, BaudRate)] = &[
    (50, BaudRate::B50),
    (75, BaudRate::B75),
    (110, BaudRate::B110),
    (134, BaudRate::B134),
    (150, BaudRate::B150),
    (200, BaudRate::B200),
    (300, BaudRate::B300),
    (600, BaudRate::B600),
    (1200, BaudRate::B1200),
    (1800, BaudRate::B1800),
    (2400, BaudRate::B2400),
    (4800, BaudRate::B4800),
    (9600, BaudRate::B9600),
    (19200, BaudRate::B19200),
    (38400, BaudRate::B38400),
    (57600, BaudRate::B57600),
    (115200, BaudRate::B115200),
    (230400, BaudRate::B230400),
    (460800, BaudRate::B460800),
    (500000, BaudRate::B500000),
    (576000, BaudRate::B576000),
    (921600, BaudRate::B921600),
    (1000000, BaudRate::B1000000),
    (1152000, BaudRate::B1152000),
    (1500000, BaudRate::B1500000),
    (2000000, BaudRate::B2000000),
    // sparc64 Linux has no speeds above 2 Mbaud.
    #[cfg(not(target_arch = "sparc64"))]
    (2500000, BaudRate::B2500000),
    #[cfg(not(target_arch = "sparc64"))]
    (3000000, BaudRate::B3000000),
    #[cfg(not(target_arch = "sparc64"))]
    (3500000, BaudRate::B3500000),
    #[cfg(not(target_arch = "sparc64"))]
    (4000000, BaudRate::B4000000),
];

/// The standard speeds (baud) accepted by
/// [`SerialPort::open`](crate::os::serial::SerialPort::open), ascending.
pub fn supported_bauds() -> impl Iterator<Item = u32> {
    SPEEDS.iter().map(|&(b, _)| b)
}

/// The `Bxxx` constant for a speed in baud (134 stands for 134.5 baud).
pub fn speed_constant(baud: u32) -> Option<BaudRate> {
    SPEEDS.iter().find(|&&(b, _)| b == baud).map(|&(_, s)| s)
}

/// The speed in baud for a `Bxxx` constant (`None` for B0).
pub fn baud_from_constant(speed: BaudRate) -> Option<u32> {
    SPEEDS.iter().find(|&&(_, s)| s == speed).map(|&(b, _)| b)
}

/// The output speed code of `t`: what `cfgetospeed` returns on Linux (the
/// `CBAUD` bits of `c_cflag`), without panicking on codes that are not a
/// [`BaudRate`]. Linux's C libraries report the input speed as the same
/// code.
pub(crate) fn speed_code(t: &Termios) -> libc::speed_t {
    (t.control_flags & ControlFlags::CBAUD).bits()
}

/// The speed in baud for a speed code (`None` for B0, BOTHER and unknown
/// codes).
pub(crate) fn baud_from_code(code: libc::speed_t) -> Option<u32> {
    BaudRate::try_from(code).ok().and_then(baud_from_constant)
}

fn cc(i: SpecialCharacterIndices) -> usize {
    i as usize
}

/// The termios `refclock_setup` makes of `base` (the current settings)
/// for `config`; `modem` is the TIOCMGET result, if it worked. Fails only
/// when the speed cannot be stored (EINVAL).
pub(crate) fn build_termios(
    base: Termios,
    config: &SerialConfig,
    modem: Option<u32>,
) -> io::Result<Termios> {
    let speed =
        speed_constant(config.baud).ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    let mut t = base;
    t.input_flags = InputFlags::IGNBRK;
    if config.crnl {
        t.input_flags |= InputFlags::ICRNL;
    }
    t.input_flags |= if config.check_parity {
        InputFlags::INPCK
    } else {
        InputFlags::IGNPAR
    };
    if config.strip {
        t.input_flags |= InputFlags::ISTRIP;
    }
    if config.xon {
        t.input_flags |= InputFlags::IXON;
    }
    t.output_flags = if config.opost {
        OutputFlags::OPOST
    } else {
        OutputFlags::empty()
    };
    t.control_flags = ControlFlags::CLOCAL | ControlFlags::CREAD;
    t.control_flags |= match config.data_bits {
        DataBits::Seven => ControlFlags::CS7,
        DataBits::Eight => ControlFlags::CS8,
    };
    t.control_flags |= match config.parity {
        Parity::None => ControlFlags::empty(),
        Parity::Even => ControlFlags::PARENB,
        Parity::Odd => ControlFlags::PARENB | ControlFlags::PARODD,
    };
    if config.stop_bits == 2 {
        t.control_flags |= ControlFlags::CSTOPB;
    }
    // Input and output speed, as cfsetispeed + cfsetospeed.
    cfsetspeed(&mut t, speed)?;
    t.control_chars = [0; libc::NCCS];
    if config.remote && modem.is_some_and(|m| m & libc::TIOCM_DSR as u32 != 0) {
        t.control_flags.remove(ControlFlags::CLOCAL);
    }
    t.local_flags = LocalFlags::ICANON;
    if config.input == InputMode::Raw {
        t.local_flags = LocalFlags::empty();
        t.input_flags &= InputFlags::INPCK | InputFlags::ISTRIP | InputFlags::IXON;
        t.control_chars[cc(SpecialCharacterIndices::VMIN)] = 1;
    } else {
        if let Some(c) = config.eol[0] {
            t.control_chars[cc(SpecialCharacterIndices::VEOL)] = c;
        }
        if let Some(c) = config.eol[1] {
            t.control_chars[cc(SpecialCharacterIndices::VEOL2)] = c;
        }
    }
    if config.echo {
        t.local_flags |= LocalFlags::ECHO;
    }
    Ok(t)
}

/// What the device kept differently from the speed and framing asked
/// for, in words (`None` when all took effect).
pub(crate) fn describe_mismatch(config: &SerialConfig, now: &Termios) -> Option<String> {
    let code = speed_code(now);
    let got_baud = baud_from_code(code);
    let wanted = framing_name(config.data_bits, config.parity, config.stop_bits);
    let got = match config_from_termios(now) {
        Ok(c) => framing_name(c.data_bits, c.parity, c.stop_bits),
        Err(_) => summarize(now),
    };
    if got_baud == Some(config.baud) && got == wanted {
        return None;
    }
    let speed = got_baud.map_or_else(|| format!("speed code {code:#o}"), |b| format!("{b} baud"));
    Some(format!(
        "asked for {} baud {wanted}, the device kept {speed} {got}",
        config.baud
    ))
}

fn framing_name(bits: DataBits, parity: Parity, stop_bits: u8) -> String {
    let b = match bits {
        DataBits::Seven => '7',
        DataBits::Eight => '8',
    };
    let p = match parity {
        Parity::None => 'N',
        Parity::Even => 'E',
        Parity::Odd => 'O',
    };
    format!("{b}{p}{stop_bits}")
}

/// Refuses a speed without a `Bxxx` constant and stop bits other than 1
/// or 2.
pub(crate) fn check_config(cfg: &SerialConfig) -> Result<(), OsError> {
    if speed_constant(cfg.baud).is_none() {
        return Err(OsError::UnsupportedSpeed { baud: cfg.baud });
    }
    if !matches!(cfg.stop_bits, 1 | 2) {
        return Err(OsError::UnsupportedStopBits {
            stop_bits: cfg.stop_bits,
        });
    }
    Ok(())
}

fn parity_of(c: ControlFlags) -> Parity {
    match (
        c.contains(ControlFlags::PARENB),
        c.contains(ControlFlags::PARODD),
    ) {
        (false, _) => Parity::None,
        (true, false) => Parity::Even,
        (true, true) => Parity::Odd,
    }
}

/// The settings as a [`SerialConfig`] (`remote` is `false`: it is a
/// set-up action, not a state). `InvalidData` for settings a
/// `SerialConfig` cannot express (5 or 6 data bits, a non-standard
/// speed).
pub(crate) fn config_from_termios(t: &Termios) -> io::Result<SerialConfig> {
    let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    let code = speed_code(t);
    let baud = baud_from_code(code).ok_or_else(|| bad(format!("speed code {code:#o}")))?;
    let c = t.control_flags;
    let size = c & ControlFlags::CSIZE;
    let data_bits = if size == ControlFlags::CS7 {
        DataBits::Seven
    } else if size == ControlFlags::CS8 {
        DataBits::Eight
    } else {
        return Err(bad(format!("character size flags {:#o}", size.bits())));
    };
    let canonical = t.local_flags.contains(LocalFlags::ICANON);
    let i = t.input_flags;
    Ok(SerialConfig {
        baud,
        data_bits,
        parity: parity_of(c),
        stop_bits: if c.contains(ControlFlags::CSTOPB) {
            2
        } else {
            1
        },
        input: if canonical {
            InputMode::Canonical
        } else {
            InputMode::Raw
        },
        strip: i.contains(InputFlags::ISTRIP),
        check_parity: i.contains(InputFlags::INPCK),
        remote: false,
        echo: t.local_flags.contains(LocalFlags::ECHO),
        xon: i.contains(InputFlags::IXON),
        opost: t.output_flags.contains(OutputFlags::OPOST),
        crnl: i.contains(InputFlags::ICRNL),
        eol: if canonical {
            [
                SpecialCharacterIndices::VEOL,
                SpecialCharacterIndices::VEOL2,
            ]
            .map(|i| Some(t.control_chars[cc(i)]).filter(|&c| c != 0))
        } else {
            [None, None]
        },
    })
}

/// One line for debug output: speed, framing, input mode and the raw flag
/// words.
pub(crate) fn summarize(t: &Termios) -> String {
    let mut s = String::new();
    let code = speed_code(t);
    match baud_from_code(code) {
        Some(b) => {
            let _ = write!(s, "{b} baud ");
        }
        None => {
            let _ = write!(s, "speed code {code:#o} ");
        }
    }
    let c = t.control_flags;
    let size = c & ControlFlags::CSIZE;
    let bits = if size == ControlFlags::CS5 {
        '5'
    } else if size == ControlFlags::CS6 {
        '6'
    } else if size == ControlFlags::CS7 {
        '7'
    } else {
        '8'
    };
    let parity = match parity_of(c) {
        Parity::None => 'N',
        Parity::Even => 'E',
        Parity::Odd => 'O',
    };
    let stop = if c.contains(ControlFlags::CSTOPB) {
        '2'
    } else {
        '1'
    };
    let l = t.local_flags;
    let _ = write!(
        s,
        "{bits}{parity}{stop} {}{}{} iflag={:#o} oflag={:#o} cflag={:#o} lflag={:#o} vmin={} vtime={}",
        if l.contains(LocalFlags::ICANON) { "canonical" } else { "raw" },
        if c.contains(ControlFlags::CLOCAL) { " clocal" } else { "" },
        if l.contains(LocalFlags::ECHO) { " echo" } else { "" },
        t.input_flags.bits(),
        t.output_flags.bits(),
        c.bits(),
        l.bits(),
        t.control_chars[cc(SpecialCharacterIndices::VMIN)],
        t.control_chars[cc(SpecialCharacterIndices::VTIME)],
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::termios::{cfgetispeed, cfgetospeed};

    #[test]
    fn speed_table_round_trips_and_is_sorted() {
        let bauds: Vec<u32> = supported_bauds().collect();
        assert_eq!(bauds.first(), Some(&50));
        assert_eq!(bauds.last(), Some(&4_000_000));
        assert_eq!(bauds.len(), 30);
        assert!(bauds.windows(2).all(|w| w[0] < w[1]));
        for b in bauds {
            let c = speed_constant(b).unwrap();
            assert_eq!(baud_from_constant(c), Some(b));
            assert_eq!(baud_from_code(c as libc::speed_t), Some(b));
        }
        assert_eq!(speed_constant(0), None);
        assert_eq!(speed_constant(4800 + 1), None);
        assert_eq!(baud_from_constant(BaudRate::B0), None);
        assert_eq!(baud_from_code(libc::B0), None);
        assert_eq!(baud_from_code(libc::BOTHER), None);
        // nix's constants are the C library's.
        assert_eq!(speed_constant(4800), BaudRate::try_from(libc::B4800).ok());
        assert_eq!(
            speed_constant(4_000_000).map(|s| s as libc::speed_t),
            Some(libc::B4000000)
        );
    }

    /// An all-zero termios (B0, no flags), as nix's type.
    fn zeroed() -> Termios {
        // SAFETY: termios is plain old data; zero is a valid value.
        Termios::from(unsafe { std::mem::zeroed::<libc::termios>() })
    }

    #[test]
    fn termios_decoding() {
        let mut t = zeroed();
        t.control_flags =
            ControlFlags::from_bits_retain(libc::CS7 | libc::PARENB | libc::CSTOPB | libc::CREAD);
        t.input_flags = InputFlags::from_bits_retain(libc::ISTRIP | libc::INPCK);
        t.local_flags = LocalFlags::from_bits_retain(libc::ICANON);
        cfsetspeed(&mut t, BaudRate::B9600).unwrap();
        let c = config_from_termios(&t).unwrap();
        assert_eq!(c.baud, 9600);
        assert_eq!(c.data_bits, DataBits::Seven);
        assert_eq!(c.parity, Parity::Even);
        assert_eq!(c.stop_bits, 2);
        assert_eq!(c.input, InputMode::Canonical);
        assert!(c.strip && c.check_parity && !c.remote);
        assert!(summarize(&t).starts_with("9600 baud 7E2 canonical"));
        t.control_flags = (t.control_flags - ControlFlags::CSIZE) | ControlFlags::CS5;
        assert_eq!(
            config_from_termios(&t).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    /// A speed set by other means (termios2, BOTHER) is reported, not a
    /// panic as nix's cfgetospeed would make it.
    #[test]
    fn arbitrary_speed_is_reported_as_a_code() {
        let mut t = build_termios(zeroed(), &SerialConfig::raw_8n1(9600), None).unwrap();
        t.control_flags =
            (t.control_flags - ControlFlags::CBAUD) | ControlFlags::from_bits_retain(libc::BOTHER);
        let e = config_from_termios(&t).unwrap_err();
        assert_eq!(e.to_string(), "speed code 0o10000");
        assert!(summarize(&t).starts_with("speed code 0o10000 8N1 raw"));
        let cfg = SerialConfig::raw_8n1(9600);
        assert_eq!(
            describe_mismatch(&cfg, &t).unwrap(),
            format!(
                "asked for 9600 baud 8N1, the device kept speed code 0o10000 {}",
                summarize(&t)
            )
        );
    }

    #[test]
    fn build_termios_framings() {
        let mut base = zeroed();
        base.control_chars = [0x7f; libc::NCCS];
        base.local_flags = LocalFlags::ECHO | LocalFlags::ISIG;
        base.output_flags = OutputFlags::OPOST;
        let cases = [
            (
                DataBits::Seven,
                Parity::Even,
                2,
                libc::CS7 | libc::PARENB | libc::CSTOPB,
            ),
            (
                DataBits::Eight,
                Parity::Odd,
                1,
                libc::CS8 | libc::PARENB | libc::PARODD,
            ),
            (
                DataBits::Seven,
                Parity::Odd,
                1,
                libc::CS7 | libc::PARENB | libc::PARODD,
            ),
            (DataBits::Eight, Parity::None, 1, libc::CS8),
        ];
        for (data_bits, parity, stop_bits, cflag) in cases {
            let cfg = SerialConfig {
                data_bits,
                parity,
                stop_bits,
                ..SerialConfig::canonical_8n1(4800)
            };
            let t = build_termios(base.clone(), &cfg, None).unwrap();
            assert_eq!(
                t.control_flags.bits() & !libc::CBAUD,
                cflag | libc::CLOCAL | libc::CREAD
            );
            assert_eq!(speed_code(&t), libc::B4800);
            assert_eq!(cfgetospeed(&t), BaudRate::B4800);
            assert_eq!(cfgetispeed(&t), BaudRate::B4800);
            assert_eq!(
                t.input_flags.bits(),
                libc::IGNBRK | libc::IGNPAR | libc::ICRNL
            );
            assert_eq!(t.output_flags.bits(), 0);
            assert_eq!(t.local_flags.bits(), libc::ICANON);
            assert_eq!(t.control_chars, [0; libc::NCCS]);
            assert_eq!(config_from_termios(&t).unwrap(), cfg);
        }
    }

    #[test]
    fn build_termios_raw_and_remote() {
        let raw = SerialConfig {
            strip: true,
            ..SerialConfig::raw_8n1(115200)
        };
        let t = build_termios(zeroed(), &raw, None).unwrap();
        assert_eq!(
            (t.input_flags.bits(), t.local_flags.bits()),
            (libc::ISTRIP, 0)
        );
        assert_eq!(
            (t.control_chars[libc::VMIN], t.control_chars[libc::VTIME]),
            (1, 0)
        );

        let remote = SerialConfig {
            remote: true,
            ..SerialConfig::canonical_8n1(1200)
        };
        let dsr = libc::TIOCM_DSR as u32;
        let clocal = |m| {
            build_termios(zeroed(), &remote, m)
                .unwrap()
                .control_flags
                .bits()
                & libc::CLOCAL
        };
        assert_eq!(clocal(Some(dsr)), 0);
        assert_ne!(clocal(Some(libc::TIOCM_CTS as u32)), 0);
        assert_ne!(clocal(None), 0);
        // Without LDISC_REMOTE, DSR changes nothing.
        let local = SerialConfig::canonical_8n1(1200);
        let t = build_termios(zeroed(), &local, Some(dsr)).unwrap();
        assert_ne!(t.control_flags.bits() & libc::CLOCAL, 0);
    }

    #[test]
    fn build_termios_echo_xon_opost_and_eol() {
        let cfg = SerialConfig {
            echo: true,
            xon: true,
            opost: true,
            eol: [Some(b'*'), Some(b'#')],
            ..SerialConfig::canonical_8n1(9600)
        };
        let t = build_termios(zeroed(), &cfg, None).unwrap();
        assert_eq!(
            t.input_flags.bits(),
            libc::IGNBRK | libc::IGNPAR | libc::ICRNL | libc::IXON
        );
        assert_eq!(t.output_flags.bits(), libc::OPOST);
        assert_eq!(t.local_flags.bits(), libc::ICANON | libc::ECHO);
        let mut cc = [0; libc::NCCS];
        cc[libc::VEOL] = b'*';
        cc[libc::VEOL2] = b'#';
        assert_eq!(t.control_chars, cc);
        assert_eq!(config_from_termios(&t).unwrap(), cfg);
        // Raw: IXON and ECHO stay, the end-of-line characters do not apply.
        let raw = SerialConfig {
            input: InputMode::Raw,
            ..cfg
        };
        let t = build_termios(zeroed(), &raw, None).unwrap();
        assert_eq!(t.input_flags.bits(), libc::IXON);
        assert_eq!(t.local_flags.bits(), libc::ECHO);
        let mut cc = [0; libc::NCCS];
        cc[libc::VMIN] = 1;
        assert_eq!(t.control_chars, cc);
        assert_eq!(config_from_termios(&t).unwrap().eol, [None, None]);
    }

    #[test]
    fn mismatch_is_described() {
        let cfg = SerialConfig {
            data_bits: DataBits::Seven,
            parity: Parity::Even,
            stop_bits: 2,
            ..SerialConfig::canonical_8n1(9600)
        };
        let t = build_termios(zeroed(), &cfg, None).unwrap();
        assert_eq!(describe_mismatch(&cfg, &t), None);
        let mut forced = t;
        forced.control_flags = (forced.control_flags
            - (ControlFlags::CSIZE | ControlFlags::PARENB))
            | ControlFlags::CS8;
        assert_eq!(
            describe_mismatch(&cfg, &forced).unwrap(),
            "asked for 9600 baud 7E2, the device kept 9600 baud 8N2"
        );
    }
}
