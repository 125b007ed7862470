//! The fleet view (`0`, `:fleet`): one row per context (account × region), sorted by urgency,
//! `Enter` to go there (the `:ctx` switch), `/` to find a service in every context by name,
//! image tag or commit sha. The contexts off screen are read by the fleet worker at the
//! fleet's slow rate (free calls only) and arrive as `Msg::Fleet`; the one on screen is
//! counted from its own panes, so its row is as fresh as they are. It is counted by the
//! reducer when its services or alarms change (or a switch brings another), never by a frame:
//! a draw only reads and sorts the rows.

use crate::keys::{Command, ModeKey};
use crate::model::cost::Total;
use crate::model::fleet::{Figures, Findable, figures};
use crate::model::{ApiError, At, ServiceKey};
use crate::state::{Effect, Mode, Pane, State, Target, contexts};
use std::cmp::Reverse;

/// What the fleet worker read of one context off screen.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetRead {
    pub account: String,
    pub region: String,
    pub figures: Figures,
    /// The estimated cost of its services, from the prices cached on disk; None: not known.
    pub cost: Option<Total>,
    pub found: Vec<Findable>,
}

/// One read of one context off screen, or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetReport {
    pub target: Target,
    pub at: At,
    pub read: Result<FleetRead, ApiError>,
    /// When its credentials expire, if they do.
    pub expiry: Option<At>,
}

/// A context of the fleet, as last read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Member {
    pub target: Target,
    pub account: String,
    pub region: String,
    pub figures: Option<Figures>,
    /// The estimated cost, as last read; None: not known.
    pub cost: Option<Total>,
    pub found: Vec<Findable>,
    /// When the figures were read.
    pub read_at: Option<At>,
    /// The last read's failure, shown over the figures before it.
    pub error: Option<ApiError>,
    pub expiry: Option<At>,
}

/// A service the fleet view's `Enter` goes to: selected in the services pane, and its rollout
/// view opened when the row was urgent because of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focus {
    pub service: ServiceKey,
    pub rollout: bool,
}

/// A service the search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub target: Target,
    pub cluster: String,
    pub service: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetView {
    pub members: Vec<Member>,
    /// The contexts off screen are polled (`[fleet]` in the config, or the demo); else only
    /// the one on screen has figures.
    pub polled: bool,
    /// The row selected, in the sorted order.
    pub selected: usize,
    /// What `/` searches for; the hits, once asked.
    pub query: String,
    pub hits: Option<Vec<Hit>>,
    /// Something the view must say about where its contexts come from (an SSO session still
    /// being listed, or one that could not be; profiles that could not be read).
    pub note: Option<String>,
    /// The on-screen context's figures, as last counted.
    pub here: Here,
}

/// The figures of the context on screen, counted from its panes when they change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Here {
    /// The context (and switch) they were counted for: another one is counted again.
    pub target: Target,
    /// None until its services are read.
    pub figures: Option<Figures>,
    /// Its cost estimate: None until its services and prices are read.
    pub cost: Option<Total>,
}

impl FleetView {
    pub fn new(targets: Vec<Target>, polled: bool) -> Self {
        let members = targets
            .into_iter()
            .map(|target| Member {
                target,
                ..Member::default()
            })
            .collect();
        Self {
            members,
            polled,
            ..Self::default()
        }
    }
}

/// One row as the view shows it: the member, with the on-screen context's figures counted
/// from its panes.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub member: &'a Member,
    pub on_screen: bool,
    pub account: &'a str,
    pub region: &'a str,
    pub figures: Option<Figures>,
    pub cost: Option<Total>,
    pub read_at: Option<At>,
    pub error: Option<&'a ApiError>,
    pub expiry: Option<At>,
}

impl Row<'_> {
    /// Where it sorts: `Figures::urgency`, with a context that could not be read after the
    /// ones with alarms, and one not read yet last.
    fn rank(&self) -> (u8, At, Reverse<usize>) {
        match (&self.figures, self.error) {
            (Some(f), _) => {
                let (r, at, n) = f.urgency();
                (r * 2, at, n)
            }
            (None, Some(_)) => (5, At(0), Reverse(0)),
            (None, None) => (20, At(0), Reverse(0)),
        }
    }
}

