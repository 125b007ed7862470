//! The service actions: planning what a verb would change (`plan`), and the confirmed action
//! until it settles (`progress`).

pub mod codedeploy;
pub mod commits;
pub mod plan;
pub mod progress;
pub mod record;
pub mod start;
pub mod stop_task;
