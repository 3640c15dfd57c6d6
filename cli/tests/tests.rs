//! The pipeline's black-box tests: one binary (so the crate is linked once), one module
//! per area. Every test that crosses Kafka or the database talks to a real nisshi broker
//! and a real SQLite file over the wire; see `helpers` for how they are started.

// A test binary has no public API for `unreachable_pub` to protect.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod bench;
mod cli;
mod consumer;
mod dash;
mod faults;
mod fuzz;
mod gateway;
mod helpers;
mod hostile;
mod ids;
mod interop;
mod notification;
mod observability;
mod packaging;
mod process;
mod report;
mod saga;
mod scale;
mod security;
mod trace;
mod up;
