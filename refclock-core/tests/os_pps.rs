//! The RFC 2783 layer: structure layout and ioctl numbers against
//! linux/pps.h, typed errors for missing and non-PPS devices, and a real
//! fetch when the machine has a PPS device.
#![cfg(feature = "os")]

use std::mem::{offset_of, size_of};
use std::path::Path;

use refclock_core::os::error::OsError;
use refclock_core::os::pps::{
    find_device_for_tty, pps_bind_args, pps_fdata, pps_kinfo, pps_kparams, pps_ktime, PpsMode,
    PpsSource, PPS_FETCH, PPS_GETCAP, PPS_GETPARAMS, PPS_KC_BIND, PPS_SETPARAMS,
};
use refclock_core::os::pty::Pty;
use refclock_core::os::serial::SerialPort;
use refclock_core::port::{PpsEdgeKind, SerialConfig};

/// An ioctl request number as the 32 bits the kernel sees (`libc::Ioctl`
/// is `c_ulong` with glibc, `c_int` with musl).
fn nr(request: libc::Ioctl) -> u32 {
    request as u32
}

#[test]
fn layout_matches_linux_pps_h() {
    // linux/pps.h pads pps_ktime explicitly enough that every 64-bit
    // Linux ABI lays these out the same way.
    assert_eq!(size_of::<pps_ktime>(), 16);
    assert_eq!(offset_of!(pps_ktime, nsec), 8);
    assert_eq!(offset_of!(pps_ktime, flags), 12);
    assert_eq!(offset_of!(pps_kinfo, clear_sequence), 4);
    assert_eq!(offset_of!(pps_kinfo, assert_tu), 8);
    assert_eq!(offset_of!(pps_kinfo, clear_tu), 24);
    assert_eq!(offset_of!(pps_kinfo, current_mode), 40);
    assert_eq!(offset_of!(pps_kparams, mode), 4);
    assert_eq!(offset_of!(pps_kparams, assert_off_tu), 8);
    assert_eq!(offset_of!(pps_kparams, clear_off_tu), 24);
    assert_eq!(offset_of!(pps_fdata, timeout), 48);
    assert_eq!(offset_of!(pps_bind_args, edge), 4);
    assert_eq!(offset_of!(pps_bind_args, consumer), 8);
    #[cfg(target_pointer_width = "64")]
    {
        assert_eq!(size_of::<pps_kinfo>(), 48);
        assert_eq!(size_of::<pps_kparams>(), 40);
        assert_eq!(size_of::<pps_fdata>(), 64);
    }
    assert_eq!(size_of::<pps_bind_args>(), 12);
}

/// The values the kernel header gives on x86_64 (and every other 64-bit
/// architecture with the generic ioctl encoding), as printed by a C
/// program including /usr/include/linux/pps.h (linux-libc-dev).
#[test]
#[cfg(all(
    target_pointer_width = "64",
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "loongarch64",
        target_arch = "s390x"
    )
))]
fn ioctl_numbers_match_the_kernel_header() {
    assert_eq!(u64::from(nr(PPS_GETPARAMS)), 0x800870a1);
    assert_eq!(u64::from(nr(PPS_SETPARAMS)), 0x400870a2);
    assert_eq!(u64::from(nr(PPS_GETCAP)), 0x800870a3);
    assert_eq!(u64::from(nr(PPS_FETCH)), 0xc00870a4);
    assert_eq!(u64::from(nr(PPS_KC_BIND)), 0x400870a5);
}

