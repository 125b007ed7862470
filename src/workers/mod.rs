//! Background work: pollers that fetch what is on screen, the metrics fetch, and the action
//! runner. Each talks to the loop by message only.

pub mod audit;
pub mod backoff;
pub mod budget;
pub mod clipboard;
pub mod log_save;
pub mod logtail;
pub mod metrics;
pub mod poller;
pub mod runner;
