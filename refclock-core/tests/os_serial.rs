//! Serial set-up on real pseudo-terminals: the termios ntpd's
//! `refclock_setup` would apply, line and raw reads, speeds, framing,
//! modem lines and hang-up.
#![cfg(feature = "os")]

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use refclock_core::os::error::OsError;
use refclock_core::os::fd::poll_fd;
use refclock_core::os::pty::Pty;
use refclock_core::os::serial::SerialPort;
use refclock_core::os::termios::supported_bauds;
use refclock_core::port::{DataBits, InputMode, Parity, SerialConfig};

/// Upper bound for waiting on a pty; never reached unless something is
/// broken (no test asserts on how long anything takes).
const WAIT: Duration = Duration::from_secs(10);

const ZDA: &[u8] = b"$GPZDA,201530.00,04,07,2002,00,00*60\r\n";

fn wait_readable(port: &SerialPort) -> libc::c_short {
    let ev = poll_fd(port.fd(), libc::POLLIN, WAIT).unwrap();
    assert_ne!(ev, 0, "nothing arrived on {}", port.path().display());
    ev
}

/// Reads until `n` bytes arrived (raw mode may split them).
fn read_exact(port: &SerialPort, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    while out.len() < n {
        wait_readable(port);
        match port.read(&mut buf) {
            Ok(0) => panic!("EOF after {} bytes", out.len()),
            Ok(k) => out.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    out
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refclock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn canonical_4800_reads_one_line_per_read_with_cr_mapped() {
    let pty = Pty::open().unwrap();
    let port =
        SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    assert!(port.is_tty());
    assert_eq!(port.path(), pty.slave_path());
    // ntpd's TIOCMGET fails on a pty and is only reported.
    assert!(
        port.warnings().iter().any(|w| w.contains("TIOCMGET")),
        "{:?}",
        port.warnings()
    );

    let mut two = ZDA.to_vec();
    two.extend_from_slice(b"$GPZDA,201531.00,04,07,2002,00,00*61\r\n");
    pty.write_all(&two).unwrap();

    let mut buf = [0u8; 256];
    // ICRNL turns "\r\n" into "\n\n": the sentence, then an empty line.
    wait_readable(&port);
    let n = port.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"$GPZDA,201530.00,04,07,2002,00,00*60\n");
    wait_readable(&port);
    assert_eq!(port.read(&mut buf).unwrap(), 1);
    assert_eq!(buf[0], b'\n');
    wait_readable(&port);
    let n = port.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"$GPZDA,201531.00,04,07,2002,00,00*61\n");
    wait_readable(&port);
    assert_eq!(port.read(&mut buf).unwrap(), 1);
    // Nothing more: a non-blocking read says so.
    assert_eq!(
        port.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    assert_eq!(pty.slave_speed().unwrap(), 4800);
}

#[test]
fn canonical_mode_holds_a_partial_line() {
    let pty = Pty::open().unwrap();
    let port =
        SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(9600))).unwrap();
    pty.write_all(b"$GPZDA,2015").unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(poll_fd(port.fd(), libc::POLLIN, Duration::ZERO).unwrap(), 0);
    assert_eq!(
        port.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    pty.write_all(b"30\n").unwrap();
    wait_readable(&port);
    let n = port.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"$GPZDA,201530\n");
}

#[test]
fn raw_9600_returns_bytes_as_written() {
    let pty = Pty::open().unwrap();
    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(9600))).unwrap();
    let mut data = ZDA.to_vec();
    data.extend_from_slice(&[0x00, 0x10, 0x03, 0x7f, 0x80, 0xff, b'\r']);
    pty.write_all(&data).unwrap();
    assert_eq!(read_exact(&port, data.len()), data);
    assert_eq!(pty.slave_speed().unwrap(), 9600);
}

