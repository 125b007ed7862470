//! The one key table. Every key, in every mode, and every palette word is looked up here, so
//! the help, the footer and the dialogs' hints are drawn from what the keys really do.
//!
//! The table has a layer per input mode. A key means a `Command`; what a command does is the
//! reducer's business (`state::input::commands`).

use crate::keys::Chord;
use crate::model::{Pane, Verb};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key (or a palette word) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Pane(Pane),
    NextPane,
    PrevPane,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    /// Open the selection's detail, or drill into a service.
    Open,
    /// Back, close, clear the filter.
    Back,
    Filter,
    Palette,
    Help,
    Refresh,
    ToggleFollow,
    /// Logs: show every line with matches highlighted, or the matches only.
    ToggleContext,
    /// Logs: the next / previous line matching the filter.
    NextMatch,
    PrevMatch,
    ToggleWrap,
    /// Logs: timestamps in UTC, local time, relative, or none.
    CycleStamps,
    /// Logs: the selected line to the clipboard (OSC 52).
    CopyLine,
    /// `:logs GROUP`: follow any log group.
    FollowGroup(String),
    /// `:pattern …`: a CloudWatch filter pattern applied by AWS (none clears it).
    Pattern(Option<String>),
    /// `:since 1h`: load the backlog from then, and follow on.
    Since(Option<String>),
    /// `:range FROM TO`: load that window only.
    Range(Option<String>),
    /// `:save PATH`: write the kept log lines to a file; `replace` (`:save!`) replaces one
    /// that exists.
    Save {
        path: Option<String>,
        replace: bool,
    },
    /// From the rollout view: the alarms pane, filtered to the rollout's alarms.
    RolloutAlarms,
    /// The rollout view of the selected service.
    Rollout,
    /// The task-definition diff of the service's revisions.
    Diff,
    /// All of the service's events.
    Events,
    /// The service's history merged in time order.
    Timeline,
    /// `:export timeline [PATH]`: the timeline as a post-mortem draft.
    Export(Option<String>),
    Theme(Option<String>),
    /// `:ctx NAME`: point the console at another context of the config.
    Context(Option<String>),
    /// `:region NAME`: the current context in another region.
    Region(Option<String>),
    /// Sort by the next column (None), or by the named one, descending when the bool says so.
    Sort(Option<(String, bool)>),
    /// The API budget's figures.
    Budget,
    /// The fleet view: every context's row.
    Fleet,
    Quit,
    /// Ctrl-C: quits at once, in any mode.
    ForceQuit,
    Promote,
    Abort,
    Rollback,
    ForceDeploy,
    Scale,
    Build,
    /// Cancel the selected run.
    CancelRun,
    /// Rerun the selected run's failed jobs.
    Rerun,
    /// Deploy the image of the selected run, or the selected image.
    Deploy,
    // Inside a mode: a dialog, a prompt or an overlay.
    /// Accept what was typed (Enter).
    Accept,
    /// Leave the mode without acting.
    Cancel,
    /// Confirm a dialog's action.
    Confirm,
    DeleteChar,
    /// Complete the palette's word.
    Complete,
    /// Text typed into a prompt.
    Insert(char),
    /// Flip a boolean input or step a choice (build dialog).
    Toggle,
    /// A deploy dialog's next target (the paired canary).
    OtherTarget,
    /// `x` / `:exec [COMMAND]`: a shell (or the command) in a container of the selected task.
    Exec(Option<String>),
    /// Type into the terminal pane's session.
    FocusTerminal,
    /// The terminal pane's session takes the whole terminal.
    FullScreen,
    /// `:pf NAME`, `:pf SERVICE REMOTE_PORT [LOCAL_PORT]`, `:pf stop NAME`.
    PortForward(Option<String>),
    /// `:forwards`: each port forward's state.
    Forwards,
    /// `:jobs`: this session's jobs in the context, running and finished.
    Jobs,
    /// `x`: stop watching a job (the selected one in `:jobs`, or the one on the service); it
    /// never undoes a call.
    StopWatching,
    /// `K` / `:stop`: stop the selected task (ECS StopTask).
    StopTask,
    /// `:arm`: arm the service's `[[policy]]` for its rollout.
    Arm,
    /// `v` / `:describe [taskdef]`: the selection as the API returned it.
    Describe(Option<String>),
    /// `o`: open the selection's console or GitHub page in the browser.
    OpenLink,
    /// A palette word this version does not know.
    Unknown(String),
}

impl Command {
    /// The action a key plans, if it is an action key.
    pub fn verb(&self) -> Option<Verb> {
        Some(match self {
            Command::Promote => Verb::Promote,
            Command::Abort => Verb::Abort,
            Command::Rollback => Verb::Rollback,
            Command::ForceDeploy => Verb::ForceDeploy,
            Command::Scale => Verb::Scale,
            _ => return None,
        })
    }

