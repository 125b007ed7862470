//! What reaches the reducer (`Msg`) and what it asks the loop to do (`Effect`).

use super::Pane;
use super::logs::{Backlog, LogFollow, LogSave, TailStatus};
use crate::cloud::CloudError;
use crate::model::{
    ActionPlan, ActionResult, Alarm, ContextInfo, Image, LogChunk, LogLine, Millis, Service,
    ServiceKey, Task,
};
use crossterm::event::KeyEvent;

/// What the pollers need to know: what is on screen, and how fast to poll it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub pane: Pane,
    /// The service the rollout view shows, or the logs pane follows.
    pub service: Option<ServiceKey>,
    /// A visible service has a rollout in progress: poll fast.
    pub fast: bool,
    /// What the log worker follows: set while the logs pane or the rollout view is on screen.
    pub logs: Option<LogFollow>,
}

/// What the last frame's layout gave each part of the screen, so the reducer knows how far a
/// page moves without knowing how the screen is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Viewport {
    /// Rows of items the current pane's list shows at once.
    pub list_rows: u16,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The layout of the frame just drawn.
    Layout(Viewport),
    /// The wall clock, once a second.
    Tick(Millis),
    Context(ContextInfo),
    Services(Vec<Service>, Millis),
    /// The first load's rows so far: (rows, clusters read, clusters in all, when).
    ServicesPart(Vec<Service>, usize, usize, Millis),
    Tasks(Option<ServiceKey>, Vec<Task>, Millis),
    Images(Vec<Image>, Millis),
    Alarms(Vec<Alarm>, Millis),
    Logs(ServiceKey, Vec<LogLine>, Millis),
    /// A batch of log follow `generation`'s lines, prepared by the log worker.
    LogFeed(u64, Box<LogChunk>, Millis),
    /// How log follow `generation` is read now (live, polling, disconnected, sampled).
    LogStatus(u64, TailStatus),
    /// A backlog load of log follow `generation`: progress, then its end.
    LogBacklog(u64, Backlog),
    /// `:save` ended: what was written, or why not.
    LogSaved(Result<String, String>),
    /// A pane's fetch failed.
    Failed(Pane, CloudError, Millis),
    /// An action's outcome: what was done, or why it was refused or failed.
    ActionDone(ActionResult),
    /// SIGTERM, SIGHUP or SIGINT.
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Tell the pollers what is on screen now.
    Watch(Watch),
    /// Poll what is on screen now, without waiting for the interval.
    Refresh,
    /// Run a confirmed action: re-read, check, audit, call.
    Run(Box<ActionPlan>, ContextInfo),
    /// Write log lines to a file (`:save`).
    SaveLogs(Box<LogSave>),
    /// Put text on the clipboard through the terminal (OSC 52).
    Clipboard(String),
}
