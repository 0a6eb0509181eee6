//! Serial ports: opening a device and setting it up the way ntpd's
//! `refclock_open` and `refclock_setup` (ntpd/ntp_refclock.c, 4.2.8p18)
//! do, plus the small set of operations a host needs on it (non-blocking
//! read, write with partial-write handling, modem lines).
//!
//! Set-up, when a [`SerialConfig`] is given:
//! * `open(O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)`; a descriptor 0 is
//!   moved to 3 or above (ntpd avoids fd 0 the same way);
//! * termios: iflag IGNBRK + IGNPAR + ICRNL (ISTRIP on request; INPCK
//!   instead of IGNPAR when parity is checked), oflag 0, cflag CS8 or CS7,
//!   PARENB/PARODD, CSTOPB, CLOCAL + CREAD, the speed, every `c_cc` zero,
//!   lflag ICANON; raw input clears lflag and iflag (keeping only the
//!   parity/strip bits asked for) and sets VMIN 1;
//! * `TIOCMGET`; with `remote` (ntpd's LDISC_REMOTE) CLOCAL is cleared
//!   when DSR is up. A failure (ENOTTY on a pseudo-terminal) is only a
//!   warning, as ntpd only logs it;
//! * `tcsetattr(TCSANOW)`, `tcflush(TCIOFLUSH)`, then whatever input is
//!   already pending is read and thrown away.
//!
//! Warnings are collected in [`SerialPort::warnings`] rather than printed.
//! Without a configuration the device may be anything that can be opened
//! (FIFO, regular file, socket, tty left as it is).

use std::ffi::CString;
use std::fmt::Write as _;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// How long [`SerialPort::write_all`] waits for the device to accept more
/// bytes before giving up with `TimedOut` (reset whenever bytes go out).
pub const WRITE_STALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The standard speeds (baud) accepted by [`SerialPort::open`], ascending.
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

/// An open serial device (or other character source) and its path.
#[derive(Debug)]
pub struct SerialPort {
    fd: OwnedFd,
    path: PathBuf,
    warnings: Vec<String>,
}

impl SerialPort {
    /// Opens `path` and, when `config` is given, sets the line up as
    /// ntpd's `refclock_setup` does (see the module documentation).
    ///
    /// The configuration is checked before the device is opened, so an
    /// unsupported speed is reported as [`OsError::UnsupportedSpeed`]
    /// whether or not the device exists.
    pub fn open(path: &Path, config: Option<&SerialConfig>) -> Result<SerialPort, OsError> {
        if let Some(cfg) = config {
            check_config(cfg)?;
        }
        let fd = open_path(
            path,
            libc::O_RDWR | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
        .map_err(|source| OsError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut port = SerialPort {
            fd,
            path: path.to_path_buf(),
            warnings: Vec::new(),
        };
        if let Some(cfg) = config {
            port.configure(cfg)?;
            port.discard_pending_input();
        }
        Ok(port)
    }

    /// Applies `config` to the open device (what [`SerialPort::open`]
    /// does after opening; usable later to change speed or framing).
    /// Warnings are appended to [`SerialPort::warnings`].
    pub fn configure(&mut self, config: &SerialConfig) -> Result<(), OsError> {
        check_config(config)?;
        let path = self.path.clone();
        let termios_err = |what: &'static str| {
            let path = path.clone();
            move |source: io::Error| OsError::Termios { path, what, source }
        };
        let current = tcgetattr(self.fd.as_fd()).map_err(termios_err("tcgetattr"))?;
        // ntpd queries the modem lines whatever the flags; a failure only
        // logs. Only LDISC_REMOTE acts on DSR.
        let lines = match self.modem_lines() {
            Ok(lines) => Some(lines),
            Err(e) => {
                self.warnings.push(format!(
                    "{}: TIOCMGET (modem status) failed: {e}",
                    self.path.display()
                ));
                None
            }
        };
        let t = build_termios(current, config, lines).map_err(termios_err("cfsetspeed"))?;
        // SAFETY: the descriptor is open for the lifetime of `self` and
        // `t` is a valid termios.
        if unsafe { libc::tcsetattr(self.fd.as_raw_fd(), libc::TCSANOW, &t) } != 0 {
            return Err(termios_err("tcsetattr")(io::Error::last_os_error()));
        }
        // SAFETY: plain call on a descriptor we own.
        if unsafe { libc::tcflush(self.fd.as_raw_fd(), libc::TCIOFLUSH) } != 0 {
            self.warnings.push(format!(
                "{}: tcflush failed: {}",
                self.path.display(),
                io::Error::last_os_error()
            ));
        }
        // tcsetattr succeeds when any part of the request took effect, and
        // drivers may adjust what they cannot do (Linux ptys force CS8 and
        // clear PARENB), so say what the device actually kept.
        if let Ok(now) = tcgetattr(self.fd.as_fd()) {
            if let Some(w) = describe_mismatch(config, &now) {
                self.warnings.push(format!("{}: {w}", self.path.display()));
            }
        }
        Ok(())
    }

    /// Reads away input that arrived before set-up (as `refclock_open`
    /// does), bounded so a device that never stops talking cannot hold
    /// us here.
    fn discard_pending_input(&self) {
        let mut trash = [0u8; 128];
        for _ in 0..512 {
            match self.read(&mut trash) {
                Ok(n) if n > 0 => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                _ => break,
            }
        }
    }

    /// Warnings collected while opening and configuring (e.g. the
    /// modem-status ioctl failing with ENOTTY on a pseudo-terminal).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Takes the collected warnings, leaving none.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// The descriptor, for `poll()`.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The raw descriptor number.
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The path the device was opened as.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the descriptor is a terminal.
    pub fn is_tty(&self) -> bool {
        // SAFETY: isatty only inspects the descriptor, which we own.
        unsafe { libc::isatty(self.fd.as_raw_fd()) == 1 }
    }

    /// One non-blocking `read()`. No data yet is
    /// `Err(io::ErrorKind::WouldBlock)`; `Ok(0)` is end of file (or a
    /// hung-up terminal). EINTR is retried.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        read_fd(self.fd.as_fd(), buf)
    }