    /// This command as a key of a prompt, a dialog or an overlay; None for the commands only
    /// the normal layer binds, which mean nothing there. Every command is named, so a new one
    /// is placed here by the compiler's word.
    pub fn mode_key(&self) -> Option<ModeKey> {
        Some(match self {
            Command::Down => ModeKey::Down,
            Command::Up => ModeKey::Up,
            Command::PageDown => ModeKey::PageDown,
            Command::PageUp => ModeKey::PageUp,
            Command::Top => ModeKey::Top,
            Command::Bottom => ModeKey::Bottom,
            Command::Accept => ModeKey::Accept,
            Command::Cancel => ModeKey::Cancel,
            Command::Confirm => ModeKey::Confirm,
            Command::DeleteChar => ModeKey::DeleteChar,
            Command::Complete => ModeKey::Complete,
            Command::Insert(c) => ModeKey::Insert(*c),
            Command::Toggle => ModeKey::Toggle,
            Command::OtherTarget => ModeKey::OtherTarget,
            Command::Filter => ModeKey::Search,
            Command::NextMatch => ModeKey::NextMatch,
            Command::PrevMatch => ModeKey::PrevMatch,
            Command::Pane(_) | Command::NextPane | Command::PrevPane => return None,
            Command::Open | Command::Back | Command::Palette => return None,
            Command::Help | Command::Refresh | Command::ToggleFollow => return None,
            Command::ToggleContext => return None,
            Command::ToggleWrap | Command::CycleStamps | Command::CopyLine => return None,
            Command::FollowGroup(_) | Command::Pattern(_) | Command::Since(_) => return None,
            Command::Range(_) | Command::Save { .. } | Command::RolloutAlarms => return None,
            Command::Rollout | Command::Diff | Command::Events | Command::Theme(_) => return None,
            Command::Context(_) | Command::Region(_) | Command::Sort(_) => return None,
            Command::Budget | Command::Quit | Command::ForceQuit | Command::Promote => return None,
            Command::Fleet => return None,
            Command::Abort | Command::Rollback | Command::ForceDeploy | Command::Scale => {
                return None;
            }
            Command::Build | Command::CancelRun | Command::Rerun | Command::Deploy => return None,
            Command::Exec(_) | Command::FocusTerminal | Command::FullScreen => return None,
            Command::PortForward(_) | Command::Forwards => return None,
            Command::Jobs | Command::StopWatching | Command::StopTask => return None,
            Command::Describe(_) | Command::OpenLink => return None,
            Command::Timeline | Command::Export(_) | Command::Arm => return None,
            Command::Unknown(_) => return None,
        })
    }
}

impl Command {
    /// This command as the logs' handler sees it: the logs pane's keys and the palette's logs
    /// words; None for the commands the logs leave to the general handler. Every command is
    /// named, so a new one is placed here by the compiler's word.
    pub fn logs_key(&self) -> Option<LogsKey> {
        Some(match self {
            Command::Down => LogsKey::Down,
            Command::Up => LogsKey::Up,
            Command::PageDown => LogsKey::PageDown,
            Command::PageUp => LogsKey::PageUp,
            Command::Top => LogsKey::Top,
            Command::Bottom => LogsKey::Bottom,
            Command::Open => LogsKey::Open,
            Command::Back => LogsKey::Back,
            Command::ToggleFollow => LogsKey::ToggleFollow,
            Command::ToggleContext => LogsKey::ToggleContext,
            Command::NextMatch => LogsKey::NextMatch,
            Command::PrevMatch => LogsKey::PrevMatch,
            Command::ToggleWrap => LogsKey::ToggleWrap,
            Command::CycleStamps => LogsKey::CycleStamps,
            Command::CopyLine => LogsKey::CopyLine,
            Command::FollowGroup(g) => LogsKey::FollowGroup(g.clone()),
            Command::Pattern(p) => LogsKey::Pattern(p.clone()),
            Command::Since(a) => LogsKey::Since(a.clone()),
            Command::Range(a) => LogsKey::Range(a.clone()),
            Command::Save { path, replace } => LogsKey::Save {
                path: path.clone(),
                replace: *replace,
            },
            Command::Pane(_) | Command::NextPane | Command::PrevPane => return None,
            Command::Filter | Command::Palette | Command::Help | Command::Refresh => return None,
            Command::RolloutAlarms | Command::Rollout | Command::Diff => return None,
            Command::Events | Command::Theme(_) | Command::Context(_) => return None,
            Command::Region(_) | Command::Sort(_) | Command::Budget | Command::Quit => return None,
            Command::Fleet => return None,
            Command::ForceQuit | Command::Promote | Command::Abort => return None,
            Command::Rollback | Command::ForceDeploy | Command::Scale | Command::Build => {
                return None;
            }
            Command::CancelRun | Command::Rerun | Command::Deploy => return None,
            Command::Accept | Command::Cancel | Command::Confirm => return None,
            Command::DeleteChar | Command::Complete | Command::Insert(_) => return None,
            Command::Toggle | Command::OtherTarget | Command::Unknown(_) => return None,
            Command::Exec(_) | Command::FocusTerminal | Command::FullScreen => return None,
            Command::PortForward(_) | Command::Forwards => return None,
            Command::Jobs | Command::StopWatching | Command::StopTask => return None,
            Command::Describe(_) | Command::OpenLink => return None,
            Command::Timeline | Command::Export(_) | Command::Arm => return None,
        })
    }
}

