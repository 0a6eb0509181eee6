//! Client and receiver over real UNIX sockets in a private temporary
//! directory.

use std::fs;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::client::MAX_PATH_LEN;
use crate::{SockClient, SockError, SockReceiver, SockSample, SOCK_SAMPLE_LEN};

/// A fresh directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("rcsock-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir(&path).expect("create temp dir");
        TempDir(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const WAIT: Duration = Duration::from_secs(5);

fn recv(rx: &SockReceiver) -> Result<SockSample, SockError> {
    rx.recv_timeout(WAIT)
        .transpose()
        .expect("a datagram within 5 s")
}

/// A socket file nobody is bound to (std does not unlink on drop).
fn stale_socket(path: &Path) {
    drop(UnixDatagram::bind(path).expect("bind"));
    assert!(path.exists());
}

#[test]
fn client_to_receiver_round_trip() {
    let dir = TempDir::new();
    let rx = SockReceiver::bind(dir.join("s")).expect("bind");
    let tx = SockClient::connect(rx.path()).expect("connect");
    assert_eq!(tx.path(), rx.path());
    let samples = [
        SockSample::new(1_700_000_000, 0, 0.0123, 0),
        SockSample::new(1_700_000_001, 999_999, -0.5, 1),
        SockSample {
            pulse: true,
            ..SockSample::new(1_700_000_002, 250_000, 1e-7, 2)
        },
        SockSample::new(1_700_000_003, 1, 0.0, 3),
    ];
    for s in &samples {
        tx.send(s).expect("send");
    }
    for s in &samples {
        assert_eq!(&recv(&rx).expect("decodes"), s);
    }
    // Blocking recv sees the next one too, and so does an endless timeout.
    tx.send(&samples[0]).expect("send");
    assert_eq!(rx.recv().expect("recv"), samples[0]);
    tx.send(&samples[1]).expect("send");
    assert_eq!(
        rx.recv_timeout(Duration::MAX).expect("recv"),
        Some(samples[1])
    );
}

#[test]
fn receiver_reports_malformed_datagrams_and_goes_on() {
    let dir = TempDir::new();
    let rx = SockReceiver::bind(dir.join("s")).expect("bind");
    let tx = SockClient::connect(rx.path()).expect("connect");
    let good = SockSample::new(1_700_000_000, 5, 0.25, 0);
    let mut long = good.encode().to_vec();
    long.push(0);
    let huge = vec![0u8; 4 * SOCK_SAMPLE_LEN];
    let mut bad_magic = good.encode();
    bad_magic[crate::layout::MAGIC] ^= 0xff;

    tx.send_datagram(&good.encode()[..SOCK_SAMPLE_LEN - 1])
        .expect("send");
    tx.send_datagram(&long).expect("send");
    tx.send_datagram(&huge).expect("send");
    tx.send_datagram(&bad_magic).expect("send");
    tx.send(&good).expect("send");

    assert!(matches!(
        recv(&rx),
        Err(SockError::TooShort { found, .. }) if found == SOCK_SAMPLE_LEN - 1
    ));
    assert!(matches!(
        recv(&rx),
        Err(SockError::TooLong { found, .. }) if found == SOCK_SAMPLE_LEN + 1
    ));
    // Longer than the buffer: the kernel truncates, still "too long".
    assert!(matches!(recv(&rx), Err(SockError::TooLong { found, .. }) if found > SOCK_SAMPLE_LEN));
    let e = recv(&rx).expect_err("bad magic");
    assert!(e.is_malformed() && matches!(e, SockError::BadMagic { .. }));
    assert_eq!(recv(&rx).expect("good"), good);
}

#[test]
fn invalid_sample_is_not_sent() {
    let dir = TempDir::new();
    let rx = SockReceiver::bind(dir.join("s")).expect("bind");
    let tx = SockClient::connect(rx.path()).expect("connect");
    let bad = SockSample::new(1_700_000_000, 1_000_000, 0.0, 0);
    assert!(matches!(
        tx.send(&bad),
        Err(SockError::UsecOutOfRange { found: 1_000_000 })
    ));
    // A datagram would already be queued: the queue must be empty.
    assert!(rx
        .recv_timeout(Duration::from_millis(20))
        .expect("recv")
        .is_none());
}

#[test]
fn recv_timeout_returns_none_when_idle() {
    let dir = TempDir::new();
    let rx = SockReceiver::bind(dir.join("s")).expect("bind");
    assert!(rx.recv_timeout(Duration::ZERO).expect("recv").is_none());
    assert!(rx
        .recv_timeout(Duration::from_millis(10))
        .expect("recv")
        .is_none());
}

#[test]
fn connect_to_missing_socket() {
    let dir = TempDir::new();
    let path = dir.join("nothing-here.sock");
    let e = SockClient::connect(&path).expect_err("no socket");
    assert!(e.is_receiver_gone());
    match &e {
        SockError::SocketMissing { path: p } => assert_eq!(p, &path),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
}

#[test]
fn connect_to_socket_nobody_listens_on() {
    let dir = TempDir::new();
    let path = dir.join("stale.sock");
    stale_socket(&path);
    let e = SockClient::connect(&path).expect_err("refused");
    assert!(e.is_receiver_gone());
    match &e {
        SockError::ConnectionRefused { path: p } => assert_eq!(p, &path),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
}

#[test]
fn connect_to_a_plain_file() {
    let dir = TempDir::new();
    let path = dir.join("plain-file");
    fs::write(&path, b"x").expect("write");
    match SockClient::connect(&path) {
        Err(e @ SockError::NotASocket { .. }) => {
            assert!(!e.is_receiver_gone());
            assert!(e.to_string().contains("plain-file"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn receiver_gone_then_back_needs_reconnect() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let rx = SockReceiver::bind(&path).expect("bind");
    let mut tx = SockClient::connect(&path).expect("connect");
    let s = SockSample::new(1_700_000_000, 0, 0.001, 0);
    tx.send(&s).expect("send");
    assert_eq!(recv(&rx).expect("recv"), s);
    drop(rx);
    assert!(!path.exists(), "receiver removes its socket file");

    // First send: ECONNREFUSED; later ones: ENOTCONN. Both "gone".
    for _ in 0..2 {
        match tx.send(&s) {
            Err(e @ SockError::ConnectionRefused { .. }) => assert!(e.is_receiver_gone()),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        tx.reconnect(),
        Err(SockError::SocketMissing { .. })
    ));

    // The receiver comes back at the same path: the old socket still
    // points at the dead one until reconnect().
    let rx = SockReceiver::bind(&path).expect("bind again");
    assert!(matches!(
        tx.send(&s),
        Err(SockError::ConnectionRefused { .. })
    ));
    tx.reconnect().expect("reconnect");
    tx.send(&s).expect("send after reconnect");
    assert_eq!(recv(&rx).expect("recv"), s);
}

#[test]
fn path_too_long() {
    let long = PathBuf::from(format!("/tmp/{}", "x".repeat(MAX_PATH_LEN)));
    for e in [
        SockClient::connect(&long).expect_err("too long"),
        SockReceiver::bind(&long).expect_err("too long"),
    ] {
        match e {
            SockError::PathTooLong { path, len, max } => {
                assert_eq!(path, long);
                assert_eq!(len, MAX_PATH_LEN + 5);
                assert_eq!(max, MAX_PATH_LEN);
            }
            other => panic!("{other:?}"),
        }
    }
    #[cfg(target_os = "linux")]
    assert_eq!(MAX_PATH_LEN, 107);
}

#[test]
fn longest_path_that_fits_works() {
    let dir = TempDir::new();
    let prefix = dir.0.to_string_lossy().len() + 1;
    let path = dir.join(&"p".repeat(MAX_PATH_LEN - prefix));
    assert_eq!(path.as_os_str().len(), MAX_PATH_LEN);
    let rx = SockReceiver::bind(&path).expect("bind");
    let tx = SockClient::connect(&path).expect("connect");
    let s = SockSample::new(1, 2, 3.0, 0);
    tx.send(&s).expect("send");
    assert_eq!(recv(&rx).expect("recv"), s);
}

#[test]
fn bind_replaces_stale_socket_only() {
    let dir = TempDir::new();
    let path = dir.join("s");
    stale_socket(&path);
    let rx = SockReceiver::bind(&path).expect("stale socket replaced");

    match SockReceiver::bind(&path) {
        Err(SockError::InUse { path: p }) => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
    // The failed bind left the live socket alone.
    let tx = SockClient::connect(&path).expect("connect");
    let s = SockSample::new(5, 6, 7.0, 0);
    tx.send(&s).expect("send");
    assert_eq!(recv(&rx).expect("recv"), s);

    let file = dir.join("f");
    fs::write(&file, b"keep me").expect("write");
    assert!(matches!(
        SockReceiver::bind(&file),
        Err(SockError::NotASocket { .. })
    ));
    assert_eq!(fs::read(&file).expect("read"), b"keep me");
}

#[test]
fn drop_leaves_someone_elses_socket() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let first = SockReceiver::bind(&path).expect("bind");
    // Someone removes our file and binds their own at the same path.
    fs::remove_file(&path).expect("remove");
    let second = SockReceiver::bind(&path).expect("bind");
    drop(first);
    assert!(path.exists(), "the second receiver's socket is still there");
    drop(second);
    assert!(!path.exists());
}
