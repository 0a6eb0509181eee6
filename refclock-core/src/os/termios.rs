//! Terminal settings: the termios ntpd's `refclock_setup` makes of a
//! [`SerialConfig`], reading settings back as a [`SerialConfig`] or a
//! one-line summary, and the table of standard speeds.

use std::fmt::Write as _;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::os::error::OsError;
use crate::port::{DataBits, InputMode, Parity, SerialConfig};

/// Every speed a [`SerialConfig`] may ask for, with its `Bxxx` constant.
const SPEEDS: &[(u32, libc::speed_t)] = &[
    (50, libc::B50),
    (75, libc::B75),
    (110, libc::B110),
    (134, libc::B134),
    (150, libc::B150),
    (200, libc::B200),
    (300, libc::B300),
    (600, libc::B600),
    (1200, libc::B1200),
    (1800, libc::B1800),
    (2400, libc::B2400),
    (4800, libc::B4800),
    (9600, libc::B9600),
    (19200, libc::B19200),
    (38400, libc::B38400),
    (57600, libc::B57600),
    (115200, libc::B115200),
    (230400, libc::B230400),
    (460800, libc::B460800),
    (500000, libc::B500000),
    (576000, libc::B576000),
    (921600, libc::B921600),
    (1000000, libc::B1000000),
    (1152000, libc::B1152000),
    (1500000, libc::B1500000),
    (2000000, libc::B2000000),
    (2500000, libc::B2500000),
    (3000000, libc::B3000000),
    (3500000, libc::B3500000),
    (4000000, libc::B4000000),
];

/// The standard speeds (baud) accepted by
/// [`SerialPort::open`](crate::os::serial::SerialPort::open), ascending.
pub fn supported_bauds() -> impl Iterator<Item = u32> {
    SPEEDS.iter().map(|&(b, _)| b)
}

/// The `Bxxx` constant for a speed in baud (134 stands for 134.5 baud).
pub fn speed_constant(baud: u32) -> Option<libc::speed_t> {
    SPEEDS.iter().find(|&&(b, _)| b == baud).map(|&(_, s)| s)
}

/// The speed in baud for a `Bxxx` constant (`None` for B0 and unknown
/// values).
pub fn baud_from_constant(speed: libc::speed_t) -> Option<u32> {
    SPEEDS.iter().find(|&&(_, s)| s == speed).map(|&(b, _)| b)
}

