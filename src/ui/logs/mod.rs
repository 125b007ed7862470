//! The logs pane: the followed lines (or the filter's matches), the selected line, how they
//! are read (live, polling, disconnected, sampled) and a backlog load's progress.

pub(crate) mod detail;
pub(crate) mod line;

use crate::model::At;
use crate::model::LogTarget;
use crate::state::State;
use crate::state::links::LinkSpan;
use crate::state::logs::{Backlog, BacklogEnd, LogStart, LogView, TailMode};
use crate::theme::Theme;
use crate::ui::{format, pane_block};
use line::LineLook;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::VecDeque;

pub use line::spans as line_spans;

/// Draws the logs pane; returns how many lines it shows (what a page moves by).
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> u16 {
    let logs = &state.ctx.logs;
    let inner = (
        area.width.saturating_sub(2) as usize,
        area.height.saturating_sub(2) as usize,
    );
    let progress = logs.backlog.as_ref().map(|b| backlog_line(b, theme));
    let height = inner.1.saturating_sub(usize::from(progress.is_some()));
    let look = LineLook {
        theme,
        stamps: logs.stamps,
        now: state.now,
        needles: logs.search.include(),
    };
    let (rows, shown) = window(logs, height, inner.0, &look);
    let mut body: Vec<Line> = progress.into_iter().collect();
    if rows.is_empty() {
        body.push(Line::from(Span::styled(
            empty_reason(logs),
            theme.log_quiet(),
        )));
    }
    body.extend(rows);
    let badges = Line::from(badges(logs, state.now, &follow_hint(state), theme));
    let title = shown_title(area, state, &badges);
    let mut block = pane_block(state, theme, title, None).title_top(badges.right_aligned());
    if let TailMode::Polling { why, .. } = &logs.status.mode {
        block = block.title_bottom(Line::from(Span::styled(
            format!(" {} ", format::clip(why, 60)),
            theme.log_quiet(),
        )));
    }
    f.render_widget(Paragraph::new(body).block(block), area);
    shown.max(1) as u16
}

/// The title as drawn: the badges on the right win, and it is cut to the room left of them.
fn shown_title(area: Rect, state: &State, badges: &Line) -> String {
    let logs = &state.ctx.logs;
    let filter = logs.search.filter.text().chars().count();
    let filter = if filter > 0 { filter + 2 } else { 0 };
    let room = (area.width as usize).saturating_sub(badges.width() + filter + 5);
    format::clip(&title(logs), room)
}

/// Where the title drew the followed log group's name, as a console link: after the border,
/// a space and `logs of group `. Log group names are ASCII, so a character is a cell.
pub fn group_link(area: Rect, state: &State, theme: &Theme) -> Option<LinkSpan> {
    let Some(LogTarget::Group(group)) = state.ctx.logs.target.as_ref() else {
        return None;
    };
    let badges = Line::from(badges(
        &state.ctx.logs,
        state.now,
        &follow_hint(state),
        theme,
    ));
    let title = shown_title(area, state, &badges);
    let shown = title.strip_prefix(GROUP_PREFIX)?;
    let width = shown
        .chars()
        .zip(group.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let x = area.x + 2 + GROUP_PREFIX.len() as u16;
    crate::state::links::log_group_span(state, x, area.y, u16::try_from(width).ok()?)
}

/// How the title begins when the pane follows a log group (`LogTarget`'s Display).
const GROUP_PREFIX: &str = "logs of group ";

/// What the pane follows and holds.
fn title(logs: &LogView) -> String {
    let target = logs
        .target
        .as_ref()
        .map_or("nothing followed".to_string(), |t| t.to_string());
    let mut t = format!(
        "logs of {target} · {} lines · {}",
        logs.buf.len(),
        format::bytes(logs.buf.bytes() as u64)
    );
    if logs.buf.dropped > 0 {
        t.push_str(&format!(" · {} oldest dropped", logs.buf.dropped));
    }
    if let Some(p) = &logs.pattern {
        t.push_str(&format!(" · pattern {}", format::clip(p, 40)));
    }
    t
}

/// How to follow again, with the keys in effect.
fn follow_hint(state: &State) -> String {
    use crate::keys::Command::{Bottom, ToggleFollow};
    let key = |c| state.keys.key_for(crate::keys::Layer::Normal, &c);
    format!("{} or {} follows", key(Bottom), key(ToggleFollow))
}

/// The right of the title: how lines are read, what is wrong with that, and the search.
fn badges(logs: &LogView, now: At, hint: &str, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    if let Some(c) = logs.counter() {
        let ctx = if logs.context { " context" } else { "" };
        out.push(Span::styled(format!(" {c}{ctx} "), theme.waiting()));
    }
    let s = &logs.status;
    if let Some(since) = s.disconnected_since {
        out.push(Span::styled(
            format!(" ⚡ disconnected {} ", format::age(now, since)),
            Style::new().fg(theme.alarm),
        ));
    }
    if s.sampled > 0 {
        out.push(Span::styled(
            format!(" AWS sampled {} updates ", s.sampled),
            theme.waiting(),
        ));
    }
    if s.undecodable > 0 {
        out.push(Span::styled(
            format!(" {} undecodable skipped ", s.undecodable),
            theme.waiting(),
        ));
    }
    let mode = match (&s.mode, logs.start) {
        (_, LogStart::Range(from, to)) => {
            format!("range {}–{} UTC", format::clock(from), format::clock(to))
        }
        (TailMode::Starting, _) => "starting…".to_string(),
        (TailMode::Live, _) => "live".to_string(),
        (TailMode::Polling { every, .. }, _) => format!("polling {}s", every.as_secs()),
        (TailMode::Stopped, _) => "stopped".to_string(),
    };
    let paused = if logs.follow {
        String::new()
    } else {
        format!(" · paused ({hint})")
    };
    let style = match s.mode {
        TailMode::Live => Style::new().fg(theme.ok),
        _ => Style::new().fg(theme.info),
    };
    out.push(Span::styled(format!(" {mode}{paused} "), style));
    out
}

/// The backlog load's line: under way, or how it ended.
fn backlog_line(b: &Backlog, theme: &Theme) -> Line<'static> {
    let secs = b.elapsed.as_secs_f64();
    let (text, style) = match &b.end {
        None => (
            format!(
                "loading {}: {} lines · {} pages · {secs:.1}s · Esc stops",
                b.label, b.lines, b.pages
            ),
            Style::new().fg(theme.info),
        ),
        Some(BacklogEnd::Done) => (
            format!(
                "loaded {}: {} lines in {} pages, {secs:.1}s",
                b.label, b.lines, b.pages
            ),
            theme.log_quiet(),
        ),
        Some(BacklogEnd::Cancelled) => (
            format!("stopped loading {} after {} lines (Esc)", b.label, b.lines),
            theme.waiting(),
        ),
        Some(BacklogEnd::Failed(e)) => (
            format!("loading {} failed after {} lines: {e}", b.label, b.lines),
            Style::new().fg(theme.alarm),
        ),
    };
    Line::from(Span::styled(text, style))
}

