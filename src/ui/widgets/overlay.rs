//! Popups drawn over a pane: help, palette and item detail.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// A rectangle `w`×`h` centred in `area`, shrunk to fit.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears what a popup at `area` claims: its rectangle and a column either side, painted in the
/// base style, so no line of the pane below shows between its border and the pane's. The
/// screen's outer columns (the pane's own border) stay.
pub fn claim(f: &mut Frame, area: Rect, theme: &Theme) {
    let x = area.x.saturating_sub(1);
    let margin = Rect {
        x,
        width: area.right().saturating_add(1).saturating_sub(x),
        ..area
    };
    let screen = f.area();
    let inside = Rect {
        x: screen.x.saturating_add(1),
        width: screen.width.saturating_sub(2),
        ..screen
    };
    let margin = margin.intersection(inside).union(area.intersection(screen));
    f.render_widget(Clear, margin);
    f.render_widget(Block::default().style(theme.base()), margin);
}

pub fn popup(f: &mut Frame, area: Rect, theme: &Theme, title: &str, lines: Vec<Line<'static>>) {
    popup_scrolled(f, area, theme, title, lines, 0);
}

/// A popup whose text is scrolled down by `scroll` rows.
pub fn popup_scrolled(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
) {
    claim(f, area, theme);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::new().fg(theme.accent))
        .title(
            Line::from(format!(" {title} "))
                .style(Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
        );
    let p = Paragraph::new(lines)
        .block(block)
        .style(theme.base())
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    f.render_widget(p, area);
}

/// Rows `text` takes wrapped between words at `width` (at least one), up to `max`.
pub fn text_rows(text: &str, width: u16, max: u16) -> u16 {
    let rows = Paragraph::new(Line::raw(text))
        .wrap(Wrap { trim: false })
        .line_count(width.max(1));
    (rows as u16).clamp(1, max.max(1))
}

/// Rows `lines` take when word-wrapped in a popup of `width` (borders included), as the popup
/// wraps them: a line broken between words can take more rows than its width suggests.
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let inner = width.saturating_sub(2).max(1);
    let rows = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(inner);
    (rows as u16).saturating_add(2)
}
