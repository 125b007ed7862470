//! ECS Exec on screen: the exec dialog, the terminal pane, and `:forwards`.

pub mod dialog;
pub mod forwards;
pub mod terminal;