#[test]
fn termios_is_exactly_what_ntpd_sets() {
    let pty = Pty::open().unwrap();
    let port =
        SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    let t = port.termios().unwrap();
    assert_eq!(t.c_iflag, libc::IGNBRK | libc::IGNPAR | libc::ICRNL);
    assert_eq!(t.c_oflag, 0);
    assert_eq!(t.c_lflag, libc::ICANON);
    assert_eq!(t.c_cflag & libc::CSIZE, libc::CS8);
    let mask = libc::PARENB | libc::PARODD | libc::CSTOPB | libc::CLOCAL | libc::CREAD;
    assert_eq!(t.c_cflag & mask, libc::CLOCAL | libc::CREAD);
    assert!(t.c_cc.iter().all(|&c| c == 0), "{:?}", t.c_cc);
    let summary = port.termios_summary().unwrap();
    assert!(
        summary.starts_with("4800 baud 8N1 canonical clocal"),
        "{summary}"
    );

    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(9600))).unwrap();
    let t = port.termios().unwrap();
    assert_eq!(t.c_iflag, 0);
    assert_eq!(t.c_oflag, 0);
    assert_eq!(t.c_lflag, 0);
    assert_eq!(t.c_cc[libc::VMIN], 1);
    assert_eq!(t.c_cc[libc::VTIME], 0);
    let others: Vec<_> = (0..libc::NCCS)
        .filter(|&i| i != libc::VMIN)
        .map(|i| t.c_cc[i])
        .collect();
    assert!(others.iter().all(|&c| c == 0), "{others:?}");

    // Raw keeps only the parity/strip input bits asked for.
    let cfg = SerialConfig {
        strip: true,
        check_parity: true,
        parity: Parity::Even,
        ..SerialConfig::raw_8n1(9600)
    };
    let port = SerialPort::open(pty.slave_path(), Some(&cfg)).unwrap();
    assert_eq!(port.termios().unwrap().c_iflag, libc::INPCK | libc::ISTRIP);
    // Canonical with parity checking: INPCK replaces IGNPAR.
    let cfg = SerialConfig {
        check_parity: true,
        input: InputMode::Canonical,
        ..cfg
    };
    let port = SerialPort::open(pty.slave_path(), Some(&cfg)).unwrap();
    assert_eq!(
        port.termios().unwrap().c_iflag,
        libc::IGNBRK | libc::INPCK | libc::ICRNL | libc::ISTRIP
    );
}

/// Linux ptys (since 6.x) force CS8 and clear PARENB in their
/// set_termios, so character size and parity cannot be read back from a
/// pty; stop bits, PARODD, speed and the input flags can. A kernel that
/// keeps everything must give the full configuration back; one that
/// forces 8-bit no-parity must have made `open` warn about it.
fn check_framing_on_pty(pty: &Pty, cfg: &SerialConfig) {
    let port = SerialPort::open(pty.slave_path(), Some(cfg)).unwrap();
    let t = port.termios().unwrap();
    assert_eq!(t.c_cflag & libc::CSTOPB != 0, cfg.stop_bits == 2);
    assert_eq!(t.c_cflag & libc::PARODD != 0, cfg.parity == Parity::Odd);
    assert_eq!(t.c_iflag & libc::ISTRIP != 0, cfg.strip);
    let got = port.current_config().unwrap();
    assert_eq!(pty.slave_config().unwrap(), got);
    assert_eq!(
        (got.baud, got.stop_bits, got.input),
        (cfg.baud, cfg.stop_bits, cfg.input)
    );
    let forced = t.c_cflag & libc::CSIZE == libc::CS8 && t.c_cflag & libc::PARENB == 0;
    let kept_all = got == *cfg;
    if kept_all {
        assert!(!port.warnings().iter().any(|w| w.contains("asked for")));
    } else {
        assert!(forced, "neither kept nor forced to 8N: {got:?}");
        let stop = cfg.stop_bits;
        let want = format!("the device kept {} baud 8N{stop}", cfg.baud);
        assert!(
            port.warnings().iter().any(|w| w.contains(&want)),
            "{:?}",
            port.warnings()
        );
    }
}

#[test]
fn framing_7e2_and_8o1_set_and_read_back() {
    let pty = Pty::open().unwrap();
    check_framing_on_pty(
        &pty,
        &SerialConfig {
            data_bits: DataBits::Seven,
            parity: Parity::Even,
            stop_bits: 2,
            strip: true,
            ..SerialConfig::canonical_8n1(9600)
        },
    );
    check_framing_on_pty(
        &pty,
        &SerialConfig {
            parity: Parity::Odd,
            ..SerialConfig::raw_8n1(19200)
        },
    );
    check_framing_on_pty(
        &pty,
        &SerialConfig {
            data_bits: DataBits::Seven,
            parity: Parity::Odd,
            ..SerialConfig::canonical_8n1(9600)
        },
    );
    // 8N2 survives on every kernel.
    let n82 = SerialConfig {
        stop_bits: 2,
        ..SerialConfig::canonical_8n1(2400)
    };
    let port = SerialPort::open(pty.slave_path(), Some(&n82)).unwrap();
    assert_eq!(port.current_config().unwrap(), n82);
    assert!(port.termios_summary().unwrap().starts_with("2400 baud 8N2"));
}

#[test]
fn every_standard_speed_is_accepted_and_read_back() {
    let pty = Pty::open().unwrap();
    for baud in [50, 75] {
        let port =
            SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(baud))).unwrap();
        assert_eq!(pty.slave_speed().unwrap(), baud);
        assert_eq!(port.current_config().unwrap().baud, baud);
    }
    // Reconfiguring an open port through all of them.
    let mut port = SerialPort::open(pty.slave_path(), None).unwrap();
    for baud in supported_bauds() {
        port.configure(&SerialConfig::raw_8n1(baud)).unwrap();
        assert_eq!(pty.slave_speed().unwrap(), baud, "{baud}");
    }
    // No "device is at" warnings: every speed took effect.
    assert!(
        !port.warnings().iter().any(|w| w.contains("asked for")),
        "{:?}",
        port.warnings()
    );
}

