//! What reaches the reducer (`Msg`) and what it asks the loop to do (`Effect`).

use crate::model::{
    ActionPlan, Alarm, ApiError, At, ContextInfo, Image, LogChunk, LogLine, OpReport, RateInfo,
    Run, RunDetail, RunRef, Service, ServiceKey, Task, Workflow, WorkflowInput,
};
use crate::state::Pane;
use crate::state::logs::{Backlog, LogFollow, LogSave, SaveError, Saved, TailStatus};
use crate::state::table::columns::ServiceColumn;
use crate::state::table::{Prepared, Sort};
use crossterm::event::{KeyEvent, MouseEvent};

/// What the pollers need to know: what is on screen, and how fast to poll it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub pane: Pane,
    /// The service the rollout view shows, or the logs pane follows.
    pub service: Option<ServiceKey>,
    /// The rollout view's service's paired partner (the canary of a primary, or the primary of
    /// a canary), whose tasks the view reads too.
    pub partner: Option<ServiceKey>,
    /// A visible service has a rollout in progress: poll fast.
    pub fast: bool,
    /// A confirmed action is being followed until it settles: the services are read whatever
    /// pane is on screen, so the activity line moves on.
    pub acting: bool,
    /// The order the services pane shows, so its poller sends them in that order.
    pub sort: Option<Sort<ServiceColumn>>,
    /// What the log worker follows: set while the logs pane or the rollout view is on screen.
    pub logs: Option<LogFollow>,
}