/// The termios `refclock_setup` makes of `base` (the current settings)
/// for `config`; `modem` is the TIOCMGET result, if it worked. Fails only
/// when the speed cannot be stored (EINVAL).
pub(crate) fn build_termios(
    base: libc::termios,
    config: &SerialConfig,
    modem: Option<u32>,
) -> io::Result<libc::termios> {
    let speed =
        speed_constant(config.baud).ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    let mut t = base;
    t.c_iflag = libc::IGNBRK | libc::ICRNL;
    t.c_iflag |= if config.check_parity {
        libc::INPCK
    } else {
        libc::IGNPAR
    };
    if config.strip {
        t.c_iflag |= libc::ISTRIP;
    }
    if config.xon {
        t.c_iflag |= libc::IXON;
    }
    t.c_oflag = if config.opost { libc::OPOST } else { 0 };
    t.c_cflag = libc::CLOCAL | libc::CREAD;
    t.c_cflag |= match config.data_bits {
        DataBits::Seven => libc::CS7,
        DataBits::Eight => libc::CS8,
    };
    t.c_cflag |= match config.parity {
        Parity::None => 0,
        Parity::Even => libc::PARENB,
        Parity::Odd => libc::PARENB | libc::PARODD,
    };
    if config.stop_bits == 2 {
        t.c_cflag |= libc::CSTOPB;
    }
    // SAFETY: `t` is a valid termios; these only store the speed in it.
    let r = unsafe {
        if libc::cfsetispeed(&mut t, speed) == 0 {
            libc::cfsetospeed(&mut t, speed)
        } else {
            -1
        }
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    t.c_cc = [0; libc::NCCS];
    if config.remote && modem.is_some_and(|m| m & libc::TIOCM_DSR as u32 != 0) {
        t.c_cflag &= !libc::CLOCAL;
    }
    t.c_lflag = libc::ICANON;
    if config.input == InputMode::Raw {
        t.c_lflag = 0;
        t.c_iflag &= libc::INPCK | libc::ISTRIP | libc::IXON;
        t.c_cc[libc::VMIN] = 1;
    } else {
        if let Some(c) = config.eol[0] {
            t.c_cc[libc::VEOL] = c;
        }
        if let Some(c) = config.eol[1] {
            t.c_cc[libc::VEOL2] = c;
        }
    }
    if config.echo {
        t.c_lflag |= libc::ECHO;
    }
    Ok(t)
}

/// What the device kept differently from the speed and framing asked
/// for, in words (`None` when all took effect).
pub(crate) fn describe_mismatch(config: &SerialConfig, now: &libc::termios) -> Option<String> {
    let code = ospeed(now);
    let got_baud = baud_from_constant(code);
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

pub(crate) fn tcgetattr(fd: BorrowedFd<'_>) -> io::Result<libc::termios> {
    // SAFETY: termios is plain old data; all-zero is a valid value that
    // tcgetattr overwrites.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is borrowed (open) and `t` is writable.
    if unsafe { libc::tcgetattr(fd.as_raw_fd(), &mut t) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(t)
}

pub(crate) fn ospeed(t: &libc::termios) -> libc::speed_t {
    // SAFETY: reads a field of a valid termios.
    unsafe { libc::cfgetospeed(t) }
}

fn ispeed(t: &libc::termios) -> libc::speed_t {
    // SAFETY: reads a field of a valid termios.
    unsafe { libc::cfgetispeed(t) }
}

pub(crate) fn config_from_termios(t: &libc::termios) -> io::Result<SerialConfig> {
    let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    let (o, i) = (ospeed(t), ispeed(t));
    let baud = baud_from_constant(o).ok_or_else(|| bad(format!("speed code {o:#o}")))?;
    // An input speed of 0 means "same as output" to POSIX.
    if i != o && i != 0 {
        return Err(bad(format!("input speed code {i:#o} differs from output")));
    }
    let data_bits = match t.c_cflag & libc::CSIZE {
        libc::CS7 => DataBits::Seven,
        libc::CS8 => DataBits::Eight,
        other => return Err(bad(format!("character size flags {other:#o}"))),
    };
    let parity = match (t.c_cflag & libc::PARENB != 0, t.c_cflag & libc::PARODD != 0) {
        (false, _) => Parity::None,
        (true, false) => Parity::Even,
        (true, true) => Parity::Odd,
    };
    Ok(SerialConfig {
        baud,
        data_bits,
        parity,
        stop_bits: if t.c_cflag & libc::CSTOPB != 0 { 2 } else { 1 },
        input: if t.c_lflag & libc::ICANON != 0 {
            InputMode::Canonical
        } else {
            InputMode::Raw
        },
        strip: t.c_iflag & libc::ISTRIP != 0,
        check_parity: t.c_iflag & libc::INPCK != 0,
        remote: false,
        echo: t.c_lflag & libc::ECHO != 0,
        xon: t.c_iflag & libc::IXON != 0,
        opost: t.c_oflag & libc::OPOST != 0,
        eol: if t.c_lflag & libc::ICANON != 0 {
            [libc::VEOL, libc::VEOL2].map(|i| Some(t.c_cc[i]).filter(|&c| c != 0))
        } else {
            [None, None]
        },
    })
}

pub(crate) fn summarize(t: &libc::termios) -> String {
    let mut s = String::new();
    match baud_from_constant(ospeed(t)) {
        Some(b) => {
            let _ = write!(s, "{b} baud ");
        }
        None => {
            let _ = write!(s, "speed code {:#o} ", ospeed(t));
        }
    }
    let bits = match t.c_cflag & libc::CSIZE {
        libc::CS5 => '5',
        libc::CS6 => '6',
        libc::CS7 => '7',
        _ => '8',
    };
    let parity = match (t.c_cflag & libc::PARENB != 0, t.c_cflag & libc::PARODD != 0) {
        (false, _) => 'N',
        (true, false) => 'E',
        (true, true) => 'O',
    };
    let stop = if t.c_cflag & libc::CSTOPB != 0 {
        '2'
    } else {
        '1'
    };
    let _ = write!(
        s,
        "{bits}{parity}{stop} {}{}{} iflag={:#o} oflag={:#o} cflag={:#o} lflag={:#o} vmin={} vtime={}",
        if t.c_lflag & libc::ICANON != 0 { "canonical" } else { "raw" },
        if t.c_cflag & libc::CLOCAL != 0 { " clocal" } else { "" },
        if t.c_lflag & libc::ECHO != 0 { " echo" } else { "" },
        t.c_iflag,
        t.c_oflag,
        t.c_cflag,
        t.c_lflag,
        t.c_cc[libc::VMIN],
        t.c_cc[libc::VTIME],
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_table_round_trips_and_is_sorted() {
        let bauds: Vec<u32> = supported_bauds().collect();
        assert_eq!(bauds.first(), Some(&50));
        assert_eq!(bauds.last(), Some(&4_000_000));
        assert!(bauds.windows(2).all(|w| w[0] < w[1]));
        for b in bauds {
            let c = speed_constant(b).unwrap();
            assert_eq!(baud_from_constant(c), Some(b));
        }
        assert_eq!(speed_constant(0), None);
        assert_eq!(speed_constant(4800 + 1), None);
        assert_eq!(baud_from_constant(libc::B0), None);
    }

    #[test]
    fn termios_decoding() {
        let mut t = zeroed();
        t.c_cflag = libc::CS7 | libc::PARENB | libc::CSTOPB | libc::CREAD;
        t.c_iflag = libc::ISTRIP | libc::INPCK;
        t.c_lflag = libc::ICANON;
        // SAFETY: `t` is a valid termios.
        unsafe {
            libc::cfsetispeed(&mut t, libc::B9600);
            libc::cfsetospeed(&mut t, libc::B9600);
        }
        let c = config_from_termios(&t).unwrap();
        assert_eq!(c.baud, 9600);
        assert_eq!(c.data_bits, DataBits::Seven);
        assert_eq!(c.parity, Parity::Even);
        assert_eq!(c.stop_bits, 2);
        assert_eq!(c.input, InputMode::Canonical);
        assert!(c.strip && c.check_parity && !c.remote);
        assert!(summarize(&t).starts_with("9600 baud 7E2 canonical"));
        t.c_cflag = (t.c_cflag & !libc::CSIZE) | libc::CS5;
        assert_eq!(
            config_from_termios(&t).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    fn zeroed() -> libc::termios {
        // SAFETY: termios is plain old data; zero is a valid value.
        unsafe { std::mem::zeroed() }
    }

    #[test]
    fn build_termios_framings() {
        let mut base = zeroed();
        base.c_cc = [0x7f; libc::NCCS];
        base.c_lflag = libc::ECHO | libc::ISIG;
        base.c_oflag = libc::OPOST;
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
            let t = build_termios(base, &cfg, None).unwrap();
            assert_eq!(t.c_cflag & !libc::CBAUD, cflag | libc::CLOCAL | libc::CREAD);
            assert_eq!(ospeed(&t), libc::B4800);
            assert_eq!(ispeed(&t), libc::B4800);
            assert_eq!(t.c_iflag, libc::IGNBRK | libc::IGNPAR | libc::ICRNL);
            assert_eq!(t.c_oflag, 0);
            assert_eq!(t.c_lflag, libc::ICANON);
            assert_eq!(t.c_cc, [0; libc::NCCS]);
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
        assert_eq!((t.c_iflag, t.c_lflag), (libc::ISTRIP, 0));
        assert_eq!((t.c_cc[libc::VMIN], t.c_cc[libc::VTIME]), (1, 0));

        let remote = SerialConfig {
            remote: true,
            ..SerialConfig::canonical_8n1(1200)
        };
        let dsr = libc::TIOCM_DSR as u32;
        let clocal = |m| build_termios(zeroed(), &remote, m).unwrap().c_cflag & libc::CLOCAL;
        assert_eq!(clocal(Some(dsr)), 0);
        assert_ne!(clocal(Some(libc::TIOCM_CTS as u32)), 0);
        assert_ne!(clocal(None), 0);
        // Without LDISC_REMOTE, DSR changes nothing.
        let local = SerialConfig::canonical_8n1(1200);
        let t = build_termios(zeroed(), &local, Some(dsr)).unwrap();
        assert_ne!(t.c_cflag & libc::CLOCAL, 0);
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
        forced.c_cflag = (forced.c_cflag & !(libc::CSIZE | libc::PARENB)) | libc::CS8;
        assert_eq!(
            describe_mismatch(&cfg, &forced).unwrap(),
            "asked for 9600 baud 7E2, the device kept 9600 baud 8N2"
        );
    }
}
