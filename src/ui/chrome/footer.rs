//! The footer: in a prompt or dialog, that mode's keys; otherwise a message, or the action keys
//! that are valid for the selected service right now (the others greyed, and the first one's
//! reason when there is room), then the keys to move about, as many as fit.

use crate::keys::{Binding, Command};
use crate::state::actions::plan;
use crate::state::{Mode, State};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Rows a message takes at most: a longer one is cut at the end of its last row.
const MESSAGE_ROWS: u16 = 4;

/// The message the footer shows instead of keys: in normal mode, and in a prod dialog (where
/// a wrong name is refused with one).
fn message(state: &State) -> Option<&str> {
    let shown = match state.mode {
        Mode::Normal => true,
        Mode::Confirm(..) => state.ctx.info.prod,
        _ => false,
    };
    state
        .flash
        .as_ref()
        .filter(|_| shown)
        .map(|(m, _)| m.as_str())
}

/// Rows the footer needs at `width`: one, or as many as a message needs to be read whole.
pub fn height(state: &State, width: u16) -> u16 {
    message(state).map_or(1, |msg| {
        crate::ui::widgets::overlay::text_rows(&format!(" {msg}"), width, MESSAGE_ROWS)
    })
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let text = Style::new().fg(theme.muted);
    let hints = state.keys.mode_hints(state.layer());
    let line = match &state.mode {
        _ if message(state).is_some() => {
            let msg = message(state).unwrap_or_default();
            Line::from(Span::styled(format!(" {msg}"), theme.waiting()))
        }
        Mode::Filter => Line::from(vec![
            Span::styled(" /", key),
            Span::styled(
                state.current().filter().to_string(),
                Style::new().fg(theme.fg),
            ),
            Span::styled("▏", key),
            Span::styled(format!("  {hints}"), text),
        ]),
        Mode::Confirm(..) if state.ctx.info.prod => {
            Line::from(Span::styled(format!(" {hints}"), theme.waiting()))
        }
        Mode::Normal => normal(state, theme, area.width),
        _ => Line::from(Span::styled(format!(" {hints}"), text)),
    };
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}

/// Why an action key would not act on the target now; None when it would.
fn refusal(state: &State, b: &Binding) -> Option<String> {
    let verb = b.command.verb()?;
    if state.ctx.read_only {
        return Some("read-only".into());
    }
    let target = state.ctx.action_target()?;
    let touched = crate::state::jobs::pair_keys(&target.key(), &state.ctx.services.items);
    if let Some(j) = state.ctx.jobs.conflict(&touched) {
        return Some(format!("{} at work", j.title()));
    }
    let plan = match verb {
        crate::model::Verb::Scale => return None,
        v => plan::for_verb(v, target, &state.ctx.services.items, None),
    };
    plan.err().map(|r| r.to_string())
}

/// `⟳ 2 jobs │` while jobs run; nothing otherwise.
fn jobs_count(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let running = state.ctx.jobs.running_count();
    if running == 0 {
        return Vec::new();
    }
    let jobs = if running == 1 { "job" } else { "jobs" };
    vec![
        Span::styled(format!(" ⟳ {running} {jobs}"), theme.waiting()),
        Span::styled(" │", Style::new().fg(theme.muted)),
    ]
}

fn normal(state: &State, theme: &Theme, width: u16) -> Line<'static> {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let text = Style::new().fg(theme.muted);
    let dim = Style::new()
        .fg(theme.muted)
        .add_modifier(Modifier::CROSSED_OUT);
    let mut spans = jobs_count(state, theme);
    let mut first_refusal = None;
    if state.ctx.action_target().is_some() {
        for b in state
            .keys
            .normal()
            .iter()
            .filter(|b| b.command.verb().is_some())
        {
            match refusal(state, b) {
                None => {
                    spans.push(Span::styled(format!(" {}", b.label), key));
                    spans.push(Span::styled(
                        format!(" {} ", b.hint.unwrap_or(b.help)),
                        text,
                    ));
                }
                Some(why) => {
                    spans.push(Span::styled(format!(" {}", b.label), dim));
                    first_refusal.get_or_insert(why);
                }
            }
        }
        spans.push(Span::styled(" │", text));
    }
    let item = |b: &Binding| {
        [
            Span::styled(format!(" {}", b.label), key),
            Span::styled(format!(" {} ", b.hint.unwrap_or(b.help)), text),
        ]
    };
    // Help and quit always show, last; the other moves fill the room before them.
    let (last, moves): (Vec<&Binding>, Vec<&Binding>) = state
        .keys
        .hints(state.layer(), state.ctx.pane)
        .filter(|b| b.command.verb().is_none())
        .partition(|b| matches!(b.command, Command::Help | Command::Quit));
    let tail: Vec<Span> = last.iter().flat_map(|b| item(b)).collect();
    for b in moves {
        let next = item(b);
        if used(&spans) + used(&next) + used(&tail) > width as usize {
            break;
        }
        spans.extend(next);
    }
    spans.extend(tail);
    if let Some(why) = first_refusal {
        let why = format!(" · {why}");
        if used(&spans) + why.chars().count() <= width as usize {
            spans.push(Span::styled(why, text));
        }
    }
    Line::from(spans)
}

fn used(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}
