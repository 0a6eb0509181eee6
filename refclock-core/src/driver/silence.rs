//! ntpd's `pollcnt`: how many polls a clock may stay silent before each
//! further poll reports it.

use super::Context;
use crate::event::ClockEvent;

/// The polls a clock may pass without an answer before every further poll
/// reports [`ClockEvent::Timeout`] (the `pollcnt` counter of ntpd's HP,
/// Zyfer, PST, Spectracom... drivers): counted down at each poll, reset by
/// every answer the driver counts as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Silence {
    left: u8,
    allowed: u8,
}

impl Silence {
    /// `allowed` silent polls before the reports start (ntpd's drivers: 2).
    pub const fn new(allowed: u8) -> Silence {
        Silence {
            left: allowed,
            allowed,
        }
    }

    /// The clock answered.
    pub fn heard(&mut self) {
        self.left = self.allowed;
    }

    /// A poll: one silent poll less, or a timeout when none is left.
    pub fn poll(&mut self, ctx: &mut Context<'_>) {
        if self.left == 0 {
            ctx.report(ClockEvent::Timeout);
        } else {
            self.left -= 1;
        }
    }

    /// Silent polls left before the reports start.
    pub const fn left(&self) -> u8 {
        self.left
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;
    use crate::clock::{ClockId, ClockState};
    use crate::driver::HostStatus;
    use crate::fudge::Fudge;

    #[test]
    fn two_silent_polls_then_a_timeout_at_each() {
        let mut state = ClockState::new(ClockId { kind: 1, unit: 0 }, Fudge::default());
        let mut actions = VecDeque::new();
        let mut s = Silence::new(2);
        let mut ctx = Context::new(&mut state, &mut actions, HostStatus::default());
        for left in [1, 0, 0, 0] {
            s.poll(&mut ctx);
            assert_eq!(s.left(), left);
        }
        assert_eq!(ctx.clock.counters.noreply, 2);
        s.heard();
        s.poll(&mut ctx);
        assert_eq!(ctx.clock.counters.noreply, 2);
        assert_eq!(s.left(), 1);
    }
}
