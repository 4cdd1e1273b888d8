//! Messaging channels end to end.
