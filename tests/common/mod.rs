#![allow(dead_code)]
pub mod pty;