fn empty_reason(logs: &LogView) -> String {
    if logs.target.is_none() {
        return "Select a service on the services pane (1), then come back to follow its logs; \
                or :logs GROUP follows any log group."
            .to_string();
    }
    if logs.search.is_active() && !logs.buf.is_empty() {
        return format!(
            "no line matches /{} ({} lines held; Esc clears the filter)",
            logs.search.filter.text(),
            logs.buf.len()
        );
    }
    match logs.fetched_at {
        None => "loading…".to_string(),
        Some(_) => "no lines yet".to_string(),
    }
}

/// The rows on screen: the lines ending at the pane's bottom line, filled forward from it when
/// they do not reach the top (after `g`), and moved down to the selected line if wrapping
/// pushed it off. Returns the rows and how many lines they show.
fn window(
    logs: &LogView,
    height: usize,
    width: usize,
    look: &LineLook<'_>,
) -> (Vec<Line<'static>>, usize) {
    let len = logs.shown_len();
    if len == 0 || height == 0 {
        return (Vec::new(), 0);
    }
    let cursor = logs.cursor_pos();
    let build = |pos: usize| rows_of(logs, pos, width, look);
    let bottom = logs.bottom_pos().min(len - 1);
    let mut rows: VecDeque<Line<'static>> = VecDeque::new();
    let (mut first, mut shown) = (bottom + 1, 0);
    while first > 0 && rows.len() < height {
        first -= 1;
        let mut r = build(first);
        let room = height - rows.len();
        if r.len() > room {
            r.drain(..r.len() - room);
        }
        for line in r.into_iter().rev() {
            rows.push_front(line);
        }
        shown += 1;
    }
    let mut next = bottom + 1;
    while rows.len() < height && next < len {
        rows.extend(build(next).into_iter().take(height - rows.len()));
        next += 1;
        shown += 1;
    }
    if cursor < first {
        // Wrapped lines pushed the selection above the screen: start the screen at it.
        rows.clear();
        shown = 0;
        let mut pos = cursor;
        while rows.len() < height && pos < len {
            rows.extend(build(pos).into_iter().take(height - rows.len()));
            pos += 1;
            shown += 1;
        }
    }
    (rows.into(), shown)
}

/// The rows line `pos` (of those shown) takes: one, or several when wrapped; the selected
/// line (when not following) in the selection's style.
fn rows_of(logs: &LogView, pos: usize, width: usize, look: &LineLook<'_>) -> Vec<Line<'static>> {
    let Some(l) = logs.seq_at(pos).and_then(|s| logs.buf.get(s)) else {
        return Vec::new();
    };
    let group = matches!(logs.target, Some(LogTarget::Group(_)));
    let spans = line::spans(&l, look, group);
    let rows = if logs.wrap {
        line::wrap(spans, width)
    } else {
        vec![Line::from(spans)]
    };
    if logs.follow || pos != logs.cursor_pos() {
        return rows;
    }
    rows.into_iter()
        .map(|r| r.style(look.theme.selected()))
        .collect()
}
