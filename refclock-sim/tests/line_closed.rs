//! A model that asks for it hears when the driver closes the device (a
//! modem sees DTR drop), once per close; the simulator holds no
//! descriptor of the slave open for it.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use refclock_core::sim::{DeviceModel, Epoch, Message};
use refclock_core::Timestamp;
use refclock_sim::{SimConfig, Simulator};

struct Hangups(Arc<AtomicU32>);

impl DeviceModel for Hangups {
    fn describe(&self) -> String {
        "hang-up counter".into()
    }
    fn baud(&self) -> u32 {
        9600
    }
    fn second(&mut self, _: &Epoch, _: &mut Vec<Message>) {}
    fn sees_close(&self) -> bool {
        true
    }
    fn line_closed(&mut self, _now: Timestamp) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn wait_for(count: &AtomicU32, n: u32) -> u32 {
    let start = Instant::now();
    while count.load(Ordering::SeqCst) < n && start.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    count.load(Ordering::SeqCst)
}

#[test]
fn each_close_of_the_slave_is_seen_once() {
    let count = Arc::new(AtomicU32::new(0));
    let cfg = SimConfig::new(Box::new(Hangups(Arc::clone(&count))));
    let mut h = Simulator::start(cfg).expect("simulator starts");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(count.load(Ordering::SeqCst), 0, "never opened: no hang-up");
    for n in 1..=2 {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(h.path())
            .expect("open the slave");
        std::thread::sleep(Duration::from_millis(60));
        drop(f);
        assert_eq!(wait_for(&count, n), n);
    }
    h.stop().unwrap();
}
