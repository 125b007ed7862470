//! The arm dialog: the policy and the rule it acts by, that it acts only while this console
//! runs, that any key on the service disarms it, and how to arm it.

use crate::model::verdict::{Rule, error_limit};
use crate::state::State;
use crate::state::rollout::policy::ArmDialog;
use crate::theme::Theme;
use crate::ui::widgets::overlay::{centered, popup, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// What the policy does, in the rule's own figures.
fn rule_lines(d: &ArmDialog, rule: &Rule) -> Vec<String> {
    let p = &d.armed.policy;
    let mut out = Vec::new();
    if p.on_pass_continue {
        out.push(format!(
            " on PASS: promote once PASS has held {} min and the soak is over",
            rule.pass_minutes
        ));
    }
    if p.on_fail_abort {
        out.push(format!(
            " on FAIL: abort after {} FAIL reads of distinct minutes in a row",
            rule.fails_to_abort
        ));
    }
    out.push(format!(
        " FAIL: an alarm on the canary's side, or canary 5xx > primary × {} + {} pt \
         (0.2% → {:.1}%), or p99 > primary × {} + {} ms",
        rule.error_ratio,
        rule.error_points,
        error_limit(rule, 0.2),
        rule.p99_ratio,
        rule.p99_slack_ms,
    ));
    out.push(format!(
        " INCONCLUSIVE below {} requests on a side; PASS otherwise",
        rule.min_requests
    ));
    out
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, d: &ArmDialog, theme: &Theme) {
    let key = &d.armed.service;
    let rule = state.analysis.rule_for(&key.name);
    let fg = Style::new().fg(theme.fg);
    let muted = Style::new().fg(theme.muted);
    let mut lines: Vec<Line<'static>> = rule_lines(d, rule)
        .into_iter()
        .map(|l| Line::styled(l, fg))
        .collect();
    lines.push(Line::raw(""));
    for note in [
        " It acts only while this console runs, once, then disarms.",
        " Each act is the plan a key makes: re-checked, audited as \"policy armed by\" you.",
        " Any key you press on this service disarms it; nothing acts in read-only.",
    ] {
        lines.push(Line::styled(note, muted));
    }
    lines.push(Line::raw(""));
    let strong = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    lines.push(if state.ctx.info.prod {
        Line::from(vec![
            Span::styled(
                " PROD · type ",
                theme.waiting().add_modifier(Modifier::BOLD),
            ),
            Span::styled(key.name.clone(), strong),
            Span::styled(" and Enter to arm: ", theme.waiting()),
            Span::styled(d.typed.clone(), fg),
            Span::styled("▏", strong),
        ])
    } else {
        Line::from(vec![
            Span::styled(" y", strong),
            Span::styled(" arm   ", fg),
            Span::styled("any other key", strong),
            Span::styled(" cancels", fg),
        ])
    });
    let width = area.width.saturating_sub(4);
    let h = wrapped_height(&lines, width);
    let title = format!("arm the policy for {key}'s rollout? (AUTO)");
    popup(f, centered(area, width, h), theme, &title, lines);
}