/// Every context's row, most urgent first.
pub fn rows(state: &State) -> Vec<Row<'_>> {
    let here = &state.ctx;
    let mut rows: Vec<Row> = state
        .fleet
        .members
        .iter()
        .map(|m| {
            if !m.target.same_place(&here.target) {
                return Row {
                    member: m,
                    on_screen: false,
                    account: &m.account,
                    region: &m.region,
                    figures: m.figures.clone(),
                    cost: m.cost,
                    read_at: m.read_at,
                    error: m.error.as_ref(),
                    expiry: m.expiry,
                };
            }
            let read_at = here.services.fetched_at;
            let counted = &state.fleet.here;
            let current = counted.target == here.target;
            Row {
                member: m,
                on_screen: true,
                account: &here.info.account,
                region: &here.info.region,
                figures: counted.figures.clone().filter(|_| current),
                cost: counted.cost.filter(|_| current),
                read_at,
                error: here.services.error.as_ref(),
                expiry: here.credentials_expiry,
            }
        })
        .collect();
    // Each row's key once, not a label formatted twice per comparison on every frame.
    rows.sort_by_cached_key(|r| (r.rank(), r.member.target.label()));
    rows
}

/// Counts the on-screen context's row again when what it is counted from changed (`changed`:
/// its services, alarms or prices arrived), a switch brought another context, or, on the clock's
/// tick, a failure counted in the last hour may have aged out of it.
pub(super) fn recount(state: &mut State, changed: bool, ticked: bool) {
    let counted = &state.fleet.here;
    let switched = counted.target != state.ctx.target;
    let aging = ticked
        && counted
            .figures
            .as_ref()
            .is_some_and(|f| f.failed_recently > 0);
    if !(changed || switched || aging) {
        return;
    }
    let here = &state.ctx;
    // Without a row of its own (no fleet), nothing shows them: not counted.
    let shown = state
        .fleet
        .members
        .iter()
        .any(|m| m.target.same_place(&here.target));
    let figures = here
        .services
        .fetched_at
        .filter(|_| shown)
        .map(|_| figures(&here.services.items, &here.alarms.items, state.now));
    let cost = here
        .services
        .fetched_at
        .filter(|_| shown)
        .and_then(|_| here.cost_total());
    let fresh = Here {
        target: here.target.clone(),
        figures,
        cost,
    };
    if state.fleet.here != fresh {
        state.fleet.here = fresh;
        state.dirty |= matches!(state.mode, Mode::Fleet | Mode::FleetSearch);
    }
}

