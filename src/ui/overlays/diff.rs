//! What changed between two task definition revisions, field by field: `:diff` over the
//! rollout view, and a section of the promote, rollback and deploy dialogs.

use crate::model::taskdef::{DiffLine, FieldChange, diff};
use crate::model::{ServiceKey, TaskDefRef, TaskDefinition};
use crate::state::State;
use crate::state::rollout::evidence::diff_pair;
use crate::theme::Theme;
use crate::ui::widgets::overlay::centered;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The fields a diff compares, for the line that says nothing differs.
const COMPARED: &str =
    "image, environment, secrets, command, ports, health check, log configuration, cpu, memory";

fn change_spans(d: &DiffLine, theme: &Theme) -> Vec<Span<'static>> {
    let style = theme.diff_change(&d.change);
    match &d.change {
        FieldChange::Added(v) => vec![Span::styled(format!("+ {v}"), style)],
        FieldChange::Removed(v) => vec![Span::styled(format!("- {v}"), style)],
        // An environment variable's value is never shown: only that it changed.
        FieldChange::Changed { from, to } if from == to => {
            vec![Span::styled(format!("~ {to} (value changed)"), style)]
        }
        FieldChange::Changed { from, to } => vec![
            Span::styled(format!("~ {from}"), style),
            Span::styled(" → ", Style::new().fg(theme.muted)),
            Span::styled(to.clone(), style.add_modifier(Modifier::BOLD)),
        ],
    }
}

/// The diff from `a` to `b` as lines: the task's own fields, then each container's under its
/// name, one line per changed field (`    secret       - NAME=arn`). What the deploy dialog
/// calls with the running and the new task definition.
pub fn diff_lines(a: &TaskDefinition, b: &TaskDefinition, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let changes = diff(a, b);
    if changes.is_empty() {
        return vec![Line::from(Span::styled(
            format!("  no difference in {COMPARED}"),
            muted,
        ))];
    }
    let field = changes.iter().map(|d| d.field.len()).max().unwrap_or(0);
    let mut lines = Vec::new();
    let mut scope: Option<&str> = None;
    for d in &changes {
        if scope != Some(d.container.as_str()) {
            scope = Some(&d.container);
            let title = if d.container.is_empty() {
                "task".to_string()
            } else {
                format!("container {}", d.container)
            };
            lines.push(Line::from(Span::styled(
                format!("  {title}"),
                Style::new().fg(theme.fg).add_modifier(Modifier::BOLD),
            )));
        }
        let mut spans = vec![Span::styled(format!("    {:<field$}  ", d.field), muted)];
        spans.extend(change_spans(d, theme));
        lines.push(Line::from(spans));
    }
    lines
}

/// The diff of `pair` from what the state holds, or what stands in for it: loading, or why
/// a revision could not be read.
pub fn pair_lines(
    state: &State,
    pair: &(TaskDefRef, TaskDefRef),
    theme: &Theme,
) -> Vec<Line<'static>> {
    let (a, b) = pair;
    match (state.ctx.evidence.taskdef(a), state.ctx.evidence.taskdef(b)) {
        (Some(Ok(a)), Some(Ok(b))) => diff_lines(a, b, theme),
        (Some(Err(e)), _) | (_, Some(Err(e))) => vec![Line::from(Span::styled(
            format!("  ⚠ task definition could not be read: {e}"),
            Style::new().fg(theme.alarm),
        ))],
        _ => vec![Line::from(Span::styled(
            format!("  reading {a} and {b}…"),
            Style::new().fg(theme.info),
        ))],
    }
}

/// A dialog's section: a title line, then at most `max` lines of the diff, the rest counted.
pub fn section(
    state: &State,
    pair: &(TaskDefRef, TaskDefRef),
    max: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    if max < 2 {
        return Vec::new();
    }
    let muted = Style::new().fg(theme.muted);
    let mut lines = vec![Line::from(Span::styled(
        format!(" What differs, {} → {}:", pair.0, pair.1),
        muted,
    ))];
    let body = pair_lines(state, pair, theme);
    let room = max - 1;
    if body.len() <= room {
        lines.extend(body);
    } else {
        let more = body.len() - (room - 1);
        lines.extend(body.into_iter().take(room - 1));
        lines.push(Line::from(Span::styled(
            format!("  … {more} more (:diff in the rollout view shows them all)"),
            muted,
        )));
    }
    lines
}

/// `lines` in a popup over `area`, from line `scroll` (clamped so the last page stays full),
/// with where the view is in the title. Lines are cut at the edge, not wrapped, so a scroll
/// moves by one line.
pub fn scrolling(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
) {
    let h = (lines.len() as u16 + 2).min(area.height);
    let visible = h.saturating_sub(2) as usize;
    let top = (scroll as usize).min(lines.len().saturating_sub(visible));
    let total = lines.len();
    let shown: Vec<Line<'static>> = lines.into_iter().skip(top).take(visible).collect();
    let title = if total > visible {
        format!(
            " {title} · {}-{} of {total} · j/k PgDn/PgUp · Esc ",
            top + 1,
            top + shown.len()
        )
    } else {
        format!(" {title} · Esc to close ")
    };
    let rect = centered(area, area.width.saturating_sub(2), h);
    crate::ui::widgets::overlay::claim(f, rect, theme);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::new().fg(theme.accent))
        .title(Line::from(title).style(Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)));
    f.render_widget(Paragraph::new(shown).block(block).style(theme.base()), rect);
}

/// `:diff`: the revisions a rollout compares, in full.
pub fn draw(f: &mut Frame, area: Rect, state: &State, key: &ServiceKey, theme: &Theme) {
    let all = &state.ctx.services.items;
    let Some(s) = all.iter().find(|s| s.key() == *key) else {
        return;
    };
    let (title, lines) = match diff_pair(s, all) {
        Some(pair) => (
            format!("diff {} → {}", pair.0, pair.1),
            pair_lines(state, &pair, theme),
        ),
        None => (
            format!("diff of {key}"),
            vec![Line::from(Span::styled(
                format!("  {key} has no other revision to compare with"),
                Style::new().fg(theme.muted),
            ))],
        ),
    };
    scrolling(f, area, theme, &title, lines, state.ctx.evidence.scroll);
}
