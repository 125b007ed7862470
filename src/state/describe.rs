//! `:describe` (and its key): the selected service, task, task definition, image, alarm or run
//! as the API returned it, scrollable, searchable with `/` (`n`/`N` move between the matching
//! lines). The describe call is made on demand, by the loop, and its answer comes back as
//! `Msg::Described` with the generation of the request, so a late answer to a view closed
//! since never shows in another.

use crate::keys::{Command, ModeKey};
use crate::model::{ApiError, DescribeTarget, Pane, RawDoc};
use crate::state::{Effect, Mode, State};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeView {
    pub target: DescribeTarget,
    /// Which request this view waits for.
    pub generation: u64,
    /// None while the call has not answered.
    pub doc: Option<Result<RawDoc, ApiError>>,
    /// The first line shown.
    pub scroll: usize,
    /// What `/` searches for (ASCII case ignored).
    pub query: String,
    /// The lines that match, in order.
    pub matches: Vec<usize>,
    /// Which of `matches` `n`/`N` is on.
    pub current: Option<usize>,
}

impl DescribeView {
    fn lines(&self) -> &[String] {
        match &self.doc {
            Some(Ok(doc)) => &doc.lines,
            _ => &[],
        }
    }

    /// The line `n`/`N` is on.
    pub fn current_line(&self) -> Option<usize> {
        self.current.and_then(|i| self.matches.get(i).copied())
    }

    fn research(&mut self) {
        let query = &self.query;
        let hit = |(i, l): (usize, &String)| (!match_ranges(l, query).is_empty()).then_some(i);
        self.matches = self.lines().iter().enumerate().filter_map(hit).collect();
        // The first match at or below the top of the view, as a search in a pager does.
        let from = self.scroll;
        self.current = (!self.matches.is_empty())
            .then(|| self.matches.iter().position(|&l| l >= from).unwrap_or(0));
        self.show_current();
    }

    fn step_match(&mut self, forward: bool) {
        let n = self.matches.len();
        if n == 0 {
            return;
        }
        self.current = Some(match (self.current, forward) {
            (None, _) => 0,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        });
        self.show_current();
    }

    /// Scrolls so the current match is the view's first line, unless it is already in sight
    /// near the top (the drawing clamps the scroll to the document's end).
    fn show_current(&mut self) {
        if let Some(line) = self.current_line() {
            self.scroll = line.saturating_sub(2);
        }
    }
}

/// Where `query` occurs in `line`, ignoring ASCII case, as byte ranges (at character
/// boundaries: ASCII case folding keeps every byte where it was).
pub fn match_ranges(line: &str, query: &str) -> Vec<(usize, usize)> {
    if query.is_empty() {
        return Vec::new();
    }
    let (hay, needle) = (line.to_ascii_lowercase(), query.to_ascii_lowercase());
    hay.match_indices(&needle)
        .map(|(s, m)| (s, s + m.len()))
        .collect()
}

/// What `:describe [taskdef]` describes on the pane on screen, or why nothing.
fn target(state: &State, arg: Option<&str>) -> Result<DescribeTarget, &'static str> {
    // The rollout view is about its service: its tasks are shown, not selected.
    let task = || match state.ctx.pane {
        Pane::Tasks => state.ctx.tasks.selected_item(),
        Pane::Services
        | Pane::Images
        | Pane::Alarms
        | Pane::Logs
        | Pane::Builds
        | Pane::Timeline
        | Pane::Rollout => None,
    };
    if matches!(arg, Some("taskdef" | "td" | "task-definition")) {
        let td = task()
            .map(|t| t.task_def.clone())
            .or_else(|| state.ctx.action_target().map(|s| s.task_def.clone()));
        return td
            .map(DescribeTarget::TaskDef)
            .ok_or("select a service or a task to describe its task definition");
    }
    if let Some(t) = task() {
        return Ok(DescribeTarget::Task {
            cluster: t.cluster.clone(),
            arn: t.arn.clone(),
        });
    }
    match state.ctx.pane {
        Pane::Services | Pane::Rollout => state
            .ctx
            .action_target()
            .map(|s| DescribeTarget::Service(s.key())),
        Pane::Images => state
            .ctx
            .images
            .selected_item()
            .map(|i| DescribeTarget::Image {
                repository: i.repository.clone(),
                digest: i.digest.clone(),
            }),
        Pane::Alarms => state
            .ctx
            .alarms
            .selected_item()
            .map(|a| DescribeTarget::Alarm(a.name.clone())),
        Pane::Builds => state.run_target().map(|r| DescribeTarget::Run(r.key())),
        Pane::Tasks | Pane::Logs | Pane::Timeline => None,
    }
    .ok_or("nothing selected to describe here (services, tasks, images, alarms, runs)")
}

