//! The help overlay, drawn from the key map, and the command palette.

use super::widgets::overlay::{centered, popup, wrapped_height};
use crate::keymap::{Action, BINDINGS, Scope};
use crate::model::ActionPlan;
use crate::state::{State, palette};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

pub fn help(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let muted = Style::new().fg(theme.muted);
    let mut lines = Vec::new();
    for b in BINDINGS {
        let mut scope = match b.scope {
            Scope::Global => String::new(),
            // The tasks pane drilled into a service is the rollout view.
            Scope::Only(crate::state::Pane::Tasks) => "  (rollout view)".into(),
            Scope::Only(p) => format!("  ({} pane)", p.title()),
        };
        if b.action == Action::Build {
            scope.push_str("  not in this version");
        }
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<8}", b.label), key),
            Span::styled(b.help, Style::new().fg(theme.fg)),
            Span::styled(scope, muted),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(" Ctrl-C  ", key),
        Span::styled("quit, always", Style::new().fg(theme.fg)),
    ]));
    lines.push(Line::raw(""));
    let mut cmds = vec![Span::styled(" commands ", muted)];
    for (cmd, _) in palette::COMMANDS {
        cmds.push(Span::styled(format!(":{cmd} "), key));
    }
    lines.push(Line::from(cmds));
    if state.read_only {
        lines.push(Line::from(Span::styled(
            " read-only: every mutating action is refused",
            Style::new().fg(theme.warn),
        )));
    }
    let width = 90.min(area.width);
    let h = wrapped_height(&lines, width);
    popup(
        f,
        centered(area, width, h),
        theme,
        "help · Esc to close",
        lines,
    );
}

pub fn palette(f: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", key),
        Span::styled(text.to_string(), Style::new().fg(theme.fg)),
        Span::styled("▏", key),
    ])];
    for (cmd, what) in palette::suggestions(text) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {cmd:<12}"), Style::new().fg(theme.fg)),
            Span::styled(*what, Style::new().fg(theme.muted)),
        ]));
    }
    let h = lines.len() as u16 + 2;
    let r = centered(area, 50, h);
    popup(f, Rect { y: area.y + 1, ..r }, theme, "command", lines);
}

/// The confirmation dialog: the exact call, every change from → to, and the state the plan was
/// made on. Nothing runs without `y` (or, in prod, the service's name).
pub fn confirm(
    f: &mut Frame,
    area: Rect,
    state: &State,
    plan: &ActionPlan,
    typed: &str,
    theme: &Theme,
) {
    let muted = Style::new().fg(theme.muted);
    let fg = Style::new().fg(theme.fg);
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(Span::styled(
        " This will call, in order:",
        muted,
    ))];
    let calls = std::iter::once((None, &plan.service, &plan.mutation)).chain(
        plan.then
            .iter()
            .map(|f| (Some(f.after_stable), &f.service, &f.mutation)),
    );
    for (i, (after_stable, service, mutation)) in calls.enumerate() {
        let when = match after_stable {
            None => format!("on {service}"),
            Some(true) => format!("once {} is stable, on {service}", plan.service),
            Some(false) => format!("then on {service}"),
        };
        lines.push(Line::from(Span::styled(
            format!("   {}. {when}:", i + 1),
            muted,
        )));
        lines.push(Line::from(Span::styled(format!("      {mutation}"), fg)));
    }
    lines.extend([
        Line::raw(""),
        Line::from(Span::styled(" What changes:", muted)),
    ]);
    let label = plan
        .changes
        .iter()
        .map(|(what, _, _)| what.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    for (what, from, to) in &plan.changes {
        lines.push(Line::from(vec![
            Span::styled(format!("   {what:<label$}"), muted),
            Span::styled(from.clone(), Style::new().fg(theme.alarm)),
            Span::styled("  →  ", muted),
            Span::styled(to.clone(), Style::new().fg(theme.ok)),
        ]));
    }
    let e = &plan.expect;
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!(
            " Planned on: {} · desired {}{}{} — refused if any of this changes before the call.",
            e.task_def,
            e.desired,
            e.primary_deployment
                .as_ref()
                .map_or(String::new(), |d| format!(" · deployment {d}")),
            e.hook
                .as_ref()
                .map_or(String::new(), |(id, st)| format!(" · hook {id} {st:?}")),
        ),
        muted,
    )));
    lines.push(Line::raw(""));
    if state.context.prod {
        lines.push(Line::from(vec![
            Span::styled(
                " PROD · type ",
                Style::new().fg(theme.warn).add_modifier(Modifier::BOLD),
            ),
            Span::styled(plan.service.name.clone(), key),
            Span::styled(" and Enter to confirm: ", Style::new().fg(theme.warn)),
            Span::styled(typed.to_string(), fg),
            Span::styled("▏", key),
        ]));
    } else {
        lines.push(Line::from(vec![
            Span::styled(" y", key),
            Span::styled(" confirm   ", fg),
            Span::styled("n / Esc", key),
            Span::styled(" cancel", fg),
        ]));
    }
    let width = area.width.saturating_sub(4);
    let h = wrapped_height(&lines, width);
    let title = format!("{} {}?", plan.verb, plan.service);
    popup(f, centered(area, width, h), theme, &title, lines);
}

pub fn scale(f: &mut Frame, area: Rect, state: &State, typed: &str, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let target = state.action_target();
    let now = target.map_or(String::from("?"), |s| s.desired.to_string());
    let lines = vec![Line::from(vec![
        Span::styled(
            format!(" desired count (now {now}): "),
            Style::new().fg(theme.fg),
        ),
        Span::styled(typed.to_string(), key),
        Span::styled("▏", key),
    ])];
    let name = target.map_or(String::new(), |s| s.key().to_string());
    popup(
        f,
        centered(area, 60, 3),
        theme,
        &format!("scale {name}"),
        lines,
    );
}
