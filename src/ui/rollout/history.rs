//! The last deployments and how they ended, as lines: `ROLLED BACK by circuit breaker 2m ago ·
//! 43 → 42` on the service row, and the last few in the rollout view.

use crate::model::{At, Outcome, PastDeployment, Service};
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Deployments the rollout view lists.
pub const SHOWN: usize = 3;

/// When it ended (or began, while it runs), as an age.
fn when(now: At, e: &PastDeployment) -> String {
    let at = e.ended_at.unwrap_or(e.started_at);
    if at <= At::EPOCH {
        return String::new();
    }
    format!(" {} ago", format::age(now, at))
}

/// One deployment: `ROLLED BACK by circuit breaker 2m ago · 43 → 42`.
pub fn entry_spans(now: At, e: &PastDeployment, theme: &Theme) -> Vec<Span<'static>> {
    let headline = e.headline();
    let (what, moves) = headline
        .split_once(" · ")
        .map_or((headline.as_str(), ""), |(a, b)| (a, b));
    let mut spans = vec![
        Span::styled(what.to_string(), theme.outcome(&e.outcome)),
        Span::styled(when(now, e), Style::new().fg(theme.muted)),
    ];
    if !moves.is_empty() {
        spans.push(Span::styled(
            format!(" · {moves}"),
            Style::new().fg(theme.fg),
        ));
    }
    spans
}

/// The services table's ROLLOUT cell after a deployment failed or was rolled back, until the
/// next one: `↩ ROLLED BACK 2m 43→42`. None when the last one went well.
pub fn row_summary(s: &Service, now: At, theme: &Theme) -> Option<Line<'static>> {
    if s.in_progress() {
        return None;
    }
    let e = s.last_outcome()?;
    if !e.outcome.is_bad() {
        return None;
    }
    let rev = |r: u32| {
        if r == 0 {
            "?".to_string()
        } else {
            r.to_string()
        }
    };
    let moves = match &e.outcome {
        Outcome::RolledBack { to: Some(to), .. } => {
            format!(" {}→{}", rev(e.revision.revision), rev(to.revision))
        }
        _ => format!(" {}", rev(e.revision.revision)),
    };
    let word = if matches!(e.outcome, Outcome::RolledBack { .. }) {
        "↩ ROLLED BACK"
    } else {
        "✗ FAILED"
    };
    let age = e
        .ended_at
        .map_or(String::new(), |at| format!(" {}", format::age(now, at)));
    Some(Line::from(vec![
        Span::styled(word, theme.outcome(&e.outcome)),
        Span::styled(age, Style::new().fg(theme.muted)),
        Span::styled(moves, Style::new().fg(theme.fg)),
    ]))
}

/// The rollout view's history: the last deployments that ended (or run), newest first.
pub fn lines(s: &Service, now: At, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    s.history
        .iter()
        .filter(|e| !(e.is_rollback && e.outcome == Outcome::Completed))
        .take(SHOWN)
        .enumerate()
        .map(|(i, e)| {
            let mut spans = vec![Span::styled(
                if i == 0 { "  history " } else { "          " },
                muted,
            )];
            spans.extend(entry_spans(now, e, theme));
            if e.outcome.is_bad() && !e.reason.is_empty() {
                spans.push(Span::styled(format!("  {}", e.reason), muted));
            }
            Line::from(spans)
        })
        .collect()
}

/// What the rollout view says when the current revision is a rollback's result.
pub fn rolled_back_line(s: &Service, now: At, theme: &Theme) -> Option<Line<'static>> {
    let here = s.rolled_back_here()?;
    let mut spans = vec![Span::styled(
        format!("  {} is the result of a rollback: ", s.task_def),
        theme.outcome(&here.failed.outcome),
    )];
    spans.extend(entry_spans(now, here.failed, theme));
    Some(Line::from(spans))
}
