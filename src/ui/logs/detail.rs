//! `Enter` on a log line: the line whole, with its time, task, revision and level, and a JSON
//! object pretty-printed.

use crate::model::LogSide;
use crate::state::State;
use crate::state::logs::export_line;
use crate::theme::Theme;
use crate::ui::logs::line;
use crate::ui::widgets::overlay::{centered, popup, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(l) = state.ctx.logs.selected() else {
        return;
    };
    let width = area.width.saturating_sub(4).min(140);
    let rev = match l.tag.revision {
        0 => "unknown".to_string(),
        r => r.to_string(),
    };
    let canary = if l.tag.side == LogSide::Canary {
        " (canary)"
    } else {
        ""
    };
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!(" {k:<9}"), theme.log_quiet()),
            Span::raw(v),
        ])
    };
    let full = export_line(&l);
    let at = full.split(' ').next().unwrap_or_default().to_string();
    let mut lines = vec![
        field("time", at),
        field("task", l.tag.task.clone()),
        field("revision", format!("{rev}{canary}")),
        field("level", line::level_name(l.meta.level()).to_string()),
        Line::raw(""),
    ];
    let style = theme.log_level(l.meta.level());
    lines.extend(
        line::pretty(l.message)
            .into_iter()
            .map(|t| Line::from(Span::styled(format!(" {t}"), style))),
    );
    let room = area.height.saturating_sub(2);
    let mut height = wrapped_height(&lines, width);
    if height > room {
        // Keep what fits and say what did not; :save writes the line whole.
        while height > room.saturating_sub(1) && lines.len() > 6 {
            lines.pop();
            height = wrapped_height(&lines, width);
        }
        lines.push(Line::from(Span::styled(
            " … more than fits: y copies the line, :save PATH writes it whole",
            theme.waiting(),
        )));
        height = wrapped_height(&lines, width);
    }
    popup(
        f,
        centered(area, width, height.min(room)),
        theme,
        "log line",
        lines,
    );
}