impl Command {
    /// This command as ECS Exec's handler sees it; None for every other command. Every
    /// command is named, so a new one is placed here by the compiler's word.
    pub fn exec_key(&self) -> Option<ExecKey> {
        Some(match self {
            Command::Exec(cmd) => ExecKey::Exec(cmd.clone()),
            Command::FocusTerminal => ExecKey::FocusTerminal,
            Command::FullScreen => ExecKey::FullScreen,
            Command::PortForward(arg) => ExecKey::PortForward(arg.clone()),
            Command::Forwards => ExecKey::Forwards,
            Command::Jobs | Command::StopWatching | Command::StopTask => return None,
            Command::Down | Command::Up | Command::PageDown | Command::PageUp => return None,
            Command::Top | Command::Bottom | Command::Open | Command::Back => return None,
            Command::Pane(_) | Command::NextPane | Command::PrevPane => return None,
            Command::Filter | Command::Palette | Command::Help | Command::Refresh => return None,
            Command::ToggleFollow | Command::ToggleContext | Command::NextMatch => return None,
            Command::PrevMatch | Command::ToggleWrap | Command::CycleStamps => return None,
            Command::CopyLine | Command::FollowGroup(_) | Command::Pattern(_) => return None,
            Command::Since(_) | Command::Range(_) | Command::Save { .. } => return None,
            Command::RolloutAlarms | Command::Rollout | Command::Diff => return None,
            Command::Events | Command::Theme(_) | Command::Context(_) => return None,
            Command::Region(_) | Command::Sort(_) | Command::Budget | Command::Quit => return None,
            Command::Fleet => return None,
            Command::ForceQuit | Command::Promote | Command::Abort => return None,
            Command::Rollback | Command::ForceDeploy | Command::Scale | Command::Build => {
                return None;
            }
            Command::CancelRun | Command::Rerun | Command::Deploy => return None,
            Command::Accept | Command::Cancel | Command::Confirm => return None,
            Command::DeleteChar | Command::Complete | Command::Insert(_) => return None,
            Command::Toggle | Command::OtherTarget | Command::Unknown(_) => return None,
            Command::Describe(_) | Command::OpenLink => return None,
            Command::Timeline | Command::Export(_) | Command::Arm => return None,
        })
    }
}

/// A command as ECS Exec sees it: the exec dialog, the terminal pane, `:pf` and `:forwards`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecKey {
    Exec(Option<String>),
    FocusTerminal,
    FullScreen,
    PortForward(Option<String>),
    Forwards,
}

/// A command as the logs see it: the logs pane's keys, and the palette's logs words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogsKey {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Back,
    ToggleFollow,
    ToggleContext,
    NextMatch,
    PrevMatch,
    ToggleWrap,
    CycleStamps,
    CopyLine,
    FollowGroup(String),
    Pattern(Option<String>),
    Since(Option<String>),
    Range(Option<String>),
    Save { path: Option<String>, replace: bool },
}

/// A command as a prompt, a dialog or an overlay sees it: the keys their layers bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeKey {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Accept,
    Cancel,
    Confirm,
    DeleteChar,
    Complete,
    Insert(char),
    Toggle,
    OtherTarget,
    /// `/` in the describe view: type a search.
    Search,
    NextMatch,
    PrevMatch,
}

/// The input modes, each with its own layer of bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Normal,
    Filter,
    Palette,
    /// Typing a desired count.
    Scale,
    /// A dialog that `y` confirms.
    Confirm,
    /// A production dialog: the service's name is typed, then Enter.
    ConfirmTyped,
    /// Help and detail popups.
    Overlay,
    /// The build dialog: move between fields, edit, send.
    BuildForm,
    /// Typing into a build dialog's field.
    BuildEdit,
    /// The exec dialog: move between fields, choose, type the command, open.
    ExecDialog,
    /// Keys go to the terminal pane's session; only the way out is the console's.
    Terminal,
}

/// What a key not bound in a layer does there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Otherwise {
    Ignore,
    /// A printable character is typed into the prompt.
    Type,
    /// Any other key cancels (a dialog: only its confirm key acts).
    Cancel,
}

/// Where a normal-mode binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Everywhere,
    Pane(Pane),
    /// The rollout view.
    RolloutView,
}

impl Reach {
    pub fn covers(self, pane: Pane) -> bool {
        match self {
            Reach::Everywhere => true,
            Reach::Pane(p) => p == pane,
            Reach::RolloutView => pane == Pane::Rollout,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    /// The keys, with their modifiers (`[keys]` in the config may rebind them).
    pub keys: Vec<Chord>,
    /// How the keys are written in help and footer.
    pub label: String,
    pub command: Command,
    pub help: &'static str,
    pub reach: Reach,
    /// The footer's short word for this binding, if the footer shows it.
    pub hint: Option<&'static str>,
}

/// The palette's words: the names (first is the one shown), whether it takes an argument, the
/// command and what it does.
pub struct Word {
    pub names: &'static [&'static str],
    pub arg: Option<&'static str>,
    pub command: fn(Option<&str>) -> Command,
    pub help: &'static str,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    layers: Vec<(Layer, Vec<Binding>)>,
}

/// Text shown before a layer's hints in the footer, and what unbound keys do there.
fn layer_rules(layer: Layer) -> (&'static str, Otherwise) {
    match layer {
        Layer::Normal | Layer::Overlay => ("", Otherwise::Ignore),
        Layer::Filter | Layer::Palette => ("", Otherwise::Type),
        Layer::Scale => ("digits, ", Otherwise::Type),
        Layer::Confirm => ("", Otherwise::Cancel),
        Layer::ConfirmTyped => ("type the word the dialog shows, then ", Otherwise::Type),
        Layer::BuildForm => ("", Otherwise::Ignore),
        Layer::BuildEdit => ("typing into the field, ", Otherwise::Type),
        Layer::ExecDialog => ("", Otherwise::Type),
        Layer::Terminal => ("typing into the session, ", Otherwise::Ignore),
    }
}

/// Whether a printable key not bound in `layer` is typed into its prompt.
pub(crate) fn types_text(layer: Layer) -> bool {
    layer_rules(layer).1 == Otherwise::Type
}

fn b(
    keys: &[KeyCode],
    label: &str,
    command: Command,
    help: &'static str,
    reach: Reach,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        keys: keys.iter().map(|&k| Chord::from(k)).collect(),
        label: label.to_string(),
        command,
        help,
        reach,
        hint,
    }
}