/// What the other contexts need, for every pane's header: `1 hook 3m, 2 alarms` (the soonest
/// hook's time left); None when nothing off screen needs attention.
pub fn badge(state: &State) -> Option<String> {
    let mut sum = Figures::default();
    for m in &state.fleet.members {
        let Some(f) = m
            .figures
            .as_ref()
            .filter(|_| !m.target.same_place(&state.ctx.target))
        else {
            continue;
        };
        sum.hooks += f.hooks;
        sum.failing += f.failing;
        sum.firing += f.firing;
        if let Some(at) = f.hook_expires {
            sum.hook_expires = Some(sum.hook_expires.map_or(at, |e| e.min(at)));
        }
    }
    let mut parts = Vec::new();
    if sum.hooks > 0 {
        let left = sum
            .hook_expires
            .map(|at| format!(" {}", crate::model::text::short_span(at - state.now)))
            .unwrap_or_default();
        parts.push(format!("{} {}{left}", sum.hooks, plural(sum.hooks, "hook")));
    }
    if sum.failing > 0 {
        parts.push(format!("{} failing", sum.failing));
    }
    if sum.firing > 0 {
        parts.push(format!("{} {}", sum.firing, plural(sum.firing, "alarm")));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// A read of a context off screen arrived.
pub(super) fn on_report(state: &mut State, report: FleetReport) {
    let Some(m) = state
        .fleet
        .members
        .iter_mut()
        .find(|m| m.target.same_place(&report.target))
    else {
        return;
    };
    m.expiry = report.expiry;
    match report.read {
        Ok(read) => {
            m.account = read.account;
            m.region = read.region;
            m.figures = Some(read.figures);
            m.cost = read.cost;
            m.found = read.found;
            m.read_at = Some(report.at);
            m.error = None;
        }
        Err(e) => m.error = Some(e),
    }
    if state.fleet.hits.is_some() {
        search(state);
    }
    state.dirty = true;
}

/// `0` or `:fleet`.
pub(super) fn open(state: &mut State) {
    state.fleet.selected = 0;
    state.mode = Mode::Fleet;
}

/// A key on the fleet view (the panes' keys: `Enter` goes, `/` searches, `Esc` leaves).
pub(super) fn on_view(state: &mut State, command: Command, fx: &mut Vec<Effect>) {
    if let Command::Pane(p) = command {
        state.mode = Mode::Normal;
        return state.switch_pane(p);
    }
    if command == Command::Open {
        return go(state, fx);
    }
    if matches!(command, Command::Back | Command::Quit | Command::Fleet) {
        return back(state);
    }
    let Some(key) = command.mode_key() else {
        return;
    };
    let n = state
        .fleet
        .hits
        .as_ref()
        .map_or(state.fleet.members.len(), Vec::len);
    let last = n.saturating_sub(1);
    let sel = &mut state.fleet.selected;
    match key {
        ModeKey::Down => *sel = (*sel + 1).min(last),
        ModeKey::Up => *sel = sel.saturating_sub(1),
        ModeKey::PageDown | ModeKey::Bottom => *sel = last,
        ModeKey::PageUp | ModeKey::Top => *sel = 0,
        ModeKey::Accept => go(state, fx),
        ModeKey::Cancel => back(state),
        ModeKey::Search => {
            state.fleet.query.clear();
            state.mode = Mode::FleetSearch;
        }
        ModeKey::Confirm | ModeKey::DeleteChar | ModeKey::Complete | ModeKey::Insert(_) => {}
        ModeKey::Toggle | ModeKey::OtherTarget | ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
}

/// `Esc`: from the search's answers back to the rows, from the rows back to the panes.
fn back(state: &mut State) {
    if state.fleet.hits.take().is_some() {
        state.fleet.selected = 0;
    } else {
        state.mode = Mode::Normal;
    }
}

/// A key while typing the search.
pub(super) fn on_search(state: &mut State, command: Command) {
    let Some(key) = command.mode_key() else {
        return;
    };
    match key {
        ModeKey::Insert(c) => state.fleet.query.push(c),
        ModeKey::DeleteChar => {
            state.fleet.query.pop();
        }
        ModeKey::Accept => {
            search(state);
            state.fleet.selected = 0;
            state.mode = Mode::Fleet;
        }
        ModeKey::Cancel => state.mode = Mode::Fleet,
        ModeKey::Down | ModeKey::Up | ModeKey::PageDown | ModeKey::PageUp => {}
        ModeKey::Top | ModeKey::Bottom | ModeKey::Confirm | ModeKey::Complete => {}
        ModeKey::Toggle | ModeKey::OtherTarget | ModeKey::Search => {}
        ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
}

/// Every context's services that match the query: the on-screen one's from its pane, the
/// others' from what the fleet worker read.
fn search(state: &mut State) {
    let query = state.fleet.query.clone();
    let here = &state.ctx;
    let mut hits = Vec::new();
    for m in &state.fleet.members {
        let found: Vec<Findable> = if m.target.same_place(&here.target) {
            here.services.items.iter().map(Findable::of).collect()
        } else {
            m.found.clone()
        };
        hits.extend(
            found
                .into_iter()
                .filter(|f| f.matches(&query))
                .map(|f| Hit {
                    target: m.target.clone(),
                    cluster: f.cluster,
                    service: f.service,
                    tags: f.tags,
                }),
        );
    }
    state.fleet.hits = Some(hits);
}

/// `Enter`: the selected row's context (or the hit's), through the `:ctx` switch; the service
/// that makes the row urgent (or the hit's) is shown there once its list has it.
fn go(state: &mut State, fx: &mut Vec<Effect>) {
    let sel = state.fleet.selected;
    let chosen = match &state.fleet.hits {
        Some(hits) => hits.get(sel).map(|h| {
            let service = ServiceKey {
                cluster: h.cluster.clone(),
                name: h.service.clone(),
            };
            let focus = Focus {
                service,
                rollout: false,
            };
            (h.target.clone(), Some(focus))
        }),
        None => rows(state).get(sel).map(|r| {
            let urgent = r.figures.as_ref().and_then(|f| f.focus.clone());
            let focus = urgent.map(|service| Focus {
                service,
                rollout: true,
            });
            (r.member.target.clone(), focus)
        }),
    };
    let Some((target, focus)) = chosen else {
        return;
    };
    state.mode = Mode::Normal;
    if !target.same_place(&state.ctx.target) {
        contexts::switch_to(state, target.name.clone(), target.region.clone(), fx);
    }
    if state.ctx.target.same_place(&target) {
        state.ctx.focus = focus;
        show_focus(state, false);
    }
}

/// Shows the service `Enter` asked for once the context's list has it: selected on the
/// services pane, its rollout view opened if asked. `whole`: the list is complete, so a
/// service not in it is said to be gone and forgotten.
pub(super) fn show_focus(state: &mut State, whole: bool) {
    let Some(focus) = state.ctx.focus.clone() else {
        return;
    };
    let Some(arn) = state.ctx.service(&focus.service).map(|s| s.arn.clone()) else {
        if whole {
            state.ctx.focus = None;
            state.flash(format!("{} is not in this context now", focus.service));
        }
        return;
    };
    state.ctx.focus = None;
    let services = &mut state.ctx.services;
    services.select_id(&arn);
    if services.selected_item().is_none_or(|s| s.arn != arn) {
        // A filter hid it: the filter goes, so the service asked for is the one selected.
        services.set_filter(String::new());
        services.select_id(&arn);
    }
    state.switch_pane(Pane::Services);
    if focus.rollout {
        state.open_rollout_view();
    }
}
