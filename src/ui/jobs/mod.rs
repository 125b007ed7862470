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
use unicode_width::UnicodeWidthStr;

mod lines;

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

/// How much of each job the view shows. A short screen drops the least needed first: the
/// audit line each job repeats (said once instead), then who acted (and the keys' words
/// shorten).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    All,
    AuditOnce,
    NoWho,
}

const AUDIT: &str = "audit: a record before and after each call, in the audit log";

fn job_lines(j: &Job, selected: bool, ctx: (&State, &Theme, usize, Detail)) -> Vec<Line<'static>> {
    let (state, theme, inner, detail) = ctx;
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
    let mut first = vec![
        Span::styled(
            format!(" {} {} {} ", j.id, j.progress.verb, j.progress.service),
            head,
        ),
        Span::styled(
            format!(" {} ", state_word(j, state.now)),
            Style::new().fg(colour),
        ),
    ];
    let by = format!(" by {}", j.who);
    let fits = Line::from(first.clone()).width() + by.width() <= inner;
    if detail != Detail::NoWho && fits {
        first.push(Span::styled(by.clone(), muted));
    }
    let mut lines = vec![Line::from(first)];
    if detail != Detail::NoWho && !fits {
        lines.extend(lines::hanging("  ", by.trim_start(), inner, muted));
    }
    for (i, c) in j.calls.iter().enumerate() {
        lines.extend(lines::hanging(&format!("   {}. ", i + 1), c, inner, muted));
    }
    if let Some(td) = &j.registered {
        let text = format!("registered {td}; the watch follows it");
        lines.extend(lines::hanging("   ", &text, inner, muted));
    }
    if let Some((at, why)) = &j.read_failed {
        let ago = format::age(state.now, *at);
        let text = format!("its service could not be read off screen ({ago} ago): {why}");
        lines.extend(lines::hanging(
            "   ",
            &text,
            inner,
            Style::new().fg(theme.warn),
        ));
    }
    if let Some(o) = &j.outcome {
        lines.extend(lines::hanging("   ", o, inner, Style::new().fg(theme.fg)));
    }
    if detail == Detail::All {
        lines.extend(lines::hanging("   ", AUDIT, inner, muted));
    }
    lines
}

/// Every job's lines at `detail`, then the keys; and the row where the selected job starts.
fn view_lines(
    state: &State,
    theme: &Theme,
    inner: usize,
    detail: Detail,
) -> (Vec<Line<'static>>, usize) {
    let muted = Style::new().fg(theme.muted);
    let jobs = state.ctx.jobs.all();
    let mut lines = Vec::new();
    if jobs.is_empty() {
        let none = "no jobs in this context yet: a confirmed action becomes one";
        lines.extend(lines::hanging(" ", none, inner, muted));
    }
    let mut selected_top = 0;
    for (i, j) in jobs.iter().rev().enumerate() {
        if i == state.help_scroll {
            selected_top = lines.len();
        }
        let selected = i == state.help_scroll;
        lines.extend(job_lines(j, selected, (state, theme, inner, detail)));
    }
    lines.push(Line::raw(""));
    if detail == Detail::AuditOnce && !jobs.is_empty() {
        lines.extend(lines::hanging(" ", AUDIT, inner, muted));
    }
    let running = state.ctx.jobs.running_count();
    let keys = match detail {
        Detail::All | Detail::AuditOnce => format!(
            "{running} running · j/k select · x stops watching the selected job (never undoes a \
             call) · Esc closes"
        ),
        Detail::NoWho => {
            format!("{running} running · j/k · x stops watching (undoes no call) · Esc closes")
        }
    };
    lines.extend(lines::hanging(" ", &keys, inner, muted));
    (lines, selected_top)
}

/// The view; returns how far its selection may move (the jobs listed, less one).
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> usize {
    let width = area.width.saturating_sub(4).min(140);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let fits = |l: &Vec<Line<'static>>| wrapped_height(l, width) <= area.height;
    let (lines, selected_top) = [Detail::All, Detail::AuditOnce]
        .into_iter()
        .map(|d| view_lines(state, theme, inner, d))
        .find(|(l, _)| fits(l))
        .unwrap_or_else(|| view_lines(state, theme, inner, Detail::NoWho));
    let h = wrapped_height(&lines, width).min(area.height);
    // The selected job's first row stays in sight.
    let room = h.saturating_sub(2) as usize;
    let scroll = selected_top.saturating_sub(room.saturating_sub(6)) as u16;
    popup_scrolled(f, centered(area, width, h), theme, "jobs", lines, scroll);
    state.ctx.jobs.all().len().saturating_sub(1)
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