use KeyCode::*;
use Reach::Everywhere;

#[rustfmt::skip]
fn normal() -> Vec<Binding> {
    vec![
        b(&[Char('1')], "1", Command::Pane(Pane::Services), "services pane", Everywhere, None),
        b(&[Char('2')], "2", Command::Pane(Pane::Tasks), "tasks pane", Everywhere, None),
        b(&[Char('3')], "3", Command::Pane(Pane::Images), "images pane", Everywhere, None),
        b(&[Char('4')], "4", Command::Pane(Pane::Alarms), "alarms pane", Everywhere, None),
        b(&[Char('5')], "5", Command::Pane(Pane::Logs), "logs pane", Everywhere, None),
        b(&[Char('6')], "6", Command::Pane(Pane::Builds), "builds pane", Everywhere, None),
        b(&[Char('0')], "0", Command::Fleet, "fleet view: every context, most urgent first", Everywhere, None),
        b(&[Tab], "Tab", Command::NextPane, "next pane", Everywhere, None),
        b(&[BackTab], "S-Tab", Command::PrevPane, "previous pane", Everywhere, None),
        b(&[Char('j'), Down], "j/↓", Command::Down, "move down", Everywhere, Some("down")),
        b(&[Char('k'), Up], "k/↑", Command::Up, "move up", Everywhere, Some("up")),
        b(&[PageDown, Char('d')], "PgDn/d", Command::PageDown, "page down", Everywhere, None),
        b(&[PageUp, Char('u')], "PgUp/u", Command::PageUp, "page up", Everywhere, None),
        b(&[Char('g'), Home], "g", Command::Top, "go to top", Everywhere, None),
        b(&[Char('G'), End], "G", Command::Bottom, "go to bottom (logs: follow)", Everywhere, None),
        b(&[Enter], "Enter", Command::Open, "open detail / drill down", Everywhere, Some("open")),
        b(&[Esc], "Esc", Command::Back, "back, close, clear filter", Everywhere, Some("back")),
        b(&[Char('/')], "/", Command::Filter, "filter this pane", Everywhere, Some("filter")),
        b(&[Char(':')], ":", Command::Palette, "command palette", Everywhere, Some("command")),
        b(&[Char('?')], "?", Command::Help, "help", Everywhere, Some("help")),
        b(&[Char('r')], "r", Command::Refresh, "refresh now", Everywhere, Some("refresh")),
        b(&[Char('s')], "s", Command::Sort(None), "sort by the next column", Everywhere, None),
        b(&[Char('f')], "f", Command::ToggleFollow, "follow / pause the tail", Reach::Pane(Pane::Logs), Some("follow")),
        b(&[Char('c')], "c", Command::ToggleContext, "context: all lines, matches highlighted", Reach::Pane(Pane::Logs), Some("context")),
        b(&[Char('n')], "n", Command::NextMatch, "next match", Reach::Pane(Pane::Logs), None),
        b(&[Char('N')], "N", Command::PrevMatch, "previous match", Reach::Pane(Pane::Logs), None),
        b(&[Char('w')], "w", Command::ToggleWrap, "wrap long lines", Reach::Pane(Pane::Logs), Some("wrap")),
        b(&[Char('t')], "t", Command::CycleStamps, "timestamps: UTC, local, relative, off", Reach::Pane(Pane::Logs), None),
        b(&[Char('y')], "y", Command::CopyLine, "copy the line (OSC 52)", Reach::Pane(Pane::Logs), None),
        b(&[Char('a')], "a", Command::RolloutAlarms, "alarms of this rollout", Reach::RolloutView, None),
        b(&[Char('e')], "e", Command::Events, "all events of this service (scrollable)", Reach::RolloutView, None),
        b(&[Char('H')], "H", Command::Timeline, "timeline: what changed, and who did it", Reach::RolloutView, Some("timeline")),
        b(&[Char('P')], "P", Command::Promote, "promote the canary of the service", Everywhere, Some("promote")),
        b(&[Char('A')], "A", Command::Abort, "abort the rollout of the service", Everywhere, Some("abort")),
        b(&[Char('R')], "R", Command::Rollback, "roll back the service", Everywhere, Some("roll back")),
        b(&[Char('F')], "F", Command::ForceDeploy, "force a new deployment", Everywhere, Some("force")),
        b(&[Char('S')], "S", Command::Scale, "scale (type the desired count)", Everywhere, Some("scale")),
        b(&[Char('B')], "B", Command::Build, "start a build (GitHub Actions workflow_dispatch)", Everywhere, None),
        b(&[Char('X')], "X", Command::CancelRun, "cancel the run (builds pane)", Everywhere, None),
        b(&[Char('T')], "T", Command::Rerun, "rerun the run's failed jobs (builds pane)", Everywhere, None),
        b(&[Char('D')], "D", Command::Deploy, "deploy the run's image, or the selected image", Everywhere, None),
        b(&[Char('E')], "E", Command::Exec(None), "exec: a shell in a container of the task (ECS Exec)", Everywhere, None),
        b(&[Char('I')], "I", Command::FocusTerminal, "type into the terminal pane (Ctrl-] leaves)", Everywhere, None),
        b(&[Char('Z')], "Z", Command::FullScreen, "the terminal pane's session full screen (Ctrl-] comes back)", Everywhere, None),
        b(&[Char('v')], "v", Command::Describe(None), "describe: the selection as the API returned it (/ searches)", Everywhere, None),
        b(&[Char('o')], "o", Command::OpenLink, "open the selection's AWS console or GitHub page", Everywhere, None),
        b(&[Char('x')], "x", Command::StopWatching, "stop watching the service's job (undoes no call)", Everywhere, None),
        b(&[Char('K')], "K", Command::StopTask, "stop the selected task (ECS StopTask)", Everywhere, None),
        b(&[Char('q')], "q", Command::Quit, "quit", Everywhere, Some("quit")),
    ]
}

