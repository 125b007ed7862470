use crate::model::{At, Findings, Image};
use crate::state::table::columns::ImageColumn;
use crate::state::{ListArea, State};
use crate::theme::Theme;
use crate::ui::widgets::columns::{Column, col, long};
use crate::ui::widgets::table::{self, Spec};
use crate::ui::{format, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The images table's columns: the repository and tag never leave the screen.
const COLUMNS: [Column<ImageColumn>; 7] = [
    col("REPOSITORY", 0, 10).sorts(ImageColumn::Repository),
    col("TAG", 0, 6).short(12).sorts(ImageColumn::Tag),
    long("DIGEST", 5, 19),
    col("PUSHED", 3, 6).sorts(ImageColumn::Pushed),
    col("SIZE", 6, 7).sorts(ImageColumn::Size),
    col("FINDINGS C/H/M/L", 2, 11).sorts(ImageColumn::Findings),
    long("USED BY", 4, 12).sorts(ImageColumn::UsedBy),
];

/// Findings by severity, the worst in the alarm colour.
pub fn findings_line(f: Option<Findings>, theme: &Theme) -> Line<'static> {
    let Some(f) = f else {
        return Line::from(Span::styled("not scanned", Style::new().fg(theme.muted)));
    };
    let part = |n: u32, label: &str, style: Style| {
        Span::styled(
            format!("{label}{n} "),
            if n == 0 {
                Style::new().fg(theme.muted)
            } else {
                style
            },
        )
    };
    Line::from(vec![
        part(
            f.critical,
            "C",
            Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
        ),
        part(f.high, "H", Style::new().fg(theme.alarm)),
        part(f.medium, "M", Style::new().fg(theme.warn)),
        part(f.low, "L", Style::new().fg(theme.fg)),
    ])
}

/// Draws the images table; returns where its rows are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let t = &state.ctx.images;
    let spec = Spec {
        columns: &COLUMNS,
        len: t.len(),
        selected: t.selected,
        sort: table::sort_of(t.sort.as_ref(), &COLUMNS),
        block: pane_block(
            state,
            theme,
            "images".into(),
            Some((t.len(), t.items.len())),
        ),
    };
    table::draw(f, area, theme, spec, |i| {
        row(&t.items[t.view[i]], state.now, theme)
    })
}

fn row(img: &Image, now: At, theme: &Theme) -> Vec<Line<'static>> {
    let in_use = !img.used_by.is_empty();
    vec![
        Line::from(img.repository.clone()),
        Line::from(
            img.tags
                .first()
                .cloned()
                .unwrap_or_else(|| "<untagged>".into()),
        ),
        // A wide terminal shows the whole digest, a narrow one its start.
        Line::styled(img.digest.clone(), Style::new().fg(theme.muted)),
        Line::from(format::age(now, img.pushed_at)),
        Line::from(format::bytes(img.size_bytes)),
        findings_line(img.findings, theme),
        Line::styled(
            if in_use {
                img.used_by.join(", ")
            } else {
                "-".into()
            },
            Style::new().fg(if in_use { theme.ok } else { theme.muted }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_column_that_sorts_is_headed_by_its_sort_word() {
        crate::ui::widgets::table::assert_columns_agree(&super::COLUMNS, &[]);
    }
}
