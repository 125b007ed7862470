//! The tests that need a moto server (a local AWS emulator) or Prism (GitHub's API mocked from
//! its OpenAPI description): run them with `scripts/moto.sh scripts/prism.sh cargo test --test
//! live`, as scripts/test.sh does. They fail without `DECKWATCH_MOTO_URL` and
//! `DECKWATCH_PRISM_URL`. One binary (each file a module), so CI links the AWS SDK once for all
//! of them. The tests share the script's moto and run in parallel: each names its own clusters,
//! families, repositories, alarms and log groups, and the ones that need a server to themselves
//! start their own.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../support/mod.rs"]
mod support;

mod budget_throttle;
mod cli_moto;
mod e2e_codedeploy;
mod e2e_exec;
mod e2e_flows;
mod e2e_moto;
mod e2e_native_canary;
mod e2e_native_strategies;
mod faults;
mod fleet_moto;
mod fleet_sso_moto;
mod github_prism;
mod moto_actions;
mod moto_backend;
mod moto_contexts;
mod moto_credentials;
mod moto_deploy;
mod moto_describe;
mod moto_endpoint_loss;
mod moto_events;
mod moto_evidence;
mod moto_exec;
mod moto_forward;
mod moto_jobs;
mod moto_logs;
mod moto_metrics;
mod moto_owners;
mod moto_paired;
mod moto_targets;
mod moto_tasks;
mod moto_verdict;
mod partial_and_audit;
mod shim_codedeploy;
mod shim_jobs;
mod shim_native;