#[rustfmt::skip]
fn modal(layer: Layer) -> Vec<Binding> {
    let e = Everywhere;
    match layer {
        Layer::Normal => normal(),
        Layer::Filter => vec![
            b(&[Enter], "Enter", Command::Accept, "keep the filter", e, Some("keep")),
            b(&[Esc], "Esc", Command::Cancel, "clear the filter", e, Some("clear")),
            b(&[Backspace], "Backspace", Command::DeleteChar, "delete a character", e, None),
            b(&[Up], "↑", Command::Up, "an earlier filter", e, None),
            b(&[Down], "↓", Command::Down, "a later filter", e, None),
        ],
        Layer::Palette => vec![
            b(&[Enter], "Enter", Command::Accept, "run the command", e, Some("run")),
            b(&[Tab], "Tab", Command::Complete, "complete the command", e, Some("complete")),
            b(&[Esc], "Esc", Command::Cancel, "close the palette", e, Some("cancel")),
            b(&[Backspace], "Backspace", Command::DeleteChar, "delete a character", e, None),
        ],
        Layer::Scale => vec![
            b(&[Enter], "Enter", Command::Accept, "plan the scale", e, Some("")),
            b(&[Esc], "Esc", Command::Cancel, "cancel", e, Some("cancel")),
            b(&[Backspace], "Backspace", Command::DeleteChar, "delete a digit", e, None),
        ],
        Layer::Confirm => vec![
            b(&[Char('y')], "y", Command::Confirm, "confirm", e, Some("confirm")),
            b(&[Char('n'), Esc], "n / Esc", Command::Cancel, "cancel", e, None),
            b(&[Tab], "Tab", Command::OtherTarget, "deploy: the next target", e, None),
        ],
        Layer::ConfirmTyped => vec![
            b(&[Enter], "Enter", Command::Confirm, "confirm", e, Some("")),
            b(&[Esc], "Esc", Command::Cancel, "cancel", e, Some("cancel")),
            b(&[Backspace], "Backspace", Command::DeleteChar, "delete a character", e, None),
            b(&[Tab], "Tab", Command::OtherTarget, "deploy: the next target", e, None),
        ],
        Layer::BuildForm => vec![
            b(&[Char('y')], "y", Command::Confirm, "send", e, Some("send")),
            b(&[Tab, Down, Char('j')], "Tab/↓", Command::Down, "next field", e, Some("next field")),
            b(&[BackTab, Up, Char('k')], "S-Tab/↑", Command::Up, "previous field", e, None),
            b(&[Enter], "Enter", Command::Accept, "edit the field (a choice or boolean: next value)", e, Some("edit")),
            b(&[Char(' ')], "Space", Command::Toggle, "next value (choice, boolean)", e, None),
            b(&[Esc, Char('n')], "Esc", Command::Cancel, "cancel", e, Some("cancel")),
        ],
        Layer::BuildEdit => vec![
            b(&[Enter], "Enter", Command::Accept, "done", e, Some("done")),
            b(&[Esc], "Esc", Command::Cancel, "done", e, None),
            b(&[Backspace], "Backspace", Command::DeleteChar, "delete a character", e, None),
        ],
        Layer::ExecDialog | Layer::Terminal => exec_layer(layer),
        Layer::Overlay => overlay(),
    }
}

/// The overlays' keys: close, scroll where the overlay scrolls (the diff, the events,
/// `:describe`), and the describe view's own.
#[rustfmt::skip]
fn overlay() -> Vec<Binding> {
    let e = Everywhere;
    vec![
        b(&[Esc, Char('q'), Char('?'), Enter], "Esc", Command::Cancel, "close", e, Some("close")),
        b(&[Char('j'), Down], "j/↓", Command::Down, "scroll down", e, None),
        b(&[Char('k'), Up], "k/↑", Command::Up, "scroll up", e, None),
        b(&[PageDown, Char('d')], "PgDn/d", Command::PageDown, "page down", e, None),
        b(&[PageUp, Char('u')], "PgUp/u", Command::PageUp, "page up", e, None),
        b(&[Char('g'), Home], "g", Command::Top, "go to top", e, None),
        b(&[Char('x')], "x", Command::StopWatching, "stop watching the selected job (:jobs)", e, None),
    ]
    .into_iter()
    .chain(describe_search())
    .collect()
}

