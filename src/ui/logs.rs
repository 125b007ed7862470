use super::{format, pane_block};
use crate::state::logs::{LogRef, passes};
use crate::state::{ListArea, State};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// One log line: time, task, revision tag, message coloured by level.
pub fn line(l: LogRef<'_>, theme: &Theme) -> Line<'static> {
    let level = if l.message.contains("ERROR") || l.message.contains(" 500 ") {
        theme.alarm
    } else if l.message.contains("WARN") {
        theme.warn
    } else {
        theme.fg
    };
    Line::from(vec![
        Span::styled(
            format!("{} ", format::clock(l.at)),
            Style::new().fg(theme.muted),
        ),
        Span::styled(
            format!("{} ", l.task_id.chars().take(8).collect::<String>()),
            Style::new().fg(theme.accent),
        ),
        Span::styled(format!("r{:<4}", l.revision), Style::new().fg(theme.canary)),
        Span::styled(l.message.to_string(), Style::new().fg(level)),
    ])
}

/// `following`, or how to follow again with the keys in effect.
fn follow_mode(state: &State) -> String {
    use crate::keymap::Command::{Bottom, ToggleFollow};
    if state.logs.follow {
        return "following".into();
    }
    let key = |c| state.keys.key_for(crate::keymap::Layer::Normal, &c);
    format!(
        "paused ({} or {} to follow)",
        key(Bottom),
        key(ToggleFollow)
    )
}

/// Draws the logs pane; returns where its lines are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let logs = &state.logs;
    let buf = &logs.buf;
    let height = area.height.saturating_sub(2) as usize;
    let needle = logs.filter.to_lowercase();
    // Walk back from the newest line, so only what fits on screen is ever formatted.
    let mut shown = Vec::with_capacity(height);
    let mut skipped = 0;
    for i in (0..buf.len()).rev() {
        if shown.len() == height {
            break;
        }
        let Some(l) = buf.get(i) else { continue };
        if !passes(l.task_id, l.message, &needle) {
            continue;
        }
        if skipped < logs.scroll {
            skipped += 1;
            continue;
        }
        shown.push(line(l, theme));
    }
    shown.reverse();
    let target = logs
        .service
        .as_ref()
        .map_or("no service selected".to_string(), |k| k.to_string());
    let mode = follow_mode(state);
    let title = format!(
        "logs of {target} · {} lines · {} · {mode}{}",
        buf.len(),
        format::bytes(buf.bytes() as u64),
        if buf.dropped > 0 {
            format!(" · {} oldest dropped", buf.dropped)
        } else {
            String::new()
        }
    );
    let block = pane_block(state, theme, title, None);
    let body = if logs.service.is_none() {
        vec![Line::from(Span::styled(
            "Select a service on the services pane (1), then come back to follow its logs.",
            Style::new().fg(theme.muted),
        ))]
    } else {
        shown
    };
    f.render_widget(Paragraph::new(body).block(block), area);
    let rows = Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(2),
        height: height as u16,
    };
    ListArea { rows, first: 0 }
}
