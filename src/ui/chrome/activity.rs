//! The activity line above the footer: the confirmed action at work, the wait until stable
//! with its clock and limit, then the outcome.

use crate::model::{At, Ms, Service, TaskDefRef};
use crate::state::State;
use crate::state::actions::progress::{Phase, Progress};
use crate::theme::Theme;
use crate::timing::{RUNNER_STABLE_WAIT_MS, STABLE_TIMEOUT_MS};
use crate::ui::format;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn duration(ms: Ms) -> String {
    format::duration(ms)
}

/// `3/4 running on web:88 · 2 deployments`, or `· primary IN_PROGRESS` when there is one
/// deployment: what the wait waits on, counted on the deployment it waits for (the service's
/// counts add up every deployment's tasks).
fn where_it_is(s: &Service, td: Option<&TaskDefRef>) -> String {
    let Some(d) = s.waited_deployment(td) else {
        return format!("no deployment of {} yet", td.unwrap_or(&s.task_def));
    };
    let mut out = format!("{}/{} running on {}", d.running, d.desired, d.task_def);
    match (s.deployments.len(), s.primary()) {
        (n @ 2.., _) => out.push_str(&format!(" · {n} deployments")),
        (_, Some(p)) => out.push_str(&format!(" · primary {}", p.rollout_state)),
        _ => {}
    }
    out
}

/// The line's text.
pub fn text(p: &Progress, services: &[Service], now: At) -> String {
    let what = format!("{} {}", p.verb, p.service);
    let clock = duration(now - p.since);
    match &p.phase {
        Phase::Sending if p.waits_between_calls() => format!(
            "⟳ {what}: waiting until {} is stable before the next call · {clock} of {}",
            p.service.name,
            duration(RUNNER_STABLE_WAIT_MS)
        ),
        Phase::Sending => format!("⟳ {what}: checking the service and sending · {clock}"),
        Phase::Waiting { sent_at } => {
            let key = p.waits_for().unwrap_or(&p.service);
            let state = services
                .iter()
                .find(|s| &s.key() == key)
                .map_or("not in the last refresh".into(), |s| {
                    where_it_is(s, p.waits_for_task_def())
                });
            format!(
                "⟳ {what}: waiting until {} is stable · {} of {} · {state}",
                key.name,
                duration(now - *sent_at),
                duration(STABLE_TIMEOUT_MS)
            )
        }
        Phase::Sent { .. } if p.verb.is_ci() => {
            format!("✓ {what}: sent; the builds pane (6) follows the run")
        }
        Phase::Sent { .. } => format!("✓ {what}: sent; follow it in the rollout view"),
        Phase::Stable { took, .. } => format!("✓ {what}: stable after {}", duration(*took)),
        Phase::TimedOut { .. } => format!(
            "✗ {what}: not stable after {}; ECS may still be working: see the service's events",
            duration(STABLE_TIMEOUT_MS)
        ),
        Phase::Unwatched { .. } => {
            format!("✓ {what}: no longer watched; its calls were sent and stay, ECS goes on")
        }
        Phase::Failed { why, .. } => format!("✗ {why}"),
    }
}

/// Jobs the activity lines show at most, newest first; `:jobs` lists every one.
pub const LINES: usize = 3;

/// Rows the activity lines need at `width`: each shown job's.
pub fn rows(state: &State, width: u16) -> u16 {
    state
        .ctx
        .jobs
        .shown(state.now)
        .take(LINES)
        .map(|j| height(&j.progress, &state.ctx.services.items, state.now, width))
        .sum()
}

/// Each shown job's line, newest first, in `area` (as tall as `rows` said).
pub fn draw_all(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut y = area.y;
    for j in state.ctx.jobs.shown(state.now).take(LINES) {
        let services = &state.ctx.services.items;
        let h = height(&j.progress, services, state.now, area.width);
        let bottom = area.y + area.height;
        let row = Rect::new(area.x, y, area.width, h.min(bottom.saturating_sub(y)));
        draw(f, row, &j.progress, services, state.now, theme);
        y += h;
    }
}

/// Rows the line needs at `width`, wrapped between words: its whole text must be readable (a
/// failure says what was done and what was not), up to `MAX_ROWS`.
pub fn height(p: &Progress, services: &[Service], now: At, width: u16) -> u16 {
    crate::ui::widgets::overlay::text_rows(&format!(" {}", text(p, services, now)), width, MAX_ROWS)
}

const MAX_ROWS: u16 = 6;

pub fn draw(f: &mut Frame, area: Rect, p: &Progress, services: &[Service], now: At, theme: &Theme) {
    let colour = match p.phase {
        Phase::Sending | Phase::Waiting { .. } => theme.warn,
        Phase::Sent { .. } | Phase::Stable { .. } | Phase::Unwatched { .. } => theme.ok,
        Phase::TimedOut { .. } | Phase::Failed { .. } => theme.alarm,
    };
    let line = Line::from(Span::styled(
        format!(" {}", text(p, services, now)),
        Style::new().fg(colour),
    ));
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}