/// What the last frame's layout gave each part of the screen, so the reducer knows how far a
/// page moves without knowing how the screen is laid out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Viewport {
    /// Rows of items the current pane's list shows at once.
    pub list_rows: u16,
    /// Where the frame drew what a mouse click can reach.
    pub hits: crate::state::input::mouse::Hits,
    /// How far the rollout view's document may scroll.
    pub scroll_limit: usize,
    /// How far the overlay on screen (the help) may scroll.
    pub overlay_limit: usize,
    /// The inside (cols, rows) of the terminal pane, when one is drawn.
    pub terminal: Option<(u16, u16)>,
    /// Where the rows' names were drawn and the page each links to (`[ui] links`).
    pub links: Vec<crate::state::links::LinkSpan>,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// A click or the wheel (only when the config leaves the mouse on).
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The layout of the frame just drawn.
    Layout(Viewport),
    /// The wall clock, once a second.
    Tick(At),
    Context(ContextInfo),
    /// Every service, prepared by the poller: in the pane's order, compared with the last.
    Services(Prepared<Service>, At),
    /// The first load's rows so far: (rows, clusters read, clusters in all, when).
    ServicesPart(Vec<Service>, usize, usize, At),
    Tasks(Option<ServiceKey>, Vec<Task>, At),
    Images(Vec<Image>, At),
    Alarms(Vec<Alarm>, At),
    /// Which alarms belong to which service (by the alarms' names), made off the loop after
    /// the services or the alarms changed, numbered in the order they were made.
    Links(u64, crate::model::Links),
    Logs(ServiceKey, Vec<LogLine>, At),
    /// A batch of log follow `generation`'s lines, prepared by the log worker.
    LogFeed(u64, Box<LogChunk>, At),
    /// How log follow `generation` is read now (live, polling, disconnected, sampled).
    LogStatus(u64, TailStatus),
    /// A backlog load of log follow `generation`: progress, then its end.
    LogBacklog(u64, Backlog),
    /// `:save` ended: what was written, or why not.
    LogSaved(Result<Saved, SaveError>),
    /// A pane's fetch failed.
    Failed(Pane, ApiError, At),
    /// The runs of these workflows, newest first.
    Runs(Vec<Workflow>, Vec<Run>, At),
    /// The open run's jobs, steps and failing log.
    RunDetail(RunDetail, At),
    RunDetailFailed(RunRef, ApiError, At),
    /// The build dialog's workflow inputs at a ref, or why they could not be read.
    BuildInputs(Workflow, String, Result<Vec<WorkflowInput>, ApiError>),
    /// A dispatch started this run (None: GitHub answered 204 and it was not found).
    Dispatched(Workflow, Option<u64>),
    /// GitHub's last rate-limit headers, and until when the client waits after a limit.
    CiRate(Option<RateInfo>, Option<At>),
    /// The GitHub client is ready, or why there is none (no token): the builds pane says it.
    CiReady(Option<String>),
    /// A job's calls are done: what was done, or why it was refused or failed.
    ActionDone(Box<crate::state::jobs::JobDone>),
    /// The API budget's figures, for `:budget`.
    Budget(Vec<OpReport>),
    /// What the evidence worker fetched.
    Evidence(Box<crate::state::rollout::evidence::Fetched>),
    /// SIGTERM, SIGHUP or SIGINT.
    Quit,
    /// The backend of switch N (`Target::generation`) is built and its pollers run.
    ContextReady(u64),
    /// The backend of switch N could not be built.
    ContextFailed(u64, ApiError),
    /// When the credentials in use expire (None: they do not, or it is not known).
    CredentialsExpiry(Option<At>),
    /// How the console stands with the backend: no answer, the team audit, a failed start.
    Connection(crate::state::ConnectionEvent),
    /// The timeline of request N, merged off the loop.
    Timeline(u64, Box<crate::model::timeline::Timeline>),
    /// The stacks that own these services (None: no stack lists it), or why not known.
    Owners(
        Vec<(
            ServiceKey,
            Result<Option<crate::model::owner::Stack>, ApiError>,
        )>,
    ),
    /// The context's Fargate prices (from the cache or the Price List), or why not read.
    Prices(Result<crate::model::cost::PriceTable, ApiError>),
    /// What Cost Explorer billed each service yesterday (`[cost] explorer`), or why not read.
    Billed(Result<crate::model::cost::BilledDay, ApiError>),
    /// GitHub's compare, for a dialog's commits.
    Compared(
        crate::model::commits::CompareQuery,
        Result<crate::model::commits::Compare, ApiError>,
    ),
    /// `:export timeline` ended: where it was written, or why not.
    Exported(Result<String, crate::state::timeline::export::ExportError>),
    /// ECS Exec and port forwarding: tasks and readiness, a session's output, the forwards.
    Exec(crate::state::exec::ExecMsg),
    /// How ECS's events reach the console (`[events]`), from the event worker.
    Feed(crate::state::feed::FeedReport),
    /// The describe call of request N answered.
    Described(u64, Result<crate::model::RawDoc, ApiError>),
    /// The browser could not be started for `o`: why.
    OpenFailed(String),
    /// A notification did not reach `[notify] webhook`: why (never the URL).
    WebhookFailed(String),
    /// The fleet worker read a context off screen.
    Fleet(Box<crate::state::fleet::FleetReport>),
    /// An SSO session's accounts and roles were listed (or why not).
    SsoListed(Box<crate::state::fleet_sso::SsoListed>),
    /// A job's watch read its service while the job's context was off screen.
    JobWatched(Box<crate::state::jobs::JobWatched>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Tell the pollers what is on screen now.
    Watch(Watch),
    /// Poll what is on screen now, without waiting for the interval.
    Refresh,
    /// A notification: the bell, OSC 9 and OSC 777, written between frames.
    Notify(crate::state::notify::Notice),
    /// Run a confirmed action: re-read, check, audit, call.
    Run(Box<ActionPlan>, ContextInfo, crate::state::jobs::JobId),
    /// The jobs at work, and the watches the loop reads because their context is off screen.
    WatchJobs(crate::state::jobs::JobWatches),
    /// Point the console at another context: stop the pollers, build its backend off the
    /// loop, then start its pollers.
    SwitchContext(crate::state::Target),
    /// Send the API budget's figures (`Msg::Budget`), while `:budget` is open.
    ReportBudget,
    /// Tell the evidence worker what the screen needs now.
    Evidence(Box<crate::state::rollout::evidence::Request>),
    /// Tell the CI worker what to poll.
    WatchBuilds(crate::state::builds::CiWatch),
    /// Read a workflow's dispatch inputs at a ref, for the build dialog.
    LoadInputs(Workflow, String),
    /// Write log lines to a file (`:save`).
    SaveLogs(Box<LogSave>),
    /// Put text on the clipboard through the terminal (OSC 52).
    Clipboard(String),
    /// Read one service's timeline from every source.
    Timeline(Box<crate::state::timeline::Request>),
    /// Ask who owns these services (key, ARN): CloudFormation's stacks.
    Owners(Vec<(ServiceKey, String)>),
    /// Ask GitHub for the commits between two commits.
    Compare(crate::model::commits::CompareQuery),
    /// Write a post-mortem draft.
    Export(Box<crate::state::timeline::export::Export>),
    /// ECS Exec and port forwarding: open, type into, resize or end a session, hand it the
    /// terminal, start or stop a forward.
    Exec(crate::state::exec::ExecEffect),
    /// `:describe`: make request N's describe call (GitHub's for a run, else the fleet's).
    Describe(u64, crate::model::DescribeTarget),
    /// `o`: open this URL in the browser, off the loop.
    OpenLink(String),
    /// Contexts joined the fleet (an SSO session's): read them off screen; the target is the
    /// context on screen.
    JoinFleet(Vec<crate::state::Target>, crate::state::Target),
}
