//! Integration tests against the real nisshi binary, over the wire: one test binary, with the
//! scenarios in modules, because each binary is another link and another broker start.

mod failures;
mod find;
mod sqlite;
mod start;
mod support;
mod watchdog;
