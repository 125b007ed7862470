//! The confirmation dialog: the exact calls, every change from → to, and the state the plan
//! was made on. Nothing runs without `y` (or, in prod, the service's name).

use crate::keys::{Command, Layer};
use crate::model::ActionPlan;
use crate::state::State;
use crate::theme::Theme;
use crate::ui::widgets::overlay::{centered, popup, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the dialog; returns its buttons (the keys' hints) for clicks.
pub fn draw(
    f: &mut Frame,
    area: Rect,
    state: &State,
    plan: &ActionPlan,
    typed: &str,
    theme: &Theme,
) -> Vec<(Rect, Command)> {
    let mut lines = calls(plan, theme);
    lines.push(Line::raw(""));
    lines.extend(changes(state, plan, theme));
    lines.extend(owner_and_commits(state, plan, area.height / 3, theme));
    lines.push(Line::raw(""));
    let mut tail = vec![planned_on(plan, theme), Line::raw("")];
    if let Some(c) = state.builds.deploy.as_ref().filter(|c| c.targets.len() > 1) {
        let next = &c.targets[(c.at + 1) % c.targets.len()];
        tail.push(Line::from(Span::styled(
            format!(" Tab: deploy to {next} instead"),
            Style::new().fg(theme.accent),
        )));
    }
    let word = crate::state::rollout::verdict::confirm_word(plan, state.ctx.info.prod);
    let (last, buttons) = if let Some(word) = word {
        (typed_confirmation(plan, &word, typed, theme), Vec::new())
    } else {
        keys(state, theme)
    };
    tail.push(last.clone());
    let width = area.width.saturating_sub(4);
    // The evidence gets the rows the calls, changes and keys leave.
    let used = wrapped_height(&lines, width) + wrapped_height(&tail, width) - 2;
    let room = area.height.saturating_sub(used) as usize;
    lines.extend(crate::ui::dialogs::evidence::sections(
        state, plan, room, width, theme,
    ));
    lines.extend(tail);
    let h = wrapped_height(&lines, width);
    let title = format!("{} {}?", plan.verb, plan.service);
    let r = centered(area, width, h);
    popup(f, r, theme, &title, lines);
    // The keys always on the dialog's last row, where the buttons' places are known.
    let row = Rect {
        x: r.x.saturating_add(1),
        y: r.bottom().saturating_sub(2).max(r.y),
        width: r.width.saturating_sub(2),
        height: 1,
    };
    f.render_widget(Paragraph::new(last).style(theme.base()), row);
    buttons
        .into_iter()
        .map(|(x, w, c)| {
            let at = Rect {
                x: row.x.saturating_add(x),
                width: w,
                ..row
            };
            (at.intersection(row), c)
        })
        .collect()
}

/// Every call, numbered, with when it runs.
fn calls(plan: &ActionPlan, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
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
        lines.push(Line::from(Span::styled(
            format!("      {mutation}"),
            Style::new().fg(theme.fg),
        )));
    }
    lines
}

/// What changes, from → to, with the labels aligned; a scale's estimated cost after them.
fn changes(state: &State, plan: &ActionPlan, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let mut lines = vec![Line::from(Span::styled(" What changes:", muted))];
    let label = plan
        .changes
        .iter()
        .map(|c| c.what.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    for c in &plan.changes {
        lines.push(Line::from(vec![
            Span::styled(format!("   {:<label$}", c.what), muted),
            Span::styled(c.from.clone(), Style::new().fg(theme.alarm)),
            Span::styled("  →  ", muted),
            Span::styled(c.to.clone(), Style::new().fg(theme.ok)),
        ]));
    }
    lines.extend(crate::ui::dialogs::cost::scale_line(state, plan, theme));
    lines
}

/// What the owners of the services changed do to the change (always shown), then the commits
/// behind it, at most `rows` lines of them.
fn owner_and_commits(
    state: &State,
    plan: &ActionPlan,
    rows: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = crate::state::owners::consequences(state, plan)
        .into_iter()
        .map(|c| Line::styled(format!(" ⚑ {c}"), theme.waiting()))
        .collect();
    let commits = crate::state::actions::commits::dialog_lines(state, plan);
    let rows = usize::from(rows.max(2));
    let shown = commits.len().min(rows);
    let muted = Style::new().fg(theme.muted);
    lines.extend(
        commits
            .iter()
            .take(shown)
            .map(|c| Line::styled(format!(" {c}"), muted)),
    );
    if commits.len() > shown {
        lines.push(Line::styled(
            format!(
                " … {} more lines of commits (the audit record keeps them all)",
                commits.len() - shown
            ),
            muted,
        ));
    }
    lines
}

/// The facts the plan was made on: the runner refuses if any differs at the call.
fn planned_on(plan: &ActionPlan, theme: &Theme) -> Line<'static> {
    let e = &plan.expect;
    Line::from(Span::styled(
        format!(
            " Planned on: {} · desired {}{}{}{} — refused if any of this changes before the call.",
            e.task_def,
            e.desired,
            e.primary_deployment
                .as_ref()
                .map_or(String::new(), |d| format!(" · deployment {d}")),
            e.hook.as_ref().map_or(String::new(), |(id, st)| format!(
                " · hook {id} {}",
                st.words()
            )),
            e.codedeploy
                .as_ref()
                .map_or(String::new(), |(id, phase)| format!(
                    " · CodeDeploy {id} {phase}"
                )),
        ),
        Style::new().fg(theme.muted),
    ))
}

/// ` PROD · type checkout and Enter to confirm:`, or for a promote before its soak is over
/// ` EARLY (soaked 3/30 min) · type early and Enter to confirm:`.
fn typed_confirmation(plan: &ActionPlan, word: &str, typed: &str, theme: &Theme) -> Line<'static> {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let lead = match &plan.early {
        Some(soak) => format!(" EARLY ({soak}) · type "),
        None => " PROD · type ".to_string(),
    };
    Line::from(vec![
        Span::styled(lead, theme.waiting().add_modifier(Modifier::BOLD)),
        Span::styled(word.to_string(), key),
        Span::styled(" and Enter to confirm: ", theme.waiting()),
        Span::styled(typed.to_string(), Style::new().fg(theme.fg)),
        Span::styled("▏", key),
    ])
}

/// The dialog's keys, from the key table: ` y confirm   n / Esc cancel`, and each one's
/// button: its offset and width on the line, and its command.
fn keys(state: &State, theme: &Theme) -> (Line<'static>, Vec<(u16, u16, Command)>) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let fg = Style::new().fg(theme.fg);
    let mut spans = Vec::new();
    let mut buttons = Vec::new();
    let mut x = 0u16;
    // Tab (the deploy's next target) has its own line when there is one.
    let bindings = state.keys.layer(Layer::Confirm).iter();
    let shown = bindings.filter(|b| b.command != Command::OtherTarget);
    for (i, b) in shown.enumerate() {
        let gap = if i == 0 { " " } else { "   " };
        let label = Span::styled(b.label.clone(), key);
        let help = Span::styled(format!(" {}", b.help), fg);
        x += gap.len() as u16;
        let w = (label.width() + help.width()) as u16;
        buttons.push((x, w, b.command.clone()));
        x += w;
        spans.extend([Span::styled(gap, fg), label, help]);
    }
    (Line::from(spans), buttons)
}
