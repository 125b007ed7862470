//! The tests that need no server: the reducer, the drawn screens, the demo fleet over simulated
//! time, the real binary in a PTY and on the command line, and the AWS backend on replayed HTTP
//! answers. One binary (each file a module), so CI links the AWS SDK once for all of them.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../support/mod.rs"]
mod support;

mod bad_credentials;
mod cli_errors;
mod e2e_demo;
mod log_props;
mod log_screens;
mod logtail;
mod progress;
mod readme;
mod reducer;
mod sdk_replay;
mod sdk_replay_actions;
mod sdk_replay_logs;
mod sim_actions;
mod sim_scenarios;
mod snapshots;
