//! Helpers the test binaries (and the aws_fleet bench) share.

// Each binary uses a part of the helpers.
#![allow(dead_code)]

pub mod action;
pub mod cli;
pub mod counting;
pub mod deny;
pub mod eventbus;
pub mod fake_aws;
pub mod fault_proxy;
pub mod gateway;
pub mod gh_server;
pub mod headless;
pub mod keys;
pub mod moto;
pub mod pty;
pub mod replay;
pub mod screen;
pub mod seed;
pub mod shim;
pub mod testkit;
pub mod wrapped_fleet;
