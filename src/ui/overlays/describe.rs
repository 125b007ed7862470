//! `:describe`: the answer as the API returned it, over the whole body, long lines wrapped;
//! the search's matches highlighted, the current one marked.

use crate::state::State;
use crate::state::describe::{DescribeView, match_ranges};
use crate::theme::Theme;
use crate::ui::format;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Draws the view; returns how far it may scroll.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> usize {
    let Some(view) = state.describe.as_ref() else {
        return 0;
    };
    let rect = Rect {
        x: area.x.saturating_add(1),
        width: area.width.saturating_sub(2),
        ..area
    };
    crate::ui::widgets::overlay::claim(f, rect, theme);
    let visible = rect.height.saturating_sub(2) as usize;
    let (lines, total, limit): (Vec<Line<'static>>, usize, usize) = match &view.doc {
        None => (vec![muted("  asking…", theme)], 0, 0),
        Some(Err(e)) => (
            vec![Line::styled(format!("  {e}"), Style::new().fg(theme.alarm))],
            0,
            0,
        ),
        Some(Ok(doc)) => {
            let inner = rect.width.saturating_sub(2);
            let rows = |l: &String| wrapped_rows(l, inner);
            let limit = scroll_limit(&doc.lines, visible, rows);
            let top = view.scroll.min(limit);
            let (mut used, mut lines) = (0, Vec::new());
            for (i, l) in doc.lines.iter().enumerate().skip(top) {
                used += rows(l);
                if used > visible && !lines.is_empty() {
                    break;
                }
                lines.push(line(view, i, l, theme));
            }
            (lines, doc.lines.len(), limit)
        }
    };
    let shown = lines.len();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::new().fg(theme.accent))
        .title(
            Line::from(title(view, total, view.scroll.min(limit), shown))
                .style(Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
        )
        .title_bottom(Line::from(bottom(view, state)).style(Style::new().fg(theme.muted)));
    let text = Paragraph::new(lines)
        .block(block)
        .style(theme.base())
        .wrap(Wrap { trim: false });
    f.render_widget(text, rect);
    limit
}

fn muted(text: &str, theme: &Theme) -> Line<'static> {
    Line::styled(text.to_string(), Style::new().fg(theme.muted))
}

/// The rows `text` takes at `width`, wrapped as the view wraps it (with its 2-cell marker).
fn wrapped_rows(text: &str, width: u16) -> usize {
    let line = Line::from(format!("  {text}"));
    Paragraph::new(line)
        .wrap(Wrap { trim: false })
        .line_count(width)
        .max(1)
}

/// The first line from which the rest of the document fills the view: how far it scrolls.
fn scroll_limit(lines: &[String], visible: usize, rows: impl Fn(&String) -> usize) -> usize {
    let mut used = 0;
    for (i, l) in lines.iter().enumerate().rev() {
        used += rows(l);
        if used > visible {
            return i + 1;
        }
    }
    0
}

/// ` service prod/web · ecs:DescribeServices · JSON · 3.1 KB · 1-20 of 140 `.
fn title(view: &DescribeView, total: usize, top: usize, shown: usize) -> String {
    let mut t = format!(" {}", view.target.label());
    if let Some(Ok(doc)) = &view.doc {
        t.push_str(&format!(
            " · {} · {} · {}",
            doc.operation,
            doc.format.name(),
            format::bytes(doc.bytes as u64)
        ));
        if shown < total {
            t.push_str(&format!(" · {}-{} of {total}", top + 1, top + shown));
        }
    }
    t.push(' ');
    t
}

/// What the search found, or how to search; and that the body was cut, when it was.
fn bottom(view: &DescribeView, state: &State) -> String {
    let mut parts = Vec::new();
    if let Some(Ok(doc)) = &view.doc
        && doc.cut
    {
        parts.push(format!(
            "cut: the first {} or {} lines shown",
            format::bytes(crate::model::raw_doc::MAX_BODY_BYTES as u64),
            crate::model::raw_doc::MAX_LINES
        ));
    }
    let typing = state.mode == crate::state::Mode::DescribeSearch;
    if typing || !view.query.is_empty() {
        let found = match (view.current, view.matches.len()) {
            (_, 0) if view.query.is_empty() => String::new(),
            (_, 0) => " · no match".to_string(),
            (Some(i), n) => format!(" · match {} of {n} · n/N", i + 1),
            (None, n) => format!(" · {n} matches"),
        };
        let cursor = if typing { "▏" } else { "" };
        parts.push(format!("/{}{cursor}{found}", view.query));
    } else {
        parts.push("/ search · j/k PgDn/PgUp · Esc".to_string());
    }
    format!(" {} ", parts.join(" · "))
}

/// One line, its matches highlighted (the current match's line marked in the margin).
fn line(view: &DescribeView, i: usize, text: &str, theme: &Theme) -> Line<'static> {
    let current = view.current_line() == Some(i);
    let marker = if current { "▶ " } else { "  " };
    let mut spans = vec![Span::styled(marker, Style::new().fg(theme.accent))];
    let mut at = 0;
    for (s, e) in match_ranges(text, &view.query) {
        spans.push(Span::raw(text[at..s].to_string()));
        spans.push(Span::styled(text[s..e].to_string(), theme.log_match()));
        at = e;
    }
    spans.push(Span::raw(text[at..].to_string()));
    Line::from(spans)
}