/// The same, computed on this machine by the C compiler from the
/// installed header when both are present.
#[test]
fn ioctl_numbers_match_the_installed_header() {
    let header = Path::new("/usr/include/linux/pps.h");
    if !header.exists() {
        eprintln!(
            "no {}; the fixed values above still apply",
            header.display()
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("refclock-ppsh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("pps.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\n#include <linux/pps.h>\n\
         int main(void){printf(\"%lu %lu %lu %lu %lu %zu %zu %zu %zu %zu\\n\",\
         (unsigned long)PPS_GETPARAMS,(unsigned long)PPS_SETPARAMS,\
         (unsigned long)PPS_GETCAP,(unsigned long)PPS_FETCH,(unsigned long)PPS_KC_BIND,\
         sizeof(struct pps_ktime),sizeof(struct pps_kinfo),sizeof(struct pps_kparams),\
         sizeof(struct pps_fdata),sizeof(struct pps_bind_args));return 0;}\n",
    )
    .unwrap();
    let exe = dir.join("pps");
    let built = std::process::Command::new("cc")
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .status();
    match built {
        Ok(st) if st.success() => {}
        other => {
            eprintln!("no working C compiler ({other:?}); the fixed values above still apply");
            let _ = std::fs::remove_dir_all(&dir);
            return;
        }
    }
    let out = std::process::Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Vec<u64> = text
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let ours = [
        u64::from(nr(PPS_GETPARAMS)),
        u64::from(nr(PPS_SETPARAMS)),
        u64::from(nr(PPS_GETCAP)),
        u64::from(nr(PPS_FETCH)),
        u64::from(nr(PPS_KC_BIND)),
        size_of::<pps_ktime>() as u64,
        size_of::<pps_kinfo>() as u64,
        size_of::<pps_kparams>() as u64,
        size_of::<pps_fdata>() as u64,
        size_of::<pps_bind_args>() as u64,
    ];
    assert_eq!(v, ours);
}

#[test]
fn missing_pps_device_is_a_typed_open_error() {
    let path = Path::new("/dev/pps-refclock-test-missing");
    match PpsSource::open(path) {
        Err(e @ OsError::Open { .. }) => {
            assert!(e.is_device_gone());
            assert_eq!(e.errno(), Some(libc::ENOENT));
            assert!(e.to_string().contains("/dev/pps-refclock-test-missing"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_device_that_is_not_pps_fails_getcap() {
    match PpsSource::open(Path::new("/dev/null")) {
        Err(
            e @ OsError::Pps {
                what: "PPS_GETCAP", ..
            },
        ) => {
            assert_eq!(e.errno(), Some(libc::ENOTTY));
            assert!(e.is_unsupported());
            assert!(!e.is_device_gone());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn from_fd_on_a_pty_fails_with_enotty() {
    let pty = Pty::open().unwrap();
    let port =
        SerialPort::open(pty.slave_path(), Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    // No PPS device was created for a pty, so there is nothing to find.
    assert_eq!(find_device_for_tty(port.fd()), None);
    match PpsSource::from_fd(port.fd(), pty.slave_path()) {
        Err(e @ OsError::Pps { .. }) => {
            assert_eq!(e.errno(), Some(libc::ENOTTY));
            assert!(e
                .to_string()
                .contains(&pty.slave_path().display().to_string()));
        }
        other => panic!("{other:?}"),
    }
    // The serial descriptor is untouched and still works.
    pty.write_all(b"ok\n").unwrap();
    assert_ne!(
        refclock_core::os::fd::poll_fd(port.fd(), libc::POLLIN, std::time::Duration::from_secs(10))
            .unwrap(),
        0
    );
    let mut buf = [0u8; 8];
    assert_eq!(port.read(&mut buf).unwrap(), 3);
}

/// Only on machines with a PPS device (none on the build machine: no
/// /dev/pps*, /sys/class/pps is empty).
#[test]
fn real_pps_device_when_present() {
    let path = Path::new("/dev/pps0");
    if !path.exists() {
        eprintln!("no /dev/pps0 here; skipping the live PPS check");
        return;
    }
    let mut src = PpsSource::open(path).unwrap();
    let caps = src.capabilities();
    assert!(
        caps.intersects(PpsMode::CAPTUREASSERT | PpsMode::CAPTURECLEAR),
        "{caps:?}"
    );
    let info = src.fetch_info().unwrap();
    assert!(info.assert_tu.nsec >= 0 && info.assert_tu.nsec < 1_000_000_000);
    src.params().unwrap();
    // Without an edge chosen, fetch reports nothing.
    assert_eq!(src.fetch().unwrap(), None);
    // Setting parameters needs CAP_SYS_TIME; watching does not.
    match src.configure(PpsEdgeKind::Assert) {
        Ok(()) => {}
        Err(e) => {
            assert!(
                matches!(e.errno(), Some(libc::EPERM) | Some(libc::EOPNOTSUPP)),
                "{e}"
            );
            src.watch(PpsEdgeKind::Assert);
        }
    }
    // The first fetch after choosing an edge is the baseline.
    assert_eq!(src.fetch().unwrap(), None);
}
