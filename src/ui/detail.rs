//! The selected task, image or alarm in full.

use super::format;
use super::widgets::overlay::{centered, popup};
use crate::state::{Pane, State};
use crate::theme::Theme;
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

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let now = state.now;
    let when = |t: Option<i64>| {
        t.map_or("-".to_string(), |t| {
            format!("{} UTC ({} ago)", format::clock(t), format::age(now, t))
        })
    };
    let (title, lines) = match state.pane {
        Pane::Tasks => {
            let Some(t) = state.tasks.selected_item() else {
                return;
            };
            (
                "task",
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
                    field(theme, "health", t.health.label().into()),
                    field(theme, "started", when(t.started_at)),
                    field(theme, "stopped", when(t.stopped_at)),
                    field(theme, "stop code", t.stop_code.clone()),
                    field(theme, "stop reason", t.stop_reason.clone()),
                    field(theme, "private ip", t.private_ip.clone()),
                ],
            )
        }
        Pane::Images => {
            let Some(i) = state.images.selected_item() else {
                return;
            };
            let mut lines = vec![
                field(theme, "repository", i.repository.clone()),
                field(theme, "tags", i.tags.join(", ")),
                field(theme, "digest", i.digest.clone()),
                field(theme, "pushed", when(Some(i.pushed_at))),
                field(theme, "size", format::bytes(i.size_bytes)),
                field(
                    theme,
                    "used by",
                    if i.used_by.is_empty() {
                        "-".into()
                    } else {
                        i.used_by.join(", ")
                    },
                ),
            ];
            let mut findings = vec![Span::styled(
                format!(" {:<14}", "findings"),
                Style::new().fg(theme.muted),
            )];
            findings.extend(super::images::findings_line(i.findings, theme).spans);
            if let Some(f) = i.findings {
                findings.push(Span::styled(
                    format!("I{} (total {})", f.informational, f.total()),
                    Style::new().fg(theme.muted),
                ));
            }
            lines.push(Line::from(findings));
            ("image", lines)
        }
        Pane::Alarms => {
            let Some(a) = state.alarms.selected_item() else {
                return;
            };
            (
                "alarm",
                vec![
                    field(theme, "name", a.name.clone()),
                    field(theme, "type", format!("{:?}", a.kind).to_lowercase()),
                    Line::from(vec![
                        Span::styled(format!(" {:<14}", "state"), Style::new().fg(theme.muted)),
                        Span::styled(
                            a.state.label(),
                            Style::new().fg(super::alarms::state_color(a.state, theme)),
                        ),
                    ]),
                    field(theme, "updated", when(Some(a.updated_at))),
                    field(theme, "reason", a.reason.clone()),
                ],
            )
        }
        Pane::Services | Pane::Logs => return,
    };
    let h = lines.len() as u16 + 2;
    popup(
        f,
        centered(area, area.width.saturating_sub(8).min(110), h),
        theme,
        title,
        lines,
    );
}
