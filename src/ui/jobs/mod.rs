//! `:jobs`: this context's jobs, newest first, each with its phase or outcome, how long it
//! took, who acted, its calls and what the runner said; and the dialog `x` opens, which says
//! that stopping a watch undoes nothing.

use crate::state::State;
use crate::state::actions::progress::Phase;
use crate::state::jobs::Job;
use crate::theme::Theme;
use crate::ui::format;
use crate::ui::widgets::overlay::{centered, popup, popup_scrolled, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// A job's state in a few words: `watching 0:42`, `stable after 2m10s`, `failed`.
fn state_word(j: &Job, now: crate::model::At) -> String {
    let since = j.progress.since;
    match &j.progress.phase {
        Phase::Sending => format!("sending · {}", format::duration(now - since)),
        Phase::Waiting { .. } => format!("watching · {}", format::duration(now - since)),
        Phase::Sent { at } => format!("sent in {}", format::duration(*at - since)),
        Phase::Stable { took, .. } => format!("stable after {}", format::duration(*took)),
        Phase::TimedOut { at } => format!("not stable after {}", format::duration(*at - since)),
        Phase::Unwatched { at } => format!("watch stopped after {}", format::duration(*at - since)),
        Phase::Failed { at, .. } => format!("failed after {}", format::duration(*at - since)),
    }
}

fn job_lines(j: &Job, selected: bool, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let colour = match j.progress.phase {
        Phase::Sending | Phase::Waiting { .. } => theme.warn,
        Phase::Sent { .. } | Phase::Stable { .. } | Phase::Unwatched { .. } => theme.ok,
        Phase::TimedOut { .. } | Phase::Failed { .. } => theme.alarm,
    };
    let mut head = Style::new().fg(theme.accent);
    if selected {
        head = head.add_modifier(Modifier::REVERSED);
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(" {} {} {} ", j.id, j.progress.verb, j.progress.service),
            head,
        ),
        Span::styled(
            format!(" {} ", state_word(j, state.now)),
            Style::new().fg(colour),
        ),
        Span::styled(format!(" by {}", j.who), muted),
    ])];
    for (i, c) in j.calls.iter().enumerate() {
        lines.push(Line::styled(format!("   {}. {c}", i + 1), muted));
    }
    if let Some(td) = &j.registered {
        lines.push(Line::styled(
            format!("   registered {td}; the watch follows it"),
            muted,
        ));
    }
    if let Some(o) = &j.outcome {
        lines.push(Line::styled(format!("   {o}"), Style::new().fg(theme.fg)));
    }
    lines.push(Line::styled(
        "   audit: a record before and after each call, in the audit log",
        muted,
    ));
    lines
}

/// The view; returns how far its selection may move (the jobs listed, less one).
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> usize {
    let muted = Style::new().fg(theme.muted);
    let jobs = state.ctx.jobs.all();
    let mut lines = Vec::new();
    if jobs.is_empty() {
        lines.push(Line::styled(
            " no jobs in this context yet: a confirmed action becomes one",
            muted,
        ));
    }
    let mut selected_top = 0;
    for (i, j) in jobs.iter().rev().enumerate() {
        if i == state.help_scroll {
            selected_top = lines.len();
        }
        lines.extend(job_lines(j, i == state.help_scroll, state, theme));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            " {} running · j/k select · x stops watching the selected job (never undoes a call) · Esc closes",
            state.ctx.jobs.running_count()
        ),
        muted,
    ));
    let width = area.width.saturating_sub(4).min(140);
    // Long calls wrap: the height counts the rows they take.
    let h = wrapped_height(&lines, width).min(area.height);
    // The selected job's first row stays in sight.
    let room = h.saturating_sub(2) as usize;
    let scroll = selected_top.saturating_sub(room.saturating_sub(6)) as u16;
    popup_scrolled(f, centered(area, width, h), theme, "jobs", lines, scroll);
    jobs.len().saturating_sub(1)
}

/// `x`'s dialog: which job, what it did, and that nothing is undone.
pub fn stop_dialog(f: &mut Frame, area: Rect, state: &State, id: u64, theme: &Theme) {
    let fg = Style::new().fg(theme.fg);
    let muted = Style::new().fg(theme.muted);
    let Some(j) = state.ctx.jobs.get(id) else {
        return;
    };
    let mut lines = vec![Line::styled(
        format!(" Stop watching {}?", j.title()),
        Style::new().fg(theme.accent),
    )];
    lines.push(Line::raw(""));
    for (i, c) in j.calls.iter().enumerate() {
        lines.push(Line::styled(format!("   {}. {c}: sent", i + 1), muted));
    }
    lines.push(Line::raw(""));
    for l in [
        " This never undoes a call: what was sent stays sent, and ECS goes on with it.",
        " Only the console stops watching; the service's own rows keep showing it.",
        " Services it acts on are free for another action at once.",
    ] {
        lines.push(Line::styled(l, fg));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " y stop watching · n / Esc keep watching",
        muted,
    ));
    let width = area.width.saturating_sub(4).min(100);
    let h = wrapped_height(&lines, width).min(area.height);
    popup(f, centered(area, width, h), theme, "stop watching", lines);
}