/// Opens the view and asks the loop for the describe call.
pub(crate) fn open(state: &mut State, arg: Option<&str>, effects: &mut Vec<Effect>) {
    let target = match target(state, arg) {
        Ok(t) => t,
        Err(why) => return state.flash(why),
    };
    let generation = state.describe.as_ref().map_or(1, |d| d.generation + 1);
    effects.push(Effect::Describe(generation, target.clone()));
    state.describe = Some(DescribeView {
        target,
        generation,
        doc: None,
        scroll: 0,
        query: String::new(),
        matches: Vec::new(),
        current: None,
    });
    state.mode = Mode::Describe;
}

/// The describe call answered.
pub(crate) fn answered(state: &mut State, generation: u64, doc: Result<RawDoc, ApiError>) {
    if let Some(view) = state
        .describe
        .as_mut()
        .filter(|v| v.generation == generation)
    {
        view.doc = Some(doc);
        view.research();
        state.dirty = true;
    }
}

/// The view's keys: scroll, `/` to search, `n`/`N`, Esc to close.
pub(crate) fn on_view(state: &mut State, command: Command) {
    let Some(key) = command.mode_key() else {
        return;
    };
    let page = (state.viewport.list_rows as usize).max(1);
    // How far the last frame said the document may scroll.
    let limit = state.viewport.overlay_limit;
    if key == ModeKey::Cancel {
        state.mode = Mode::Normal;
        return;
    }
    if key == ModeKey::Search {
        state.mode = Mode::DescribeSearch;
        if let Some(v) = state.describe.as_mut() {
            v.query.clear();
            v.research();
        }
        return;
    }
    let Some(v) = state.describe.as_mut() else {
        return;
    };
    let s = &mut v.scroll;
    match key {
        ModeKey::Down => *s = s.saturating_add(1),
        ModeKey::Up => *s = s.saturating_sub(1),
        ModeKey::PageDown => *s = s.saturating_add(page),
        ModeKey::PageUp => *s = s.saturating_sub(page),
        ModeKey::Top => *s = 0,
        ModeKey::Bottom => *s = limit,
        ModeKey::NextMatch => v.step_match(true),
        ModeKey::PrevMatch => v.step_match(false),
        // Cancel and Search are taken above.
        ModeKey::Cancel | ModeKey::Search | ModeKey::Accept | ModeKey::Confirm => {}
        ModeKey::DeleteChar | ModeKey::Complete | ModeKey::Insert(_) => {}
        ModeKey::Toggle | ModeKey::OtherTarget => {}
    }
    v.scroll = v.scroll.min(limit);
}

/// Typing the search: each key searches again; Enter keeps it, Esc clears it.
pub(crate) fn on_search(state: &mut State, command: Command) {
    let Some(v) = state.describe.as_mut() else {
        state.mode = Mode::Normal;
        return;
    };
    let Some(key) = command.mode_key() else {
        return;
    };
    match key {
        ModeKey::Accept => state.mode = Mode::Describe,
        ModeKey::Cancel => {
            v.query.clear();
            v.research();
            state.mode = Mode::Describe;
        }
        ModeKey::DeleteChar => {
            v.query.pop();
            v.research();
        }
        ModeKey::Insert(c) => {
            v.query.push(c);
            v.research();
        }
        ModeKey::Down | ModeKey::Up | ModeKey::PageDown | ModeKey::PageUp => {}
        ModeKey::Top | ModeKey::Bottom | ModeKey::Confirm | ModeKey::Complete => {}
        ModeKey::Toggle | ModeKey::OtherTarget | ModeKey::Search => {}
        ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
}