#[test]
fn unsupported_speed_and_stop_bits_are_typed_errors() {
    let pty = Pty::open().unwrap();
    for baud in [0, 4801, 14400, 4_000_001] {
        match SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(baud))) {
            Err(OsError::UnsupportedSpeed { baud: b }) => assert_eq!(b, baud),
            other => panic!("{baud}: {other:?}"),
        }
    }
    let mut port = SerialPort::open(pty.slave_path(), None).unwrap();
    assert!(matches!(
        port.configure(&SerialConfig::canonical_8n1(7)),
        Err(OsError::UnsupportedSpeed { baud: 7 })
    ));
    let cfg = SerialConfig {
        stop_bits: 0,
        ..SerialConfig::canonical_8n1(9600)
    };
    assert!(matches!(
        SerialPort::open(pty.slave_path(), Some(&cfg)),
        Err(OsError::UnsupportedStopBits { stop_bits: 0 })
    ));
}

#[test]
fn missing_device_is_open_error_and_gone() {
    let path = Path::new("/dev/refclock-test-does-not-exist");
    let e = SerialPort::open(path, Some(&SerialConfig::canonical_8n1(4800))).unwrap_err();
    match &e {
        OsError::Open { path: p, source } => {
            assert_eq!(p, path);
            assert_eq!(source.raw_os_error(), Some(libc::ENOENT));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.is_device_gone());
    assert!(e.to_string().contains("/dev/refclock-test-does-not-exist"));
}

#[test]
fn modem_lines_on_a_pty_fail_with_enotty() {
    let pty = Pty::open().unwrap();
    let port =
        SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    for (dtr, rts) in [
        (Some(true), None),
        (None, Some(false)),
        (Some(true), Some(false)),
    ] {
        let e = port.set_modem_lines(dtr, rts).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOTTY), "{dtr:?} {rts:?}");
    }
    // Nothing asked, nothing done.
    port.set_modem_lines(None, None).unwrap();
    assert_eq!(
        port.modem_lines().unwrap_err().raw_os_error(),
        Some(libc::ENOTTY)
    );
}

#[test]
fn input_pending_before_open_is_discarded() {
    let mut pty = Pty::open().unwrap();
    pty.hold_slave_open().unwrap();
    pty.write_all(b"stale line 1\nstale line 2\npartial")
        .unwrap();
    let port =
        SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(
        port.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    pty.write_all(b"fresh\n").unwrap();
    wait_readable(&port);
    let n = port.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"fresh\n");
}

#[test]
fn writes_reach_the_master() {
    let pty = Pty::open().unwrap();
    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(9600))).unwrap();
    // Larger than one pty buffer chunk, to exercise partial writes.
    let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while got.len() < data.len() {
                let n = pty.read(&mut buf).unwrap();
                assert_ne!(n, 0);
                got.extend_from_slice(&buf[..n]);
            }
            got
        });
        port.write_all(&data).unwrap();
        assert_eq!(reader.join().unwrap(), data);
    });
}

#[test]
fn closing_the_master_hangs_up_the_serial_side() {
    let pty = Pty::open().unwrap();
    let port =
        SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    assert_eq!(poll_fd(port.fd(), libc::POLLIN, Duration::ZERO).unwrap(), 0);
    drop(pty);
    let ev = poll_fd(port.fd(), libc::POLLIN, WAIT).unwrap();
    assert_ne!(ev & libc::POLLHUP, 0, "revents {ev:#x}");
    // Observed on Linux 6.x: read() returns 0 (end of file) after the
    // hang-up; EIO is accepted too (older kernels, other paths).
    let mut buf = [0u8; 16];
    match port.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.raw_os_error() == Some(libc::EIO) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert!(port.write_all(b"x").is_err());
}

#[test]
fn non_tty_sources_without_config() {
    let dir = scratch_dir("serial-nontty");
    let file = dir.join("capture.nmea");
    std::fs::write(&file, ZDA).unwrap();
    let port = SerialPort::open(&file, None).unwrap();
    assert!(!port.is_tty());
    let mut buf = [0u8; 128];
    let n = port.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], ZDA);
    assert_eq!(port.read(&mut buf).unwrap(), 0);
    assert!(port.termios_summary().is_err());

    let fifo = dir.join("fifo");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    // O_RDWR on a FIFO does not wait for a writer on Linux.
    let port = SerialPort::open(&fifo, None).unwrap();
    assert!(!port.is_tty());
    assert_eq!(
        port.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    port.write_all(b"abc").unwrap();
    assert_eq!(port.read(&mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"abc");
    std::fs::remove_dir_all(&dir).unwrap();
}
