//! Where each field of `struct sock_sample` sits in the datagram on this
//! platform.
//!
//! The offsets come from a `#[repr(C)]` mirror of the C struct built from
//! `libc`'s `timeval` and `c_int`, so the compiler lays it out exactly as
//! the platform's C compiler lays out chrony's struct (alignment of
//! `double`, width of `time_t` and `suseconds_t`). On 64-bit Linux they are
//! 0, 8, 16, 24, 28, 32, 36 with a size of 40.

use core::mem::{offset_of, size_of};

/// The C struct, field for field (chrony's `refclock_sock.c`, ntp-refclock's
/// `sock.c`). It is only measured, never built.
#[repr(C)]
struct CSockSample {
    tv: libc::timeval,
    offset: f64,
    pulse: libc::c_int,
    leap: libc::c_int,
    pad: libc::c_int,
    magic: libc::c_int,
}

/// Size of the datagram: `sizeof(struct sock_sample)`.
pub const SIZE: usize = size_of::<CSockSample>();
/// Offset of `tv.tv_sec`.
pub const TV_SEC: usize = offset_of!(CSockSample, tv) + offset_of!(libc::timeval, tv_sec);
/// Width of `tv.tv_sec` (`time_t`): 8, or 4 on 32-bit targets with 32-bit time.
pub const TV_SEC_LEN: usize = size_of::<libc::time_t>();
/// Offset of `tv.tv_usec`.
pub const TV_USEC: usize = offset_of!(CSockSample, tv) + offset_of!(libc::timeval, tv_usec);
/// Width of `tv.tv_usec` (`suseconds_t`): 8, or 4 on 32-bit targets.
pub const TV_USEC_LEN: usize = size_of::<libc::suseconds_t>();
/// Offset of `offset` (a native `double`).
pub const OFFSET: usize = offset_of!(CSockSample, offset);
/// Offset of `pulse` (an `int`).
pub const PULSE: usize = offset_of!(CSockSample, pulse);
/// Offset of `leap` (an `int`).
pub const LEAP: usize = offset_of!(CSockSample, leap);
/// Offset of `_pad` (an `int`, ignored).
pub const PAD: usize = offset_of!(CSockSample, pad);
/// Offset of `magic` (an `int`).
pub const MAGIC: usize = offset_of!(CSockSample, magic);
/// Width of the `int` fields.
pub const INT_LEN: usize = size_of::<libc::c_int>();

// The encoder handles 4- and 8-byte integers and a 4-byte int; any other
// platform fails to build rather than sending wrong bytes.
const _: () = assert!(TV_SEC_LEN == 4 || TV_SEC_LEN == 8);
const _: () = assert!(TV_USEC_LEN == 4 || TV_USEC_LEN == 8);
const _: () = assert!(INT_LEN == 4);
const _: () = assert!(size_of::<f64>() == 8);
const _: () = assert!(MAGIC + INT_LEN <= SIZE);

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
const _: () = assert!(SIZE == 40);
