//! A run in full: what it is, the image it pushed (with scan findings), its jobs and steps with
//! durations, and the tail of the failing job's log.

use crate::model::Run;
use crate::state::State;
use crate::theme::Theme;
use crate::ui::builds::{job_lines, state_text};
use crate::ui::{format, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> u16 {
    let Some(view) = &state.builds.detail else {
        return 0;
    };
    let muted = Style::new().fg(theme.muted);
    let mut lines = Vec::new();
    match state.detail_run() {
        Some(r) => lines.extend(header(r, state, theme)),
        None => lines.push(Line::from(Span::styled(
            format!(
                " run {} of {} (not in the last list)",
                view.run.id, view.workflow
            ),
            muted,
        ))),
    }
    lines.push(Line::raw(""));
    match (&view.data, &view.error) {
        (_, Some(e)) => lines.push(Line::from(Span::styled(
            format!(" ⚠ {e}"),
            Style::new().fg(theme.alarm),
        ))),
        (None, None) => lines.push(Line::from(Span::styled(
            " reading the jobs…",
            Style::new().fg(theme.info),
        ))),
        _ => {}
    }
    if let Some(d) = &view.data {
        jobs_and_log(&mut lines, d, area, theme);
    }
    let title = match state.detail_run() {
        Some(r) => format!(
            "builds ▸ {} {} #{}",
            r.workflow.repo, r.workflow.workflow, r.number
        ),
        None => "builds ▸ run".into(),
    };
    let block = pane_block(state, theme, title, None);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
    0
}

/// The jobs and their steps, then the end of the failing job's log in the rows left.
fn jobs_and_log(
    lines: &mut Vec<Line<'static>>,
    d: &crate::model::RunDetail,
    area: Rect,
    theme: &Theme,
) {
    let muted = Style::new().fg(theme.muted);
    lines.push(Line::from(Span::styled(
        " jobs (the steps of the failed or running ones)",
        muted,
    )));
    for j in &d.jobs {
        lines.extend(job_lines(j, theme, j.failed() || j.status.is_open()));
    }
    let Some(log) = &d.log else { return };
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!(" the end of {}'s log:", log.job),
        muted,
    )));
    let inner = area.width.saturating_sub(2);
    let used = Paragraph::new(lines.clone())
        .wrap(Wrap { trim: false })
        .line_count(inner);
    let room = usize::from(area.height.saturating_sub(2)).saturating_sub(used);
    lines.extend(log_lines(&log.lines, inner, room, theme));
}

/// Rows one log line may take: a longer line is cut, saying how much of it is not shown.
const LOG_LINE_ROWS: usize = 3;
/// GitHub's mark on the lines that say why a step failed.
const ERROR_MARK: &str = "##[error]";

/// The log's last lines in `room` rows of `width`: each line at most `LOG_LINE_ROWS` rows, and
/// when they do not all fit the oldest go first, the error lines last, so a 10,000-character
/// line never pushes the errors off the screen.
fn log_lines(log: &[String], width: u16, room: usize, theme: &Theme) -> Vec<Line<'static>> {
    let cells = usize::from(width.max(1));
    // What a cut line keeps: its rows less the indent and the note saying what is cut.
    let keep = (cells * LOG_LINE_ROWS).saturating_sub(3 + 32).max(10);
    let mut shown: Vec<(bool, String)> = log
        .iter()
        .map(|l| {
            let n = l.chars().count();
            let text = if n > keep + 32 {
                let kept: String = l.chars().take(keep).collect();
                format!("{kept} … ({} more characters)", n - keep)
            } else {
                l.clone()
            };
            (l.contains(ERROR_MARK), text)
        })
        .collect();
    let rows = |t: &str| {
        Paragraph::new(Line::raw(format!("   {t}")))
            .wrap(Wrap { trim: false })
            .line_count(width)
    };
    let mut total: usize = shown.iter().map(|(_, t)| rows(t)).sum();
    let mut dropped = 0;
    while total > room.saturating_sub(usize::from(dropped > 0)) && !shown.is_empty() {
        let i = shown.iter().position(|(err, _)| !err).unwrap_or(0);
        total -= rows(&shown.remove(i).1);
        dropped += 1;
    }
    let mut out = Vec::new();
    if dropped > 0 {
        out.push(Line::from(Span::styled(
            format!("   ({dropped} earlier lines not shown)"),
            Style::new().fg(theme.muted),
        )));
    }
    out.extend(shown.into_iter().map(|(_, l)| {
        let style = theme.build_log_line(&l);
        Line::from(Span::styled(format!("   {l}"), style))
    }));
    out
}

fn header(r: &Run, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let fg = Style::new().fg(theme.fg);
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                format!(" {} {} ", r.workflow.repo, r.workflow.workflow),
                fg.add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("run #{} (attempt {}) ", r.number, r.attempt), fg),
            Span::styled(
                state_text(&r.status, r.conclusion.as_ref()),
                theme.run_state(&r.status, r.conclusion.as_ref()),
            ),
        ]),
        Line::from(Span::styled(
            format!(
                " {} at {} · {} by {} · started {} ago · took {}",
                r.branch,
                r.head_sha,
                r.event,
                r.actor,
                r.started_at
                    .map_or("-".into(), |t| format::age(state.now, t)),
                r.duration(state.now).map_or("-".into(), format::duration),
            ),
            muted,
        )),
        Line::from(Span::styled(format!(" {}", r.html_url), muted)),
    ];
    out.extend(image_lines(r, state, theme));
    out.extend(next_keys(r, theme));
    out
}

/// The image the run pushed, with its findings and where it runs; or why there is none.
fn image_lines(r: &Run, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let mut out = Vec::new();
    let images: Vec<_> = r.images(&state.ctx.images.items).collect();
    if images.is_empty() {
        let why = if state.ctx.images.fetched_at.is_none() {
            "the images are still being read".to_string()
        } else if r.status.is_open() {
            "none yet: the run has not pushed one".to_string()
        } else {
            format!(
                "no image in ECR is tagged with {} or its full sha",
                r.short_sha()
            )
        };
        out.push(Line::from(Span::styled(format!(" image: {why}"), muted)));
    }
    for img in images {
        let mut spans = vec![Span::styled(
            format!(
                " image: {}:{} {} pushed {} ago · findings ",
                img.repository,
                img.tags.first().cloned().unwrap_or_default(),
                img.short_digest(),
                format::age(state.now, img.pushed_at)
            ),
            Style::new().fg(theme.ok),
        )];
        spans.extend(crate::ui::images::findings_line(img.findings, theme).spans);
        if !img.used_by.is_empty() {
            spans.push(Span::styled(
                format!(" · running on {}", img.used_by.join(", ")),
                muted,
            ));
        }
        out.push(Line::from(spans));
    }
    out
}

/// What can be done with the run now.
fn next_keys(r: &Run, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if r.succeeded() {
        out.push(Line::from(Span::styled(
            " D deploys this image · Esc back to the runs",
            Style::new().fg(theme.accent),
        )));
    } else if r
        .conclusion
        .as_ref()
        .is_some_and(crate::model::Conclusion::is_failure)
    {
        out.push(Line::from(Span::styled(
            " T reruns the failed jobs · Esc back to the runs",
            Style::new().fg(theme.accent),
        )));
    } else if r.status.is_open() {
        out.push(Line::from(Span::styled(
            " X cancels the run · Esc back to the runs",
            Style::new().fg(theme.accent),
        )));
    }
    out
}
