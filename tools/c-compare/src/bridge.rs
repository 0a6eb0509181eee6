//! For the GPSD JSON driver (type 46): the C program connects to gpsd at
//! `localhost:2947`, so the simulated gpsd on the C side's pseudo-terminal
//! is made reachable there. The bridge listens on 127.0.0.1:2947 and
//! `[::1]:2947` (the C driver tries each address `localhost` resolves to)
//! and relays between the one connection and the terminal, raw. What the
//! terminal gives while no one is connected is kept for the next
//! connection, so that the C program reads what the truth log says was
//! written while it ran (from the moment the bridge starts).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};

/// gpsd's port, the only one the C driver knows.
pub const PORT: u16 = 2947;

/// A running bridge; stopped when dropped.
pub struct Bridge {
    run: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Bridge {
    /// Opens `device` (raw) and the two listeners, and starts relaying.
    pub fn start(device: &Path) -> Result<Bridge, String> {
        let mut tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(device)
            .map_err(|e| format!("{}: {e}", device.display()))?;
        if let Ok(mut t) = tcgetattr(tty.as_fd()) {
            cfmakeraw(&mut t);
            let _ = tcsetattr(tty.as_fd(), SetArg::TCSANOW, &t);
        }
        set_nonblocking(&tty)?;
        let listeners: Vec<TcpListener> = ["127.0.0.1", "::1"]
            .iter()
            .filter_map(|a| TcpListener::bind((*a, PORT)).ok())
            .collect();
        if listeners.is_empty() {
            return Err(format!("cannot listen on port {PORT} (a gpsd running?)"));
        }
        for l in &listeners {
            l.set_nonblocking(true).map_err(|e| e.to_string())?;
        }
        let run = Arc::new(AtomicBool::new(true));
        let go = run.clone();
        let thread = std::thread::spawn(move || {
            let mut conn: Option<TcpStream> = None;
            let mut held: Vec<u8> = Vec::new();
            let mut buf = [0u8; 4096];
            while go.load(Ordering::Relaxed) {
                for l in &listeners {
                    if let Ok((c, _)) = l.accept() {
                        let _ = c.set_nonblocking(true);
                        let _ = c.set_nodelay(true);
                        conn = Some(c);
                    }
                }
                let mut idle = true;
                if let Ok(n) = tty.read(&mut buf) {
                    if n > 0 {
                        held.extend_from_slice(&buf[..n]);
                        idle = false;
                    }
                }
                if let Some(c) = conn.as_mut() {
                    if !held.is_empty() {
                        let _ = c.set_nonblocking(false);
                        if c.write_all(&held).is_err() {
                            conn = None;
                        }
                        held.clear();
                        if let Some(c) = conn.as_mut() {
                            let _ = c.set_nonblocking(true);
                        }
                    }
                }
                if let Some(c) = conn.as_mut() {
                    match c.read(&mut buf) {
                        Ok(0) => conn = None,
                        Ok(n) => {
                            let _ = tty.write_all(&buf[..n]);
                            idle = false;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(_) => conn = None,
                    }
                }
                if idle {
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        });
        Ok(Bridge {
            run,
            thread: Some(thread),
        })
    }
}

fn set_nonblocking(f: &std::fs::File) -> Result<(), String> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    let flags = fcntl(f, FcntlArg::F_GETFL).map_err(|e| e.to_string())?;
    let flags = OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK;
    fcntl(f, FcntlArg::F_SETFL(flags)).map_err(|e| e.to_string())?;
    Ok(())
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.run.store(false, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
