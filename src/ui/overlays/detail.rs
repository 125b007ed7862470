//! The selected task, image or alarm in full.

use crate::model::{At, Image, Task};
use crate::state::{Pane, State};
use crate::theme::Theme;
use crate::ui::format;
use crate::ui::widgets::overlay::{centered, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

fn field(theme: &Theme, k: &str, v: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {k:<14}"), Style::new().fg(theme.muted)),
        Span::styled(v, Style::new().fg(theme.fg)),
    ])
}

/// `12:00:05 UTC (3m ago)`, or `-`.
fn when(now: At, t: Option<At>) -> String {
    t.map_or("-".to_string(), |t| {
        format!("{} UTC ({} ago)", format::clock(t), format::age(now, t))
    })
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let now = state.now;
    let (title, lines) = match state.ctx.pane {
        Pane::Tasks => match state.ctx.tasks.selected_item() {
            Some(t) => ("task", task(t, now, theme)),
            None => return,
        },
        Pane::Images => match state.ctx.images.selected_item() {
            Some(i) => {
                let mut lines = image(i, now, theme);
                for by in crate::ui::builds::built_by(state, i) {
                    lines.push(field(theme, "built by", by));
                }
                ("image", lines)
            }
            None => return,
        },
        Pane::Alarms => match state.ctx.alarms.selected_item() {
            Some(a) => {
                let width = area.width.saturating_sub(8).min(110);
                (
                    "alarm",
                    crate::ui::alarms::detail::lines(state, a, width, theme),
                )
            }
            None => return,
        },
        Pane::Logs => return crate::ui::logs::detail::draw(f, area, state, theme),
        Pane::Timeline => match state.ctx.timeline.table.selected_item() {
            Some(e) => (
                "timeline entry",
                crate::ui::timeline::detail_lines(e, theme),
            ),
            None => return,
        },
        Pane::Services | Pane::Builds | Pane::Rollout => return,
    };
    let width = area.width.saturating_sub(8).min(110);
    let h = crate::ui::widgets::overlay::wrapped_height(&lines, width);
    popup(f, centered(area, width, h), theme, title, lines);
}

fn task(t: &Task, now: At, theme: &Theme) -> Vec<Line<'static>> {
    vec![
        field(theme, "id", t.id.clone()),
        field(theme, "arn", t.arn.clone()),
        field(theme, "cluster", t.cluster.clone()),
        field(theme, "service", t.service.clone()),
        field(theme, "task def", t.task_def.to_string()),
        field(
            theme,
            "status",
            format!("{} (desired {})", t.last_status, t.desired_status),
        ),
        field(theme, "health", t.health.to_string()),
        field(theme, "started", when(now, t.started_at)),
        field(theme, "stopped", when(now, t.stopped_at)),
        field(theme, "stop code", t.stop_code.clone()),
        field(theme, "stop reason", t.stop_reason.clone()),
        field(theme, "private ip", t.private_ip.clone()),
    ]
}

fn image(i: &Image, now: At, theme: &Theme) -> Vec<Line<'static>> {
    let used_by = if i.used_by.is_empty() {
        "-".into()
    } else {
        i.used_by.join(", ")
    };
    let mut lines = vec![
        field(theme, "repository", i.repository.clone()),
        field(theme, "tags", i.tags.join(", ")),
        field(theme, "digest", i.digest.clone()),
        field(theme, "pushed", when(now, Some(i.pushed_at))),
        field(theme, "size", format::bytes(i.size_bytes)),
        field(theme, "used by", used_by),
    ];
    let mut findings = vec![Span::styled(
        format!(" {:<14}", "findings"),
        Style::new().fg(theme.muted),
    )];
    findings.extend(crate::ui::images::findings_line(i.findings, theme).spans);
    if let Some(f) = i.findings {
        findings.push(Span::styled(
            format!("I{} (total {})", f.informational, f.total()),
            Style::new().fg(theme.muted),
        ));
    }
    lines.push(Line::from(findings));
    lines
}
