//! # refclock-sock: chrony's SOCK reference clock protocol
//!
//! chronyd's `refclock SOCK /path` driver (chrony's `refclock_sock.c`)
//! binds a UNIX datagram socket at `/path` and reads one `struct
//! sock_sample` per datagram. ntp-refclock (`sock.c`) connects to that
//! socket and sends one datagram per raw sample. This crate is both ends of
//! that protocol:
//!
//! * [`SockSample`] encodes and decodes the datagram, byte for byte the C
//!   struct of the platform it is built for ([`layout`] has the offsets).
//! * [`SockClient`] is the sending side (what ntp-refclock does): it
//!   connects to chronyd's socket, sends samples, and can
//!   [`reconnect`](SockClient::reconnect) after chronyd restarts.
//! * [`SockReceiver`] is the receiving side (what chronyd does), for tests
//!   and daemons that consume samples.
//!
//! ## The datagram
//!
//! ```text
//! struct sock_sample {            offset on 64-bit Linux (32-bit i386)
//!     struct timeval tv;          0: tv_sec (time_t), 8: tv_usec (suseconds_t)
//!                                    (i386: 0 and 4)
//!     double offset;              16 (8)    true time − system time, seconds
//!     int pulse;                  24 (16)   non-zero: PPS edge, seconds unknown
//!     int leap;                   28 (20)   0 none, 1 insert, 2 delete
//!     int _pad;                   32 (24)   ignored, sent as 0
//!     int magic;                  36 (28)   0x534f434b ("SOCK" as an int)
//! };                              size 40 (32)
//! ```
//!
//! All fields are in the host's byte order; `tv` is the **system** time of
//! the measurement and `offset` is **true (reference) time − system time**,
//! so `tv + offset` is the true time of the event. chronyd only accepts a
//! datagram whose length is exactly `sizeof(struct sock_sample)` and whose
//! magic matches (on 32-bit glibc it also converts the other `time_t`
//! width), and it drops samples whose leap is not 0, 1 or 2 (ntpd's
//! "not in sync", 3, never reaches chronyd's clock selection).
//!
//! Errors are one enum, [`SockError`]: malformed datagrams, and socket
//! errors with the path they concern.

mod client;
mod error;
pub mod layout;
mod receiver;
mod sample;

#[cfg(test)]
mod socket_tests;

pub use client::SockClient;
pub use error::SockError;
pub use receiver::SockReceiver;
pub use sample::{SockSample, SOCK_MAGIC, SOCK_SAMPLE_LEN};
