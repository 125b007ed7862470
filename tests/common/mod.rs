#![allow(dead_code)]
//! Helpers shared by the integration tests. Each test binary uses a part of them.

pub mod counting;
pub mod moto;
pub mod seed;