/// The describe view's keys beyond scrolling: its end, and its search.
#[rustfmt::skip]
fn describe_search() -> Vec<Binding> {
    let e = Everywhere;
    vec![
        b(&[Char('G'), End], "G", Command::Bottom, "go to the end (describe)", e, None),
        b(&[Char('/')], "/", Command::Filter, "search (describe)", e, None),
        b(&[Char('n')], "n", Command::NextMatch, "next match (describe)", e, None),
        b(&[Char('N')], "N", Command::PrevMatch, "previous match (describe)", e, None),
    ]
}

/// The exec dialog's keys, and the terminal pane's one key of its own.
#[rustfmt::skip]
fn exec_layer(layer: Layer) -> Vec<Binding> {
    let e = Everywhere;
    match layer {
        Layer::ExecDialog => vec![
            b(&[Enter], "Enter", Command::Confirm, "open the session", e, Some("open")),
            b(&[Tab, Down], "Tab/↓", Command::Down, "next field", e, Some("next field")),
            b(&[BackTab, Up], "S-Tab/↑", Command::Up, "previous field", e, None),
            b(&[Right, Left], "←/→", Command::Toggle, "next task, container, or pane / full screen (Space too)", e, Some("choose")),
            b(&[Backspace], "Backspace", Command::DeleteChar, "delete a character of the command", e, None),
            b(&[Esc], "Esc", Command::Cancel, "cancel", e, Some("cancel")),
        ],
        Layer::Terminal => vec![
            b(&[], "Ctrl-]", Command::Back, "back to the console's keys (the session goes on)", e, Some("console keys")),
        ],
        _ => Vec::new(),
    }
}

impl Default for Keymap {
    fn default() -> Self {
        let layers = [
            Layer::Normal,
            Layer::Filter,
            Layer::Palette,
            Layer::Scale,
            Layer::Confirm,
            Layer::ConfirmTyped,
            Layer::Overlay,
            Layer::BuildForm,
            Layer::BuildEdit,
            Layer::ExecDialog,
            Layer::Terminal,
        ];
        Self {
            layers: layers.into_iter().map(|l| (l, modal(l))).collect(),
        }
    }
}

/// Ctrl-C always quits, whatever mode the console is in.
pub fn is_interrupt(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == Char('c')
}

impl Keymap {
    /// A layer's bindings, for `[keys]` in the config to change (`keys::overrides`).
    pub(crate) fn layer_mut(&mut self, layer: Layer) -> Option<&mut Vec<Binding>> {
        self.layers
            .iter_mut()
            .find(|(l, _)| *l == layer)
            .map(|(_, b)| b)
    }

    pub fn layer(&self, layer: Layer) -> &[Binding] {
        self.layers
            .iter()
            .find(|(l, _)| *l == layer)
            .map_or(&[], |(_, b)| b.as_slice())
    }

    /// How the help writes the first key of `command` in `layer`, for messages that name a key
    /// ("q again to quit"): the key in effect, after `[keys]` in the config.
    pub fn key_for(&self, layer: Layer, command: &Command) -> String {
        self.layer(layer)
            .iter()
            .find(|b| b.command == *command)
            .and_then(|b| b.keys.first())
            .map_or_else(|| "(no key)".into(), Chord::label)
    }

    /// The normal layer: the bindings the help lists.
    pub fn normal(&self) -> &[Binding] {
        self.layer(Layer::Normal)
    }

    /// What `key` means in `layer` on `pane`, or None when it means nothing there.
    pub fn lookup(&self, layer: Layer, key: &KeyEvent, pane: Pane) -> Option<Command> {
        if is_interrupt(key) {
            return Some(Command::ForceQuit);
        }
        let chord = Chord::of(key);
        let bound = self
            .layer(layer)
            .iter()
            .filter(|b| b.reach.covers(pane))
            .find(|b| b.keys.contains(&chord))
            .map(|b| b.command.clone());
        if bound.is_some() || !chord.mods.is_empty() {
            return bound;
        }
        match (layer_rules(layer).1, key.code) {
            (Otherwise::Type, Char(c)) => Some(Command::Insert(c)),
            (Otherwise::Cancel, _) => Some(Command::Cancel),
            _ => None,
        }
    }

    /// The footer's hints for `layer` on `pane`: the bindings that carry a hint word.
    pub fn hints(&self, layer: Layer, pane: Pane) -> impl Iterator<Item = &Binding> {
        self.layer(layer)
            .iter()
            .filter(move |b| b.hint.is_some() && b.reach.covers(pane))
    }

    /// A mode's footer line: its lead text, then `key word` for each hinted binding.
    pub fn mode_hints(&self, layer: Layer) -> String {
        let hints: Vec<String> = self
            .hints(layer, Pane::Services)
            .map(|b| match b.hint {
                Some("") | None => b.label.clone(),
                Some(h) => format!("{} {h}", b.label),
            })
            .collect();
        let tail = if layer_rules(layer).1 == Otherwise::Cancel {
            " · any other key cancels"
        } else {
            ""
        };
        format!("{}{}{tail}", layer_rules(layer).0, hints.join(" · "))
    }
}

