//! `:forwards`: every port forward with its state, the task it goes through, its local port,
//! its connections and bytes, and its last trouble.

use crate::state::State;
use crate::state::exec::ForwardRow;
use crate::theme::Theme;
use crate::ui::format;
use crate::ui::widgets::overlay::{centered, popup_scrolled};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> usize {
    let muted = Style::new().fg(theme.muted);
    let mut lines = Vec::new();
    if state.exec.forwards.is_empty() {
        lines.push(Line::from(Span::styled(
            " no port forwards: :pf NAME starts a [[forward]] of the config, :pf SERVICE PORT [LOCAL] any port",
            muted,
        )));
    }
    for r in &state.exec.forwards {
        lines.extend(rows(r, theme));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        " :pf stop NAME stops one · Esc closes",
        muted,
    )));
    let width = area.width.saturating_sub(4).min(120);
    let h = (lines.len() as u16 + 2).min(area.height);
    let limit = (lines.len() + 2).saturating_sub(h as usize);
    let scroll = state.help_scroll.min(limit) as u16;
    popup_scrolled(
        f,
        centered(area, width, h),
        theme,
        "port forwards",
        lines,
        scroll,
    );
    limit
}

/// One forward: its name, state and ports; its task, connections and bytes; its trouble.
fn rows(r: &ForwardRow, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let task = if r.task.is_empty() {
        "no task".to_string()
    } else {
        r.task.chars().take(12).collect()
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!(" {:<18} ", r.name), Style::new().fg(theme.accent)),
            Span::styled(
                format!("{:<13}", r.state.word()),
                theme.forward_state(r.state),
            ),
            Span::styled(
                format!("localhost:{:<6} → {} {}", r.local_port, r.service, r.remote),
                Style::new().fg(theme.fg),
            ),
        ]),
        Line::from(Span::styled(
            format!(
                "   task {task} · {} open, {} in all · {} in, {} out",
                r.open,
                r.total,
                format::bytes(r.bytes_in),
                format::bytes(r.bytes_out)
            ),
            muted,
        )),
    ];
    if !r.detail.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("   {}", r.detail),
            theme.waiting(),
        )));
    }
    lines
}
