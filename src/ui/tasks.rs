//! The tasks pane, and the rollout view above it when the pane is drilled into a service:
//! the rollout panel, the service's events and the target revision's newest log lines.

use super::widgets::table::{self, Spec};
use super::{format, pane_block, rollout};
use crate::model::Service;
use crate::state::State;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Cell, Paragraph, Row};

const HEADER: &[&str] = &[
    "TASK",
    "SERVICE",
    "REV",
    "STATUS",
    "HEALTH",
    "STARTED",
    "STOP REASON",
    "IP",
];

/// Draws the pane; returns how many task rows it shows.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> u16 {
    let area = match state.rollout_service() {
        Some(svc) => rollout_view(f, area, state, svc, theme),
        None => area,
    };
    tasks_table(f, area, state, theme)
}

fn boxed(theme: &Theme, title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(theme.border))
        .title(Span::styled(title, Style::new().fg(theme.accent)))
}

/// The rollout panel, events and logs of `svc`; returns the area left for its tasks.
fn rollout_view(f: &mut Frame, area: Rect, state: &State, svc: &Service, theme: &Theme) -> Rect {
    let pair = crate::model::pair_of(svc, &state.services.items);
    let panel = rollout::panel(svc, pair, state.now, theme);
    let height = (panel.len() as u16 + 2).min(area.height / 2);
    let [top, events_area, logs_area, rest] = Layout::vertical([
        Constraint::Length(height),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Min(3),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(panel).block(boxed(theme, " rollout ".into())),
        top,
    );
    let events: Vec<Line> = svc
        .events
        .iter()
        .take(events_area.height.saturating_sub(2) as usize)
        .map(|e| {
            Line::from(vec![
                Span::styled(
                    format!("{} ", format::clock(e.at)),
                    Style::new().fg(theme.muted),
                ),
                Span::raw(e.message.clone()),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(events).block(boxed(theme, " events ".into())),
        events_area,
    );
    let (title, lines) = target_logs(state, svc, logs_area.height, theme);
    f.render_widget(Paragraph::new(lines).block(boxed(theme, title)), logs_area);
    rest
}

fn tasks_table(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> u16 {
    let t = &state.tasks;
    let title = match &state.rollout {
        Some(k) => format!("tasks of {k}"),
        None => "tasks".into(),
    };
    let widths = [
        Constraint::Length(8),
        Constraint::Length(14),
        Constraint::Length(5),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Fill(1),
        Constraint::Length(15),
    ];
    let spec = Spec {
        header: HEADER,
        widths: &widths,
        len: t.len(),
        selected: t.selected,
        block: pane_block(state, theme, title, Some((t.len(), t.items.len()))),
    };
    table::draw(f, area, theme, spec, |i| {
        let task = &t.items[t.view[i]];
        let reason = if task.stop_reason.is_empty() {
            String::new()
        } else {
            format!("{}: {}", task.stop_code, task.stop_reason)
        };
        Row::new(vec![
            Cell::from(task.id.chars().take(8).collect::<String>()),
            Cell::from(task.service.clone()),
            Cell::from(task.task_def.revision.to_string()),
            Cell::from(Span::styled(
                task.last_status.to_string(),
                theme.task_status(&task.last_status),
            )),
            Cell::from(Span::styled(
                task.health.to_string(),
                theme.health(&task.health),
            )),
            Cell::from(
                task.started_at
                    .map_or("-".into(), |t| format::age(state.now, t)),
            ),
            Cell::from(Span::styled(reason, Style::new().fg(theme.warn))),
            Cell::from(task.private_ip.clone()),
        ])
    })
}

/// Newest log lines searched for the rollout's revisions.
const SCANNED: usize = 5_000;

/// The newest log lines of the rollout's revisions (its source and target, remembered while
/// the view is open, so an aborted revision's errors stay), tagged and coloured by revision.
fn target_logs(
    state: &State,
    svc: &Service,
    height: u16,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let logs = &state.logs;
    let revs: Vec<u32> = if logs.rollout_revisions.is_empty() {
        vec![svc.target_revision()]
    } else {
        logs.rollout_revisions.clone()
    };
    let names: Vec<String> = revs.iter().map(|r| format!("r{r}")).collect();
    let title = format!(" logs of {} (5 for all) ", names.join(" + "));
    let buf = &logs.buf;
    let wanted = height.saturating_sub(2) as usize;
    if logs.service() != Some(&svc.key()) {
        return (title, Vec::new());
    }
    let look = super::log_line::LineLook {
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
        .map(|l| Line::from(super::logs::line_spans(&l, &look, false)))
        .collect();
    lines.reverse();
    if lines.is_empty() {
        let why = if logs.fetched_at.is_none() {
            "loading…".to_string()
        } else {
            format!("no lines from {}'s tasks yet", names.join(" or "))
        };
        lines.push(Line::from(Span::styled(why, Style::new().fg(theme.muted))));
    }
    (title, lines)
}
