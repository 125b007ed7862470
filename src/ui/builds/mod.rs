//! The builds pane: runs of every mapped workflow, newest first, and a run's detail with its
//! jobs, steps, the failing job's log tail and the image it pushed.

pub(crate) mod dialog;
mod run_detail;

use crate::model::build::Progress;
use crate::model::{At, Conclusion, Image, Job, Ms, Run, RunStatus, Step};
use crate::state::{ListArea, State};
use crate::theme::Theme;
use crate::ui::widgets::columns::{Column, col};
use crate::ui::widgets::table::{self, Spec};
use crate::ui::{format, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

const BAR: usize = 6;

/// `✓ success`, `⟳ in progress`, `✗ timed out`: what a run shows as its state, in words.
pub fn state_text(status: &RunStatus, conclusion: Option<&Conclusion>) -> String {
    match conclusion {
        Some(Conclusion::Success) => "✓ success".into(),
        Some(c) if c.is_failure() => format!("✗ {}", c.words()),
        Some(c) => format!("· {}", c.words()),
        None if *status == RunStatus::InProgress => "⟳ in progress".into(),
        None => format!("… {}", status.words()),
    }
}

/// The widest state a run passes through on its way (queued, in progress, then its
/// conclusion), so the column keeps its width as a run moves.
const STATE_WIDTH: u16 = 13;

/// The trigger, short enough for its column: `workflow_dispatch` reads `dispatch`.
pub fn event_text(event: &str) -> &str {
    match event {
        "workflow_dispatch" => "dispatch",
        "pull_request" => "pr",
        "pull_request_target" => "pr-target",
        e => e,
    }
}

/// How long a run took, or has run so far.
fn took(ms: Option<Ms>) -> String {
    ms.map_or("-".into(), format::duration)
}

/// The pane title's notes: the GitHub quota when it runs low, and a rate-limit wait.
fn title(state: &State) -> String {
    let b = &state.builds;
    let mut t = "builds".to_string();
    if let Some(until) = b.waiting_until.filter(|u| *u > state.now) {
        t.push_str(&format!(
            " · GitHub rate limit: waiting until {} UTC ({})",
            format::clock(until),
            format::countdown(state.now, until)
        ));
    }
    if let Some(r) = b.rate.filter(|r| r.is_low()) {
        t.push_str(&format!(
            " · GitHub quota {}/{} left, resets {} UTC",
            r.remaining,
            r.limit,
            format::clock(r.reset_at)
        ));
    }
    t
}

/// Draws the pane: the runs table (whose rows can be clicked), a run's detail, or why there is
/// nothing to list. Returns the table's area, if it is one, and the rows a page moves.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> (Option<ListArea>, u16) {
    if let Some(why) = &state.builds.unavailable {
        return (None, message(f, area, state, theme, why));
    }
    if state.builds.mapped().is_empty() && state.ctx.services.fetched_at.is_some() {
        let why = "no service maps to a workflow: add a [[build]] entry to the config (service, \
                   repo, workflow, ref), or tag services deckwatch:repo and deckwatch:workflow";
        return (None, message(f, area, state, theme, why));
    }
    if state.builds.detail.is_some() {
        return (
            None,
            crate::ui::builds::run_detail::draw(f, area, state, theme),
        );
    }
    let t = &state.builds.runs;
    // Under this width the step counts give way, so the bar keeps its jobs.
    let wide = area.width >= WIDE;
    let columns = columns(wide);
    let spec = Spec {
        columns: &columns,
        len: t.len(),
        selected: t.selected,
        sort: None,
        block: pane_block(state, theme, title(state), Some((t.len(), t.items.len()))),
    };
    let list = table::draw(f, area, theme, spec, |i| {
        row(&t.items[t.view[i]], state.now, theme, wide)
    });
    (Some(list), list.rows.height)
}

/// The width from which the bar shows step counts too.
const WIDE: u16 = 110;

/// The runs table's columns: the workflow, the run and its state never leave the screen; the
/// branch, event and actor give way first. The columns whose values change as a run moves
/// (its state, how long it took, the bar) are as wide as they will be, so nothing jumps.
fn columns(wide: bool) -> [Column; 10] {
    // `██████ 4/4·13/13`: the bar and counts of a run of up to 9 jobs and 99 steps.
    let bar = BAR as u16 + if wide { 10 } else { 4 };
    [
        col("WORKFLOW", 0, 12),
        col("RUN", 0, 4),
        col("STATE", 0, 9).at_least(STATE_WIDTH),
        col("BRANCH", 4, 6),
        col("SHA", 3, 7),
        col("EVENT", 6, 5),
        col("ACTOR", 5, 5),
        col("STARTED", 2, 7),
        col("TOOK", 2, 5).at_least(6),
        col("JOBS · STEPS", 1, BAR as u16 + 4).at_least(bar),
    ]
}

