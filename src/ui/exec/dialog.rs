//! The exec dialog: the task and container to open a shell in, the command, pane or full
//! screen, and before anything is called, what would stop exec and what to change.

use crate::keys::Layer;
use crate::state::State;
use crate::state::exec::{ExecDialog, Field, Hold};
use crate::theme::Theme;
use crate::ui::widgets::overlay::{centered, popup, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

fn field(theme: &Theme, label: &str, value: String, focus: bool) -> Line<'static> {
    let value_style = if focus {
        theme.selected()
    } else {
        Style::new().fg(theme.fg)
    };
    Line::from(vec![
        Span::styled(
            if focus { " ▸ " } else { "   " },
            Style::new().fg(theme.accent),
        ),
        Span::styled(format!("{label:<11}"), Style::new().fg(theme.muted)),
        Span::styled(value, value_style),
    ])
}

fn task_text(d: &ExecDialog) -> String {
    match d.selected_task() {
        Some(t) => {
            let of = if d.tasks.len() > 1 {
                format!("  ({} of {} running)", d.task + 1, d.tasks.len())
            } else {
                String::new()
            };
            format!(
                "{}  {}:{} {}{of}",
                t.id, t.task_def.family, t.task_def.revision, t.private_ip
            )
        }
        None if d.loading => "reading the service's running tasks…".into(),
        None => match &d.load_error {
            Some(e) => format!("no running task known ({e})"),
            None => "no running task".into(),
        },
    }
}

fn container_text(d: &ExecDialog) -> String {
    let Some(t) = d.selected_task() else {
        return String::new();
    };
    match t.containers.get(d.container) {
        Some(c) => {
            let agent = c
                .exec_agent
                .as_ref()
                .map_or("no exec agent".to_string(), |a| format!("exec agent {a}"));
            let of = if t.containers.len() > 1 {
                format!("  ({} of {})", d.container + 1, t.containers.len())
            } else {
                String::new()
            };
            format!("{}  {agent}{of}", c.name)
        }
        None => "the task reports no containers".into(),
    }
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, d: &ExecDialog, theme: &Theme) {
    let hold = match d.hold {
        Hold::Pane => "a pane beside this view".to_string(),
        Hold::FullScreen if state.exec.config.use_plugin => {
            "full screen, through session-manager-plugin".to_string()
        }
        Hold::FullScreen => "full screen (Ctrl-] comes back)".to_string(),
    };
    let mut lines = vec![
        field(theme, "task", task_text(d), d.field == Field::Task),
        field(
            theme,
            "container",
            container_text(d),
            d.field == Field::Container,
        ),
        field(
            theme,
            "command",
            format!("{}▏", d.command),
            d.field == Field::Command,
        ),
        field(theme, "show in", hold, d.field == Field::Hold),
        Line::raw(""),
    ];
    lines.extend(readiness_lines(state, d, theme));
    lines.push(Line::raw(""));
    lines.push(keys(state, d, theme));
    let width = area.width.saturating_sub(4).min(110);
    let h = wrapped_height(&lines, width);
    let title = match &d.service {
        Some(s) => format!("exec into a task of {}", s.name),
        None => "exec into the task".to_string(),
    };
    popup(f, centered(area, width, h), theme, &title, lines);
}

/// What would stop exec, and what to change; what the call will need; or that it looks ready.
fn readiness_lines(state: &State, d: &ExecDialog, theme: &Theme) -> Vec<Line<'static>> {
    let Some(r) = d.readiness(state) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for b in &r.blockers {
        let (what, fix) = b.explain();
        lines.push(Line::from(Span::styled(
            format!(" ✗ {what}"),
            theme.exec_blocker(),
        )));
        lines.push(Line::from(Span::styled(
            format!("   → {fix}"),
            Style::new().fg(theme.fg),
        )));
    }
    let cluster = d
        .selected_task()
        .map(|t| t.cluster.clone())
        .unwrap_or_default();
    match state.ctx.exec_clusters.get(&cluster) {
        None => lines.push(Line::from(Span::styled(
            " reading the cluster's exec configuration…",
            Style::new().fg(theme.info),
        ))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(
            format!(" ⚠ the cluster's exec configuration is unknown: {e}"),
            Style::new().fg(theme.warn),
        ))),
        Some(Ok(_)) => {}
    }
    for n in &r.notes {
        lines.push(Line::from(Span::styled(format!(" ! {n}"), theme.waiting())));
    }
    if r.ready() {
        lines.push(Line::from(Span::styled(
            " ✓ exec is on for the service and task, and the container's agent is running",
            Style::new().fg(theme.ok),
        )));
    }
    lines
}

fn keys(state: &State, d: &ExecDialog, theme: &Theme) -> Line<'static> {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let fg = Style::new().fg(theme.fg);
    if let Some(typed) = &d.typed {
        return Line::from(vec![
            Span::styled(
                format!(" PROD: type {} then Enter: ", d.confirm_name()),
                theme.waiting(),
            ),
            Span::styled(format!("{typed}▏"), key),
        ]);
    }
    let mut spans = Vec::new();
    for (i, b) in state.keys.layer(Layer::ExecDialog).iter().enumerate() {
        spans.push(Span::styled(if i == 0 { " " } else { "   " }, fg));
        spans.push(Span::styled(b.label.clone(), key));
        let word = b.hint.filter(|h| !h.is_empty()).unwrap_or(b.help);
        spans.push(Span::styled(format!(" {word}"), fg));
    }
    if state.ctx.info.prod {
        spans.push(Span::styled(
            "   (PROD: Enter then asks for the service's name)",
            theme.waiting(),
        ));
    }
    Line::from(spans)
}
