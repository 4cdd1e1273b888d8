//! The connection's limits (frame size, text length, heartbeat, send queue) and the close frames
//! that enforce them: every close the server sends carries one of the codes here and a reason of
//! at most 123 bytes (the WebSocket limit for a close reason).

use std::time::Duration;

/// The largest text frame accepted, in bytes; a larger one is closed with [`MESSAGE_TOO_BIG`].
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// The longest message `text`, in characters (the AI Engine's chat limit).
pub const MAX_TEXT_CHARS: usize = 4_000;
/// How often the server pings a quiet connection.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(20);
/// How long a connection may stay without any frame from the client (a pong counts) before the
/// server closes it with [`Close::IDLE_TIMEOUT`].
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How many events may wait to be written to one connection.
pub const SEND_QUEUE_CAPACITY: usize = 256;

/// Close code: the client broke a rule of the protocol.
pub const POLICY_VIOLATION: u16 = 1008;
/// Close code: a frame over [`MAX_FRAME_BYTES`].
pub const MESSAGE_TOO_BIG: u16 = 1009;
/// Close code: the server failed.
pub const INTERNAL_ERROR: u16 = 1011;
/// Close code: the server cannot keep up with this connection now; reconnecting later may work.
pub const TRY_AGAIN_LATER: u16 = 1013;

/// A close frame: its code and its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close {
    /// The WebSocket close code.
    pub code: u16,
    /// Why, for a human.
    pub reason: &'static str,
}

impl Close {
    /// A frame over [`MAX_FRAME_BYTES`].
    pub const FRAME_TOO_LARGE: Self = Self {
        code: MESSAGE_TOO_BIG,
        reason: "frame larger than 65536 bytes",
    };
    /// The client reads its events too slowly: its send queue is full.
    pub const SLOW_CLIENT: Self = Self {
        code: TRY_AGAIN_LATER,
        reason: "send queue full: events are read too slowly; try again later",
    };
    /// The same, as a rule the client broke rather than a state to retry from.
    pub const SLOW_CLIENT_POLICY: Self = Self {
        code: POLICY_VIOLATION,
        reason: "send queue full: events are read too slowly",
    };
    /// No frame from the client within [`IDLE_TIMEOUT`].
    pub const IDLE_TIMEOUT: Self = Self {
        code: POLICY_VIOLATION,
        reason: "idle timeout: no frame or pong for 60 s",
    };
    /// The credential the connection was opened with expired or was revoked.
    pub const CREDENTIAL_REFUSED: Self = Self {
        code: POLICY_VIOLATION,
        reason: "the credential expired or was revoked; connect again with a fresh one",
    };
    /// The server failed and cannot go on with this connection.
    pub const INTERNAL: Self = Self {
        code: INTERNAL_ERROR,
        reason: "internal error",
    };
}

/// What to do with one more event for a connection whose queue holds `queued` events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Queue it.
    Enqueue,
    /// The queue is full: drop the queue and close the connection with this frame; the client
    /// reconnects and resumes from its last `seq`.
    Close(Close),
}

/// The bounded per-connection send queue's rule: up to `capacity` events wait; one more closes
/// the connection rather than letting a slow client hold the server's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendQueuePolicy {
    capacity: usize,
    on_full: Close,
}

impl SendQueuePolicy {
    /// A queue of `capacity` events (at least 1) closed with [`Close::SLOW_CLIENT`] (1013) when
    /// full.
    pub const fn new(capacity: usize) -> Self {
        let capacity = if capacity == 0 { 1 } else { capacity };
        Self {
            capacity,
            on_full: Close::SLOW_CLIENT,
        }
    }

    /// The same queue, closed with `close` instead when full (e.g. [`Close::SLOW_CLIENT_POLICY`]).
    pub const fn closing_with(self, close: Close) -> Self {
        Self {
            capacity: self.capacity,
            on_full: close,
        }
    }

    /// How many events may wait.
    pub const fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether one more event fits beside the `queued` ones already waiting.
    pub fn admit(&self, queued: usize) -> Admission {
        if queued < self.capacity {
            Admission::Enqueue
        } else {
            self.on_full()
        }
    }

    /// The close for a queue found full (e.g. when a channel's `try_send` reports it full).
    pub fn on_full(&self) -> Admission {
        Admission::Close(self.on_full)
    }
}

impl Default for SendQueuePolicy {
    fn default() -> Self {
        Self::new(SEND_QUEUE_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_queue_until_the_capacity_is_reached() {
        let policy = SendQueuePolicy::new(3);
        assert_eq!(policy.admit(0), Admission::Enqueue);
        assert_eq!(policy.admit(2), Admission::Enqueue);
    }

    #[test]
    fn a_full_queue_closes_a_slow_client_with_1013_try_again_later() {
        let Admission::Close(close) = SendQueuePolicy::new(3).admit(3) else {
            panic!("a full queue must close the connection");
        };
        assert_eq!(close.code, 1013);
        assert!(close.reason.contains("try again later"));
    }

    #[test]
    fn a_policy_can_close_a_slow_client_with_1008_and_a_reason_instead() {
        let policy = SendQueuePolicy::default().closing_with(Close::SLOW_CLIENT_POLICY);
        assert_eq!(policy.capacity(), SEND_QUEUE_CAPACITY);
        assert_eq!(
            policy.admit(SEND_QUEUE_CAPACITY),
            Admission::Close(Close::SLOW_CLIENT_POLICY)
        );
        assert_eq!(Close::SLOW_CLIENT_POLICY.code, 1008);
    }

    #[test]
    fn a_zero_capacity_still_lets_one_event_through() {
        assert_eq!(SendQueuePolicy::new(0).admit(0), Admission::Enqueue);
    }

    #[test]
    fn every_close_reason_fits_in_a_close_frame() {
        for close in [
            Close::FRAME_TOO_LARGE,
            Close::SLOW_CLIENT,
            Close::SLOW_CLIENT_POLICY,
            Close::IDLE_TIMEOUT,
            Close::INTERNAL,
        ] {
            assert!(
                close.reason.len() <= 123,
                "{:?} has too long a reason",
                close
            );
            assert!([1008, 1009, 1011, 1013].contains(&close.code));
        }
    }

    #[test]
    fn the_close_reasons_state_the_limits_they_enforce() {
        assert!(
            Close::FRAME_TOO_LARGE
                .reason
                .contains(&MAX_FRAME_BYTES.to_string())
        );
        assert!(
            Close::IDLE_TIMEOUT
                .reason
                .contains(&format!("{} s", IDLE_TIMEOUT.as_secs()))
        );
        assert!(HEARTBEAT_INTERVAL < IDLE_TIMEOUT);
    }
}