/// The bar: what ran to its end filled, what was skipped or cancelled dotted, what is left
/// empty; and the jobs (and steps, when `wide`) that ran to their end of all.
fn bar_cell(p: Progress, style: Style, theme: &Theme, wide: bool) -> Line<'static> {
    let cells = |f: f64| ((f.clamp(0.0, 1.0)) * BAR as f64).round() as usize;
    let done = cells(p.fraction());
    let skipped = cells(p.fraction() + p.skipped_fraction()).saturating_sub(done);
    let left = BAR.saturating_sub(done + skipped);
    let steps = if wide {
        format!("·{}/{}", p.steps_done, p.steps)
    } else {
        String::new()
    };
    Line::from(vec![
        Span::styled("█".repeat(done), style),
        Span::styled("╌".repeat(skipped), Style::new().fg(theme.muted)),
        Span::styled("░".repeat(left), style),
        Span::styled(format!(" {}/{}{steps}", p.jobs_done, p.jobs), style),
    ])
}

fn row(r: &Run, now: At, theme: &Theme, wide: bool) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let style = theme.run_state(&r.status, r.conclusion.as_ref());
    let bar = r.progress.map_or(Line::styled("-", muted), |p| {
        bar_cell(p, style, theme, wide)
    });
    vec![
        Line::from(format!("{} {}", r.workflow.repo, r.workflow.workflow)),
        Line::from(format!("#{}", r.number)),
        Line::styled(
            state_text(&r.status, r.conclusion.as_ref()),
            theme.run_state(&r.status, r.conclusion.as_ref()),
        ),
        Line::from(r.branch.clone()),
        Line::styled(r.short_sha().to_string(), muted),
        Line::from(event_text(&r.event).to_string()),
        Line::from(r.actor.clone()),
        Line::from(r.started_at.map_or("-".into(), |t| format::age(now, t))),
        Line::from(took(r.duration(now))),
        bar,
    ]
}

fn message(f: &mut Frame, area: Rect, state: &State, theme: &Theme, why: &str) -> u16 {
    let block = pane_block(state, theme, "builds".into(), None);
    let p = Paragraph::new(Line::from(Span::styled(format!(" {why}"), theme.waiting())))
        .block(block)
        .wrap(Wrap { trim: false });
    f.render_widget(p, area);
    0
}

/// `built by acme/api run #1004`: the runs whose commit an image's tags name.
pub fn built_by(state: &State, image: &Image) -> Vec<String> {
    state
        .builds
        .runs
        .items
        .iter()
        .filter(|r| r.images(std::slice::from_ref(image)).next().is_some())
        .map(|r| {
            format!(
                "{} {} run #{}",
                r.workflow.repo, r.workflow.workflow, r.number
            )
        })
        .collect()
}

/// One job's line and its steps', the failing step marked.
pub fn job_lines(j: &Job, theme: &Theme, steps: bool) -> Vec<Line<'static>> {
    let dur = |a: Option<At>, b: Option<At>| match (a, b) {
        (Some(a), Some(b)) => format::duration(b - a),
        _ => "-".into(),
    };
    let mut out = vec![Line::from(vec![
        Span::styled(
            format!("  {:<16}", state_text(&j.status, j.conclusion.as_ref())),
            theme.run_state(&j.status, j.conclusion.as_ref()),
        ),
        Span::styled(
            format!("{:<24}", j.name),
            Style::new().fg(theme.fg).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            dur(j.started_at, j.completed_at),
            Style::new().fg(theme.muted),
        ),
    ])];
    let failed = j.failed_step().map(|s| s.number);
    for s in j.steps.iter().filter(|_| steps) {
        out.push(step_line(
            s,
            failed == Some(s.number),
            theme,
            dur(s.started_at, s.completed_at),
        ));
    }
    out
}

fn step_line(s: &Step, failing: bool, theme: &Theme, took: String) -> Line<'static> {
    let mut spans = vec![
        Span::styled(
            format!("      {:<16}", state_text(&s.status, s.conclusion.as_ref())),
            theme.run_state(&s.status, s.conclusion.as_ref()),
        ),
        Span::styled(format!("{:<20}", s.name), Style::new().fg(theme.fg)),
        Span::styled(took, Style::new().fg(theme.muted)),
    ];
    if failing {
        spans.push(Span::styled(
            "  ◀ failed here",
            Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
        ));
    }
    Line::from(spans)
}
