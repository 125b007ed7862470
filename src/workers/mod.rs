//! Background work: pollers that fetch what is on screen, the metrics fetch, and the action
//! runner. Each talks to the loop by message only.

pub mod audit;
pub mod backoff;
pub mod billed;
pub mod ci;
pub mod ci_runner;
pub mod connect;
pub mod credentials;
pub mod events;
pub mod evidence;
pub mod exec;
pub mod export;
pub mod fleet;
pub mod gh_record;
pub mod job_watch;
pub mod linking;
pub mod log_save;
pub mod logtail;
pub mod lookups;
pub mod metrics;
pub mod os_user;
pub mod pace;
pub mod poller;
pub mod prices;
pub mod reread;
pub mod runner;
pub mod team_audit;
pub mod timeline;
pub mod watchdog;
pub mod webhook;
