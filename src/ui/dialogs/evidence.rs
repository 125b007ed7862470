//! What the promote, abort and rollback dialogs add to the calls and changes: why a rollback
//! chose its target, the canary against the primary, and what differs between the revisions.
//! Each section is left out, or cut, when the screen has no room for it; the keys line never is.

use crate::model::{ActionPlan, Verb};
use crate::state::State;
use crate::state::rollout::evidence::plan_pair;
use crate::theme::Theme;
use crate::ui::widgets::overlay::wrapped_height;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Lines a diff section needs at least to be worth showing.
const MIN_DIFF: usize = 3;

fn notes(plan: &ActionPlan, theme: &Theme) -> Vec<Line<'static>> {
    if plan.notes.is_empty() {
        return Vec::new();
    }
    let muted = Style::new().fg(theme.muted);
    let mut lines = vec![Line::from(Span::styled(" Why this target:", muted))];
    lines.extend(
        plan.notes
            .iter()
            .map(|n| Line::from(Span::styled(format!("   {n}"), Style::new().fg(theme.fg)))),
    );
    lines
}

fn comparison(state: &State, plan: &ActionPlan, theme: &Theme) -> Vec<Line<'static>> {
    if !matches!(plan.verb, Verb::Promote | Verb::Abort) {
        return Vec::new();
    }
    let Some(s) = state.ctx.service(&plan.service) else {
        return Vec::new();
    };
    let body = crate::ui::rollout::evidence::lines(state, s, theme);
    let Some(sides) = state.ctx.sides_of(s).filter(|_| !body.is_empty()) else {
        return Vec::new();
    };
    // Named for what this rollout compares: a rolling one, new against before.
    let (a, b) = (sides.canary.role.label(), sides.primary.role.label());
    let mut first = a.chars();
    let a = first
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(first).collect());
    let mut lines = vec![Line::from(Span::styled(
        format!(" {a} against {b} (evidence only; nothing acts on it):"),
        Style::new().fg(theme.muted),
    ))];
    lines.extend(body);
    lines
}

/// The sections, in at most `room` rows of a dialog `width` wide, each followed by a blank
/// line.
pub fn sections(
    state: &State,
    plan: &ActionPlan,
    room: usize,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let rows = |lines: &[Line]| (wrapped_height(lines, width) - 2) as usize;
    let mut out: Vec<Line<'static>> = Vec::new();
    for section in [notes(plan, theme), comparison(state, plan, theme)] {
        if !section.is_empty() && rows(&out) + rows(&section) < room {
            out.extend(section);
            out.push(Line::raw(""));
        }
    }
    let wants_diff = matches!(plan.verb, Verb::Promote | Verb::Rollback);
    let left = room.saturating_sub(rows(&out) + 1);
    let pair =
        plan_pair(plan, &state.ctx.services.items).filter(|_| wants_diff && left >= MIN_DIFF);
    if let Some(pair) = pair {
        let mut diff = crate::ui::overlays::diff::section(state, &pair, left, theme);
        // Diff lines that wrap take more rows: drop from the end until it fits.
        while diff.len() > 1 && rows(&diff) > left {
            diff.pop();
        }
        out.extend(diff);
        out.push(Line::raw(""));
    }
    out
}
