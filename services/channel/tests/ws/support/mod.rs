//! The stack a WebSocket test runs against, and the client it talks to it with.

pub mod channel;
pub mod client;
pub mod dial;
pub mod events;
pub mod gateway;
pub mod served;
pub mod stack;
