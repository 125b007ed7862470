//! The rollout view: one service's rollout as one document that scrolls. The stage, the hook
//! and its countdown come first; then the deployments and target health, the newest log lines
//! of the revisions involved, the tasks, and every event. On a small terminal it scrolls
//! (`j`/`k`, `PgDn`/`PgUp`); on a big one the log lines and events get more room.

pub(crate) mod codedeploy;
pub(crate) mod evidence;
pub(crate) mod history;
pub(crate) mod summary;
pub(crate) mod verdict;

use crate::model::{At, Service, Task};
use crate::state::State;
use crate::theme::Theme;
use crate::ui::{format, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Newest log lines searched for the rollout's revisions.
const SCANNED: usize = 5_000;

/// What the frame gave the view: rows on screen, and how far the document may scroll.
pub struct Drawn {
    pub rows: u16,
    pub scroll_limit: usize,
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> Drawn {
    let title = match &state.ctx.rollout {
        Some(k) => format!("rollout of {k}"),
        None => "rollout".into(),
    };
    let block = pane_block(state, theme, title, None);
    let rows = area.height.saturating_sub(2);
    let Some(svc) = state.ctx.rollout_service() else {
        let why = if state.ctx.services.fetched_at.is_none() {
            "loading…".to_string()
        } else {
            let back = state
                .keys
                .key_for(crate::keys::Layer::Normal, &crate::keys::Command::Back);
            format!("this service is no longer listed ({back} goes back)")
        };
        let line = Line::styled(why, Style::new().fg(theme.muted));
        f.render_widget(Paragraph::new(line).block(block), area);
        return Drawn {
            rows,
            scroll_limit: 0,
        };
    };
    let lines = document(state, svc, (area.width.saturating_sub(2), rows), theme);
    let doc = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = doc.line_count(area.width.saturating_sub(2));
    let scroll_limit = total.saturating_sub(rows as usize);
    let scroll = state.ctx.rollout_view.scroll.min(scroll_limit);
    f.render_widget(doc.block(block).scroll((scroll as u16, 0)), area);
    Drawn { rows, scroll_limit }
}

/// Every section, in reading order. `rows` is the screen's height: the log section grows with
/// it.
fn document(
    state: &State,
    svc: &Service,
    (width, rows): (u16, u16),
    theme: &Theme,
) -> Vec<Line<'static>> {
    let pair = crate::model::pair_of(svc, &state.ctx.services.items);
    let mut lines = summary::panel(state, svc, pair, width, theme);
    let log_rows = (rows as usize / 4).max(5);
    let (title, logs) = log_lines(state, svc, log_rows, theme);
    lines.push(section(&title, theme));
    lines.extend(logs);
    let tasks = &state.ctx.rollout_view.tasks;
    lines.push(section(&format!("tasks ({})", tasks.len()), theme));
    if tasks.is_empty() {
        lines.push(Line::styled("  none yet", Style::new().fg(theme.muted)));
    }
    // The status column as wide as the longest status shown (PROVISIONING, DEPROVISIONING).
    let status_width = tasks
        .iter()
        .map(|t| t.last_status.as_str().chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    lines.extend(
        tasks
            .iter()
            .map(|t| task_line(t, status_width, state.now, theme)),
    );
    lines.push(section(&format!("events ({})", svc.events.len()), theme));
    // Rollback and circuit-breaker events are marked (`e` opens them on their own).
    lines.extend(
        svc.events
            .iter()
            .map(|e| crate::ui::overlays::events::line(e, theme)),
    );
    lines
}

fn section(title: &str, theme: &Theme) -> Line<'static> {
    Line::styled(
        format!("── {title} "),
        Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
    )
}

/// `started 5m` for a task that runs; `stopped 1m ago (ran 4m)` for one that stopped, so its
/// age is when it stopped.
fn when(t: &Task, now: At) -> String {
    let started = t.started_at.map(|s| format::age(now, s));
    match (
        t.stopped_at.filter(|_| t.last_status.is_stopped()),
        t.started_at,
    ) {
        (Some(stop), Some(start)) => format!(
            "stopped {} ago (ran {}) ",
            format::age(now, stop),
            format::duration(stop - start)
        ),
        (Some(stop), None) => format!("stopped {} ago (never started) ", format::age(now, stop)),
        (None, _) => format!("started {} ", started.unwrap_or_else(|| "-".into())),
    }
}

fn task_line(t: &Task, status_width: usize, now: At, theme: &Theme) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    let mut spans = vec![
        Span::raw(format!("  {} ", t.id.chars().take(8).collect::<String>())),
        Span::styled(
            format!("r{:<4} ", t.task_def.revision),
            theme.canary_style(),
        ),
        Span::styled(
            format!("{:<status_width$} ", t.last_status.as_str()),
            theme.task_status(&t.last_status),
        ),
    ];
    spans.push(match t.current_health() {
        Some(h) => Span::styled(format!("{:<9} ", h.as_str()), theme.health(h)),
        None => Span::styled(format!("{:<9} ", "-"), muted),
    });
    spans.push(Span::styled(when(t, now), muted));
    if let Some(code) = t.exit_code {
        spans.push(Span::styled(format!("exit {code} "), theme.waiting()));
    }
    if !t.stop_reason.is_empty() {
        spans.push(Span::styled(
            format!("{}: {}", t.stop_code, t.stop_reason),
            theme.waiting(),
        ));
    }
    Line::from(spans)
}

/// The newest log lines of the rollout's revisions (its source and target, remembered while
/// the view is open, so an aborted revision's errors stay), tagged and coloured by revision, at
/// most `wanted`; and the section's title naming them.
fn log_lines(
    state: &State,
    svc: &Service,
    wanted: usize,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let logs = &state.ctx.logs;
    let revs: Vec<u32> = if logs.rollout_revisions.is_empty() {
        vec![svc.target_revision()]
    } else {
        logs.rollout_revisions.clone()
    };
    let names: Vec<String> = revs.iter().map(|r| format!("r{r}")).collect();
    let title = format!(
        "logs of {}'s tasks (5 shows every revision's)",
        names.join(" + ")
    );
    if logs.service() != Some(&svc.key()) {
        return (
            title,
            vec![Line::styled("  loading…", Style::new().fg(theme.muted))],
        );
    }
    let buf = &logs.buf;
    let look = crate::ui::logs::line::LineLook {
        theme,
        stamps: logs.stamps,
        now: state.now,
        needles: &[],
    };
    // Only the newest lines are looked at, so a quiet revision costs a bounded walk.
    let mut lines: Vec<Line> = (buf.first_seq()..buf.end_seq())
        .rev()
        .take(SCANNED)
        .filter_map(|i| buf.get(i))
        .filter(|l| revs.contains(&l.tag.revision))
        .take(wanted)
        .map(|l| {
            let mut spans = vec![Span::raw("  ")];
            spans.extend(crate::ui::logs::line_spans(&l, &look, false));
            Line::from(spans)
        })
        .collect();
    lines.reverse();
    if lines.is_empty() {
        let why = if logs.fetched_at.is_none() {
            "  loading…".to_string()
        } else {
            format!("  no lines from {}'s tasks yet", names.join(" or "))
        };
        lines.push(Line::styled(why, Style::new().fg(theme.muted)));
    }
    (title, lines)
}