/// The palette's words, in the order its suggestions list them.
pub const WORDS: &[Word] = &[
    Word {
        names: &["svc", "services", "service"],
        arg: None,
        command: |_| Command::Pane(Pane::Services),
        help: "services pane",
    },
    Word {
        names: &["tasks", "task"],
        arg: None,
        command: |_| Command::Pane(Pane::Tasks),
        help: "tasks pane",
    },
    Word {
        names: &["images", "image", "img"],
        arg: None,
        command: |_| Command::Pane(Pane::Images),
        help: "images pane",
    },
    Word {
        names: &["alarms", "alarm"],
        arg: None,
        command: |_| Command::Pane(Pane::Alarms),
        help: "alarms pane",
    },
    Word {
        names: &["logs", "log"],
        arg: Some("[GROUP]"),
        command: |a| match a {
            Some(group) => Command::FollowGroup(group.to_string()),
            None => Command::Pane(Pane::Logs),
        },
        help: "logs pane; with a log group's name, follow that group",
    },
    Word {
        names: &["pattern"],
        arg: Some("[PATTERN]"),
        command: |a| Command::Pattern(a.map(str::to_string)),
        help: "logs: CloudWatch filter pattern applied by AWS, e.g. { $.level = \"error\" }",
    },
    Word {
        names: &["since"],
        arg: Some("5m|15m|1h|6h|24h"),
        command: |a| Command::Since(a.map(str::to_string)),
        help: "logs: load the lines since then, and follow on",
    },
    Word {
        names: &["range"],
        arg: Some("FROM [TO]"),
        command: |a| Command::Range(a.map(str::to_string)),
        help: "logs: load one time window (UTC, e.g. 14:00 14:30, or 2h 1h ago)",
    },
    Word {
        names: &["save"],
        arg: Some("PATH"),
        command: |a| Command::Save {
            path: a.map(str::to_string),
            replace: false,
        },
        help: "logs: write the kept lines, with their tags, to a new file (0600)",
    },
    Word {
        names: &["save!"],
        arg: Some("PATH"),
        command: |a| Command::Save {
            path: a.map(str::to_string),
            replace: true,
        },
        help: "logs: the same, replacing the file if it exists (never through a symlink)",
    },
    Word {
        names: &["builds", "build", "runs"],
        arg: None,
        command: |_| Command::Pane(Pane::Builds),
        help: "builds pane",
    },
    Word {
        names: &["rollout"],
        arg: None,
        command: |_| Command::Rollout,
        help: "rollout view of the selected service",
    },
    Word {
        names: &["diff"],
        arg: None,
        command: |_| Command::Diff,
        help: "task-definition diff of the service's revisions",
    },
    Word {
        names: &["events"],
        arg: None,
        command: |_| Command::Events,
        help: "all events of the service (scrollable)",
    },
    Word {
        names: &["timeline"],
        arg: None,
        command: |_| Command::Timeline,
        help: "the service's history in time order: commits, runs, images, deploys, alarms, actions",
    },
    Word {
        names: &["export"],
        arg: Some("timeline [PATH][!]"),
        command: |a| Command::Export(a.map(str::to_string)),
        help: "write the timeline as a Markdown post-mortem draft (! replaces the file)",
    },
    Word {
        names: &["exec"],
        arg: Some("[COMMAND]"),
        command: |a| Command::Exec(a.map(str::to_string)),
        help: "a shell (or COMMAND) in a container of the selected task or service (ECS Exec)",
    },
    Word {
        names: &["pf", "port-forward"],
        arg: Some("NAME | SERVICE PORT [LOCAL] | stop NAME"),
        command: |a| Command::PortForward(a.map(str::to_string)),
        help: "forward a local port to a port of the service's task (or a [[forward]] by name)",
    },
    Word {
        names: &["arm"],
        arg: None,
        command: |_| Command::Arm,
        help: "arm the service's [[policy]] for this rollout: it promotes on PASS or aborts on FAIL",
    },
    Word {
        names: &["describe", "desc"],
        arg: Some("[taskdef]"),
        command: |a| Command::Describe(a.map(str::to_string)),
        help: "the selection (or its task definition) as the API returned it: JSON, or XML",
    },
    Word {
        names: &["forwards"],
        arg: None,
        command: |_| Command::Forwards,
        help: "the port forwards: state, task, local port, connections, bytes",
    },
    Word {
        names: &["theme"],
        arg: Some("NAME"),
        command: |a| Command::Theme(a.map(str::to_string)),
        help: "switch theme",
    },
    Word {
        names: &["ctx", "context"],
        arg: Some("NAME"),
        command: |a| Command::Context(a.map(str::to_string)),
        help: "switch context (Tab completes the name)",
    },
    Word {
        names: &["region"],
        arg: Some("NAME"),
        command: |a| Command::Region(a.map(str::to_string)),
        help: "this context in another region",
    },
    Word {
        names: &["sort"],
        arg: Some("COLUMN [desc]"),
        command: sort_word,
        help: "sort this pane by a column",
    },
    Word {
        names: &["fleet"],
        arg: None,
        command: |_| Command::Fleet,
        help: "every context's row: hooks waiting, failing rollouts, alarms; / finds a service",
    },
    Word {
        names: &["jobs"],
        arg: None,
        command: |_| Command::Jobs,
        help: "this session's jobs here: calls, phase, outcome, duration, who (x stops watching one)",
    },
    Word {
        names: &["stop"],
        arg: None,
        command: |_| Command::StopTask,
        help: "stop the selected task (ECS StopTask, with a reason naming deckwatch and you)",
    },
    Word {
        names: &["budget"],
        arg: None,
        command: |_| Command::Budget,
        help: "API calls per minute, what waited, what was throttled",
    },
    Word {
        names: &["help"],
        arg: None,
        command: |_| Command::Help,
        help: "key help",
    },
    Word {
        names: &["q", "quit", "q!"],
        arg: None,
        command: |_| Command::Quit,
        help: "quit",
    },
];

