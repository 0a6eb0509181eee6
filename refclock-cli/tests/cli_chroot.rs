//! Started as root with the C program's defaults (`-r` an empty directory,
//! `-u nobody`), neither the device nor chronyd's socket can be reached by
//! path after the privilege drop. Reopening or reconnecting could then never
//! succeed: a vanished device or a chronyd that goes away must end the
//! program with the reason and exit code 2 (as the C program ends), not
//! leave it running without samples.

mod common;

use std::thread;
use std::time::Duration;

use common::{feed, lines_of, pty_at, spawn, temp_dir, terminate, wait_exit};
use refclock_core::os::privs;
use refclock_sock::SockReceiver;

#[test]
fn vanished_device_out_of_the_chroot_ends_the_program() {
    if !privs::is_root() {
        eprintln!("skipped: the privilege drop needs root");
        return;
    }
    let dir = temp_dir("chroot-dev");
    let empty = temp_dir("chroot-dev-empty");
    let (pty, link) = pty_at(&dir);

    let mut child = spawn(&[
        "-d",
        "-u",
        "nobody",
        "-r",
        empty.to_str().unwrap(),
        "127.127.20.0",
        "path",
        link.to_str().unwrap(),
    ]);
    let rx = lines_of(&mut child);
    thread::sleep(Duration::from_millis(500));
    feed(&pty, 2);
    thread::sleep(Duration::from_millis(300));
    let before = rx.try_iter().filter(|l| l.starts_with("SAMPLE: ")).count();
    assert!(before >= 1, "samples before the device vanished");

    drop(pty);
    let exit = wait_exit(&mut child, Duration::from_secs(5));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
    let Some((code, err)) = exit else {
        let (_, err) = terminate(&mut child, 9);
        panic!("still running after the device vanished: {err}");
    };
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("Note: ") && err.contains("so it is not reopened"),
        "told at the start with -d: {err}"
    );
    assert!(
        err.contains("cannot be reached after the chroot"),
        "the reason: {err}"
    );
    assert!(err.trim_end().ends_with("Exiting on error"), "{err}");
    assert!(!err.contains("will try to reopen"), "{err}");
}

#[test]
fn lost_socket_out_of_the_chroot_ends_the_program() {
    if !privs::is_root() {
        eprintln!("skipped: the privilege drop needs root");
        return;
    }
    let dir = temp_dir("chroot-sock");
    let empty = temp_dir("chroot-sock-empty");
    let (pty, link) = pty_at(&dir);
    let sock_path = dir.join("refclock.sock");
    let receiver = SockReceiver::bind(&sock_path).unwrap();

    let mut child = spawn(&[
        "-u",
        "nobody",
        "-r",
        empty.to_str().unwrap(),
        "-s",
        sock_path.to_str().unwrap(),
        "127.127.20.0",
        "path",
        link.to_str().unwrap(),
    ]);
    thread::sleep(Duration::from_millis(500));
    feed(&pty, 2);
    let got = receiver
        .recv_timeout(Duration::from_secs(2))
        .expect("receive")
        .expect("a sample while the socket is there");
    // Written 50 ms after the second it names: offset about -0.05 s.
    assert!((got.offset + 0.05).abs() < 0.03, "offset {}", got.offset);

    // chronyd goes away; the next sample cannot be delivered, and the
    // socket could not be reconnected from inside the chroot.
    drop(receiver);
    feed(&pty, 2);
    let exit = wait_exit(&mut child, Duration::from_secs(3));
    drop(pty);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
    let Some((code, err)) = exit else {
        let (_, err) = terminate(&mut child, 9);
        panic!("still running after the receiver went away: {err}");
    };
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("Could not send sample") && err.contains("so it is not reconnected"),
        "the reason: {err}"
    );
    assert!(!err.contains("Note: "), "the note needs -d: {err}");
    assert!(!err.contains("dropped until chronyd is back"), "{err}");
    assert!(err.trim_end().ends_with("Exiting on error"), "{err}");
}

#[test]
fn reachable_paths_give_no_note() {
    if !privs::is_root() {
        eprintln!("skipped: the privilege drop needs root");
        return;
    }
    let dir = temp_dir("chroot-ok");
    let (pty, link) = pty_at(&dir);
    let mut child = spawn(&[
        "-d",
        "-u",
        "root",
        "-r",
        "/",
        "127.127.20.0",
        "path",
        link.to_str().unwrap(),
    ]);
    let rx = lines_of(&mut child);
    thread::sleep(Duration::from_millis(500));
    feed(&pty, 1);
    thread::sleep(Duration::from_millis(300));
    let (code, err) = terminate(&mut child, 15);
    drop(pty);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(rx.try_iter().any(|l| l.starts_with("SAMPLE: ")), "{err}");
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("Note: "), "{err}");
}
