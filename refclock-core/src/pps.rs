//! PPS augmentation: moving a timecode's receive time onto the phase of a
//! PPS edge (ntpd's `refclock_ppsaugment`, ntpd/ntp_refclock.c).
//!
//! A timecode says which second it is but arrives late by its serial
//! transmission time, give or take the scheduling noise of the host; the
//! PPS edge says exactly when a second began but not which one. With both,
//! the receive time is replaced by the edge's time moved by whole seconds
//! to the nearest second of the receive time. ntpd refuses when the edge
//! is stale (two seconds or more away) or when the phase is too close to
//! half a second (0.45 .. 0.55 s) to tell which way to go.
//!
//! (The other half of ntpd's PPS handling, `refclock_pps`'s PPS-only
//! sample, is [`Context::process_pps`](crate::Context::process_pps).)

use crate::port::PpsEdge;
use crate::time::Timestamp;

/// Upper end of the phase gap, as a fraction of 2^32 (0.45 s).
const PHASE_GAP_LO: u32 = 1_932_735_284;
/// Lower end of the phase gap, as a fraction of 2^32 (0.55 s).
const PHASE_GAP_HI: u32 = 2_362_232_013;
const NANOS: i128 = 1_000_000_000;

/// The receive time `rcv` moved onto the phase of `edge` (whose time is
/// corrected by `edge_fudge`, subtracted as ntpd subtracts `time1`), to
/// the nearest second. `None` when there is no edge, it is stale (two
/// seconds or more away), or the phase is too close to half a second.
pub fn augment(edge: Option<PpsEdge>, rcv: Timestamp, edge_fudge: f64) -> Option<Timestamp> {
    let stamp = edge?.time.add_secs_f64(-edge_fudge);
    let delta = stamp.as_nanos() - rcv.as_nanos();
    if !(-2..=1).contains(&delta.div_euclid(NANOS)) {
        return None;
    }
    let frac = delta.rem_euclid(NANOS);
    let phase = ((frac << 32) / NANOS) as u32;
    if phase > PHASE_GAP_LO && phase < PHASE_GAP_HI {
        return None;
    }
    let shift = if phase >> 31 != 0 { frac - NANOS } else { frac };
    Some(Timestamp::from_nanos(rcv.as_nanos() + shift))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::PpsEdgeKind;

    fn edge(secs: i64, nanos: u32) -> Option<PpsEdge> {
        Some(PpsEdge {
            time: Timestamp::new(secs, nanos),
            sequence: 1,
            kind: PpsEdgeKind::Assert,
        })
    }

    #[test]
    fn moves_onto_the_edge_phase() {
        // Line received 130 ms after an edge 2 µs after the second.
        let rcv = Timestamp::new(100, 132_000_000);
        assert_eq!(
            augment(edge(100, 2_000), rcv, 0.0),
            Some(Timestamp::new(100, 2_000))
        );
        // The edge of the next second is also fine (delta −1..0 s).
        let rcv = Timestamp::new(100, 900_000_000);
        assert_eq!(
            augment(edge(101, 0), rcv, 0.0),
            Some(Timestamp::new(101, 0))
        );
        // time1 corrects the edge.
        let rcv = Timestamp::new(100, 100_000_000);
        assert_eq!(
            augment(edge(100, 0), rcv, 0.001),
            Some(Timestamp::new(99, 999_000_000))
        );
    }

    #[test]
    fn refuses_stale_edges_and_half_second_phases() {
        assert_eq!(augment(None, Timestamp::from_secs(5), 0.0), None);
        assert_eq!(augment(edge(90, 0), Timestamp::new(100, 1), 0.0), None);
        assert_eq!(
            augment(edge(100, 0), Timestamp::new(100, 500_000_000), 0.0),
            None
        );
        assert!(augment(edge(100, 0), Timestamp::new(100, 440_000_000), 0.0).is_some());
    }

    #[test]
    fn phase_rounds_to_the_nearest_second() {
        let rcv = Timestamp::from_secs(1000) + 0.3;
        let e = |t: f64| {
            let at = Timestamp::from_secs(1000) + t;
            edge(at.secs(), at.subsec_nanos())
        };
        assert_eq!(augment(e(0.0), rcv, 0.0), Some(Timestamp::from_secs(1000)));
        assert_eq!(augment(e(-1.0), rcv, 0.0), Some(Timestamp::from_secs(1000)));
        assert_eq!(augment(e(1.0), rcv, 0.0), Some(Timestamp::from_secs(1000)));
        // An edge after the receive time, within half a second: moved forward.
        assert_eq!(
            augment(e(0.6), rcv, 0.0),
            Some(Timestamp::from_secs(1000) + 0.6)
        );
        assert_eq!(
            augment(e(0.7), rcv, 0.0),
            Some(Timestamp::from_secs(1000) + 0.7)
        );
        assert_eq!(
            augment(e(1.6), rcv, 0.0),
            Some(Timestamp::from_secs(1000) + 0.6)
        );
        // Half a second off: ambiguous.
        assert_eq!(augment(e(0.8), rcv, 0.0), None);
        assert_eq!(augment(e(-0.2), rcv, 0.0), None);
        // Two seconds or more away: stale.
        assert_eq!(augment(e(-2.0), rcv, 0.0), None);
        assert_eq!(augment(e(2.5), rcv, 0.0), None);
        // time1 moves the edge back.
        assert_eq!(
            augment(e(0.0), rcv, 0.001),
            Some(Timestamp::from_secs(1000) + -0.001)
        );
        assert_eq!(augment(None, rcv, 0.0), None);
    }
}