    /// Writes all of `data`. On the non-blocking descriptor a full output
    /// queue makes `write()` return EAGAIN or a short count; then this
    /// waits for POLLOUT, giving up with `TimedOut` after
    /// [`WRITE_STALL_TIMEOUT`] without progress.
    pub fn write_all(&self, data: &[u8]) -> io::Result<()> {
        write_all_fd(self.fd.as_fd(), data)
    }

    /// Raises (`Some(true)`) or lowers (`Some(false)`) DTR and RTS with
    /// TIOCMBIS / TIOCMBIC; `None` leaves a line alone. Fails with ENOTTY
    /// on a pseudo-terminal or a non-tty.
    pub fn set_modem_lines(&self, dtr: Option<bool>, rts: Option<bool>) -> io::Result<()> {
        let mut set: libc::c_int = 0;
        let mut clear: libc::c_int = 0;
        for (want, bit) in [(dtr, libc::TIOCM_DTR), (rts, libc::TIOCM_RTS)] {
            match want {
                Some(true) => set |= bit,
                Some(false) => clear |= bit,
                None => {}
            }
        }
        for (request, bits) in [(libc::TIOCMBIS, set), (libc::TIOCMBIC, clear)] {
            if bits == 0 {
                continue;
            }
            // SAFETY: TIOCMBIS/TIOCMBIC read one int through the pointer,
            // which points at a live local.
            let r = unsafe { libc::ioctl(self.fd.as_raw_fd(), request, &bits) };
            if r != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }

    /// The modem status bits (TIOCMGET: `TIOCM_DSR`, `TIOCM_CD`, ...).
    pub fn modem_lines(&self) -> io::Result<u32> {
        let mut bits: libc::c_int = 0;
        // SAFETY: TIOCMGET writes one int through the pointer, which points
        // at a live local.
        let r = unsafe { libc::ioctl(self.fd.as_raw_fd(), libc::TIOCMGET, &mut bits) };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(bits as u32)
    }

    /// The terminal settings as the kernel holds them now (tcgetattr).
    pub fn termios(&self) -> io::Result<libc::termios> {
        tcgetattr(self.fd.as_fd())
    }

    /// The current settings read back as a [`SerialConfig`] (`remote` is
    /// reported as `false`: it is a set-up action, not a state).
    /// `InvalidData` for settings a `SerialConfig` cannot express (5 or 6
    /// data bits, a non-standard speed, different in and out speeds).
    pub fn current_config(&self) -> io::Result<SerialConfig> {
        config_from_termios(&self.termios()?)
    }

    /// A one-line description of the current terminal settings, for
    /// debug output: speed, framing, input mode and the raw flag words.
    pub fn termios_summary(&self) -> io::Result<String> {
        Ok(summarize(&self.termios()?))
    }
}

impl AsFd for SerialPort {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
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
fn describe_mismatch(config: &SerialConfig, now: &libc::termios) -> Option<String> {
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

fn check_config(cfg: &SerialConfig) -> Result<(), OsError> {
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

/// Opens `path` with `flags` (O_CLOEXEC expected among them), keeping the
/// result off descriptor 0.
pub(crate) fn open_path(path: &Path, flags: libc::c_int) -> io::Result<OwnedFd> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    let fd = loop {
        // SAFETY: `c` is a valid NUL-terminated string for the call.
        let fd = unsafe { libc::open(c.as_ptr(), flags, 0o666 as libc::c_uint) };
        if fd >= 0 {
            break fd;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    };
    // SAFETY: `fd` was just returned by open() and is owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    if fd == 0 {
        // A closed stdin made open() return 0; ntpd's refclock_open moves
        // such a descriptor (code that tests `fd > 0` would take it for a
        // failure). Dropping `owned` closes 0 again.
        return dup_above_stdio(owned.as_fd());
    }
    Ok(owned)
}

/// Duplicates `fd` to a new close-on-exec descriptor numbered 3 or more.
pub(crate) fn dup_above_stdio(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC takes an int argument and only creates a new
    // descriptor.
    let new = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if new < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `new` was just created by fcntl and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
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

pub(crate) fn read_fd(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes and the
        // descriptor is open.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

pub(crate) fn write_fd(fd: BorrowedFd<'_>, data: &[u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `data` is valid for reads of `data.len()` bytes and the
        // descriptor is open.
        let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// `poll()` on one descriptor: waits until `fd` reports one of `events`
/// (POLLHUP, POLLERR and POLLNVAL are always reported) or `timeout`
/// passes; returns the reported events, 0 on timeout. EINTR comes back as
/// `Interrupted`.
pub fn poll_fd(
    fd: BorrowedFd<'_>,
    events: libc::c_short,
    timeout: Duration,
) -> io::Result<libc::c_short> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events,
        revents: 0,
    };
    let ms = timeout.as_millis().min(libc::c_int::MAX as u128) as libc::c_int;
    // SAFETY: `pfd` is one valid pollfd for the duration of the call.
    let r = unsafe { libc::poll(&mut pfd, 1, ms) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(if r == 0 { 0 } else { pfd.revents })
}

pub(crate) fn write_all_fd(fd: BorrowedFd<'_>, mut data: &[u8]) -> io::Result<()> {
    let mut deadline = Instant::now() + WRITE_STALL_TIMEOUT;
    while !data.is_empty() {
        match write_fd(fd, data) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => {
                data = &data[n..];
                deadline = Instant::now() + WRITE_STALL_TIMEOUT;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "device did not accept output",
                    ));
                }
                match poll_fd(fd, libc::POLLOUT, left) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
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

fn summarize(t: &libc::termios) -> String {
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
    fn config_checked_before_open() {
        let cfg = SerialConfig::canonical_8n1(12_345);
        let e = SerialPort::open(Path::new("/nonexistent/device"), Some(&cfg)).unwrap_err();
        assert!(matches!(e, OsError::UnsupportedSpeed { baud: 12_345 }));
        let cfg = SerialConfig {
            stop_bits: 3,
            ..SerialConfig::canonical_8n1(9600)
        };
        let e = SerialPort::open(Path::new("/nonexistent/device"), Some(&cfg)).unwrap_err();
        assert!(matches!(e, OsError::UnsupportedStopBits { stop_bits: 3 }));
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

    #[test]
    fn non_tty_allowed_without_config() {
        let port = SerialPort::open(Path::new("/dev/null"), None).unwrap();
        assert!(!port.is_tty());
        assert!(port.warnings().is_empty());
        let mut buf = [0u8; 8];
        assert_eq!(port.read(&mut buf).unwrap(), 0);
        port.write_all(b"xyz").unwrap();
        // ...but a configuration needs a terminal.
        let e = SerialPort::open(
            Path::new("/dev/null"),
            Some(&SerialConfig::canonical_8n1(9600)),
        )
        .unwrap_err();
        match e {
            OsError::Termios {
                what, ref source, ..
            } => {
                assert_eq!(what, "tcgetattr");
                assert_eq!(source.raw_os_error(), Some(libc::ENOTTY));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
