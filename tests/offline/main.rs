//! The tests that need no server: the reducer, the drawn screens, the demo fleet over simulated
//! time, the real binary in a PTY and on the command line, and the AWS backend on replayed HTTP
//! answers. One binary (each file a module), so CI links the AWS SDK once for all of them.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../support/mod.rs"]
mod support;

mod alarm_backoff;
mod audit_trust;
mod bad_credentials;
mod builds_partial;
mod call_rates;
mod ci_worker;
mod cli_commands;
mod cli_errors;
mod cli_reliability;
mod config_checks;
mod context_guard;
mod demo_clusters;
mod describe_view;
mod dialog_freshness;
mod e2e_demo;
mod e2e_terminal;
mod event_worker;
mod evidence_cadence;
mod evidence_demo;
mod exec_channel;
mod exec_forward;
mod exec_frames;
mod filter_bound;
mod fleet_view;
mod github_client;
mod github_injection;
mod job_watch;
mod keys_config;
mod layers;
mod link_header;
mod log_props;
mod log_screens;
mod logtail;
mod measure;
mod metrics_worker;
mod monkey;
mod native_history;
mod policy_demo;
mod poll_rates;
mod progress;
mod properties;
mod readme;
mod reducer;
mod screen_says;
mod sdk_replay;
mod sdk_replay_actions;
mod sdk_replay_billed;
mod sdk_replay_codedeploy;
mod sdk_replay_credentials;
mod sdk_replay_edges;
mod sdk_replay_evidence;
mod sdk_replay_logs;
mod sdk_replay_ownership;
mod sdk_replay_panes;
mod sdk_replay_partial;
mod sdk_replay_pricing;
mod sdk_replay_sso;
mod sdk_replay_sso_fleet;
mod shim_model;
mod sim_actions;
mod sim_builds;
mod sim_codedeploy;
mod sim_scenarios;
mod sim_soak;
mod sizes;
mod snapshots;
mod snapshots_builds;
mod snapshots_codedeploy;
mod snapshots_cost;
mod snapshots_exec;
mod snapshots_jobs;
mod status_verdict;
mod testing_md;
mod timeline_demo;
mod token_command;
mod verdict_rule;
mod wait_demo;
mod webhook;
