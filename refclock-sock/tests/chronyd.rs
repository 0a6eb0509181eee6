//! End to end: [`SockClient`] sending to a real chronyd (Debian's package,
//! fetched privately by the harness), which must accept the samples and
//! report the offset we sent; then chronyd stops and comes back, and the
//! client must say so and recover with `reconnect()`.

#[path = "support/chrony.rs"]
mod chrony;

use std::thread::sleep;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrony::{sock_refclock, Chronyd};
use refclock_sock::{SockClient, SockError, SockSample};

/// True time − system time we claim, seconds.
const OFFSET: f64 = 0.0123;

/// A sample taken now (system time) with [`OFFSET`] and no leap warning.
fn sample_now() -> SockSample {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    let secs = i64::try_from(now.as_secs()).expect("seconds fit i64");
    SockSample::new(secs, i64::from(now.subsec_micros()), OFFSET, 0)
}

/// Sends `n` samples one second apart (chronyd, with `poll 0 filter 1`,
/// takes one sample per second and rejects samples older than 2 s).
fn send_samples(client: &SockClient, n: usize) {
    for i in 0..n {
        if i > 0 {
            sleep(Duration::from_secs(1));
        }
        client.send(&sample_now()).expect("send to chronyd");
    }
}

#[test]
fn chronyd_takes_samples_and_client_survives_restart() {
    // `noselect`: chronyd keeps measuring but does not select the source,
    // so (even with -x) it never corrects its idea of the time and keeps
    // reporting the offset we send rather than 0 once it has "corrected".
    let mut chronyd = Chronyd::start(&[sock_refclock("refid GPS poll 0 filter 1 noselect")]);
    let mut client = SockClient::connect(chronyd.sock_path()).expect("connect to chronyd");

    send_samples(&client, 8);
    let stats = chronyd.wait_until("5 samples in sourcestats", Duration::from_secs(15), |c| {
        c.source_stats("GPS").filter(|s| s.samples >= 5)
    });

    // chronyc reports system − true time (positive: local clock ahead),
    // the opposite of the SOCK sign: expect −OFFSET.
    assert!(
        (stats.offset + OFFSET).abs() < 1e-5,
        "sourcestats offset {} for SOCK offset {OFFSET}",
        stats.offset
    );
    let source = chronyd.source("GPS").expect("GPS in sources");
    assert_eq!(source.mode, '#', "a reference clock");
    assert_ne!(source.reach, 0);
    assert!(
        (source.measured_offset + OFFSET).abs() < 1e-6,
        "sources offset {} for SOCK offset {OFFSET}",
        source.measured_offset
    );
    // refclocks.log keeps the SOCK sign (true − system): expect +OFFSET.
    let raw = chronyd.raw_offsets("GPS");
    assert!(raw.len() >= 5, "raw samples logged: {raw:?}");
    assert!(
        raw.iter().all(|o| (o - OFFSET).abs() < 1e-8),
        "logged offsets {raw:?}"
    );

    // chronyd gone: the connected client is refused, and there is no
    // socket to reconnect to (a graceful exit removes it).
    chronyd.stop();
    match client.send(&sample_now()) {
        Err(e @ SockError::ConnectionRefused { .. }) => assert!(e.is_receiver_gone()),
        other => panic!("send to a stopped chronyd: {other:?}"),
    }
    match client.reconnect() {
        Err(e @ SockError::SocketMissing { .. }) => assert!(e.is_receiver_gone()),
        other => panic!("reconnect to a stopped chronyd: {other:?}"),
    }

    // chronyd back at the same path: the old connection stays dead until
    // reconnect(), after which samples arrive again.
    chronyd.restart();
    assert!(matches!(
        client.send(&sample_now()),
        Err(SockError::ConnectionRefused { .. })
    ));
    client
        .reconnect()
        .expect("reconnect to the restarted chronyd");
    let before = chronyd.raw_offsets("GPS").len();
    send_samples(&client, 3);
    // Raw samples are logged on arrival, the source is updated at the
    // next poll: wait for both.
    let source = chronyd.wait_until(
        "2 samples after the restart, source reached",
        Duration::from_secs(10),
        |c| {
            (c.raw_offsets("GPS").len() >= before + 2)
                .then(|| c.source("GPS"))
                .flatten()
                .filter(|s| s.reach != 0)
        },
    );
    assert!(
        (source.measured_offset + OFFSET).abs() < 1e-6,
        "sources offset {} after the restart",
        source.measured_offset
    );
}