/// `:sort COLUMN [desc]`: the rest of the line after the word.
fn sort_word(arg: Option<&str>) -> Command {
    Command::Sort(arg.map(|a| {
        let a = a.trim();
        match a.strip_suffix(" desc").or_else(|| a.strip_suffix(" asc")) {
            Some(col) => (col.trim().to_string(), a.ends_with(" desc")),
            None => (a.to_string(), false),
        }
    }))
}

impl Word {
    /// `theme NAME`: the word as the palette and the help show it.
    pub fn usage(&self) -> String {
        match self.arg {
            Some(a) => format!("{} {a}", self.names[0]),
            None => self.names[0].to_string(),
        }
    }
}

/// The command a palette line asks for. The argument is the rest of the line, so a pattern
/// or a range keeps its spaces.
pub fn palette_command(line: &str) -> Option<Command> {
    let line = line.trim();
    let (name, arg) = match line.split_once(char::is_whitespace) {
        Some((n, a)) => (n, Some(a.trim()).filter(|a| !a.is_empty())),
        None => (line, None),
    };
    if name.is_empty() {
        return None;
    }
    Some(
        WORDS
            .iter()
            .find(|w| w.names.contains(&name))
            .map_or_else(|| Command::Unknown(name.to_string()), |w| (w.command)(arg)),
    )
}

/// The words whose shown name starts with what was typed.
pub fn suggestions(typed: &str) -> impl Iterator<Item = &'static Word> {
    let word = typed.split_whitespace().next().unwrap_or("").to_string();
    WORDS
        .iter()
        .filter(move |w| w.names[0].starts_with(word.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_a_prompt_a_dialog_or_an_overlay_is_a_mode_key() {
        let map = Keymap::default();
        for (layer, bindings) in map.layers.iter().filter(|(l, _)| *l != Layer::Normal) {
            for b in bindings {
                // Ctrl-C quits from every mode, before any mode sees it; the terminal pane's
                // keys go to its session, but for its way out, which the terminal mode takes.
                let way_out = *layer == Layer::Terminal && b.command == Command::Back;
                // `:jobs` takes its `x` before the overlay's keys (`jobs_view::stop_key`).
                let jobs_x = *layer == Layer::Overlay && b.command == Command::StopWatching;
                if b.command != Command::ForceQuit && !way_out && !jobs_x {
                    assert!(
                        b.command.mode_key().is_some(),
                        "{:?} in {layer:?} would mean nothing there",
                        b.command
                    );
                }
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_where_it_applies() {
        let map = Keymap::default();
        for (layer, bindings) in &map.layers {
            for pane in Pane::ALL {
                let mut seen = Vec::new();
                for b in bindings.iter().filter(|b| b.reach.covers(pane)) {
                    for k in &b.keys {
                        assert!(
                            !seen.contains(k),
                            "{k:?} bound twice in {layer:?} on {pane:?}"
                        );
                        seen.push(*k);
                    }
                }
            }
        }
    }

    #[test]
    fn the_mode_hints_read_as_before() {
        let map = Keymap::default();
        assert_eq!(map.mode_hints(Layer::Filter), "Enter keep · Esc clear");
        assert_eq!(
            map.mode_hints(Layer::Palette),
            "Enter run · Tab complete · Esc cancel"
        );
        assert_eq!(map.mode_hints(Layer::Overlay), "Esc close");
        assert_eq!(
            map.mode_hints(Layer::Confirm),
            "y confirm · any other key cancels"
        );
        assert_eq!(map.mode_hints(Layer::Scale), "digits, Enter · Esc cancel");
        assert_eq!(
            map.mode_hints(Layer::ConfirmTyped),
            "type the word the dialog shows, then Enter · Esc cancel"
        );
    }

    #[test]
    fn palette_words_and_keys_reach_the_same_commands() {
        assert_eq!(palette_command("q"), Some(Command::Quit));
        assert_eq!(palette_command("quit"), Some(Command::Quit));
        assert_eq!(palette_command("img"), Some(Command::Pane(Pane::Images)));
        assert_eq!(
            palette_command("theme light"),
            Some(Command::Theme(Some("light".into())))
        );
        assert_eq!(
            palette_command("nope"),
            Some(Command::Unknown("nope".into()))
        );
        assert_eq!(palette_command("  "), None);
        assert_eq!(
            palette_command("pattern { $.level = \"error\" }"),
            Some(Command::Pattern(Some("{ $.level = \"error\" }".into())))
        );
        assert_eq!(palette_command("logs"), Some(Command::Pane(Pane::Logs)));
        assert_eq!(
            palette_command("logs /aws/lambda/x"),
            Some(Command::FollowGroup("/aws/lambda/x".into()))
        );
        let q = KeyEvent::new(Char('q'), KeyModifiers::NONE);
        let map = Keymap::default();
        assert_eq!(
            map.lookup(Layer::Normal, &q, Pane::Services),
            Some(Command::Quit)
        );
        assert_eq!(
            map.lookup(Layer::Filter, &q, Pane::Services),
            Some(Command::Insert('q'))
        );
        assert_eq!(
            map.lookup(Layer::Confirm, &q, Pane::Services),
            Some(Command::Cancel)
        );
    }
}
