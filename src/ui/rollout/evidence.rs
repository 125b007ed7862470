//! Canary against primary, as lines: the one-line comparison (`canary 5xx 2.1% vs primary
//! 0.2% ▲ · p99 840 ms vs 120 ms ▲`), each side's figures, and the service's alarms. Only
//! evidence: the keys that act are the ones that already exist.

use crate::model::evidence::{
    AlbFigures, Judgement, RevisionFigures, Role, Side, Sides, Split, judge_5xx, judge_p99,
    task_figures,
};
use crate::model::{AlarmState, At, LinkReason, Ms, Service};
use crate::state::State;
use crate::state::rollout::evidence::{AlbResult, alb_for, alb_ok_for};
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// `2.1%`, `0.04%`.
fn pct(v: f64) -> String {
    if v > 0.0 && v < 0.1 {
        format!("{v:.2}%")
    } else {
        format!("{v:.1}%")
    }
}

/// `840 ms`, `1.8 s`.
fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.1} s", v / 1000.0)
    } else {
        format!("{v:.0} ms")
    }
}

/// `950`, `12.3k`.
fn count(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v >= 1000.0 {
        format!("{:.1}k", v / 1000.0)
    } else {
        format!("{v:.0}")
    }
}

fn arrow(j: &Judgement) -> &'static str {
    match j {
        Judgement::Worse => " ▲",
        Judgement::Better => " ▼",
        Judgement::Similar => " ≈",
        _ => "",
    }
}

/// `canary 5xx 2.1% vs primary 0.2% ▲` (the roles named with the first figure only), or
/// what stands in for a missing figure.
fn figure_spans(
    what: &str,
    (c, p): (&AlbFigures, &AlbFigures),
    sides: &Sides,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let named = what == "5xx";
    let (c_role, p_role) = if named {
        (
            format!("{} ", sides.canary.role.label()),
            format!("{} ", sides.primary.role.label()),
        )
    } else {
        (String::new(), String::new())
    };
    let (j, cv, pv) = match what {
        "5xx" => (
            judge_5xx(c, p),
            c.error_rate().map(pct),
            p.error_rate().map(pct),
        ),
        _ => (judge_p99(c, p), c.p99_ms.map(ms), p.p99_ms.map(ms)),
    };
    let value = |v: Option<String>, f: &AlbFigures| match v {
        _ if !f.has_traffic() => "no traffic yet".to_string(),
        Some(v) => v,
        None if f.percentiles_error.is_some() => "unavailable".to_string(),
        None => "no data".to_string(),
    };
    let fg = Style::new().fg(theme.fg);
    let mut spans = vec![
        Span::styled(format!("{c_role}{what} "), fg),
        Span::styled(value(cv, c), theme.judgement(&j)),
        Span::styled(format!(" vs {p_role}"), fg),
        Span::styled(value(pv, p), fg),
        Span::styled(arrow(&j), theme.judgement(&j)),
    ];
    if let (Judgement::TooFew(n), true) = (j, named) {
        spans.push(Span::styled(
            format!(" (only {n:.0} requests: too few to judge)"),
            Style::new().fg(theme.muted),
        ));
    }
    spans
}

/// The one-line comparison, or why there is none yet.
pub fn verdict_line(state: &State, sides: &Sides, theme: &Theme) -> Line<'static> {
    let lead = Span::styled("  evidence ", Style::new().fg(theme.muted));
    let muted = Style::new().fg(theme.muted);
    if let Some(why) = &sides.no_alb {
        return Line::from(vec![
            lead,
            Span::styled(format!("load balancer: {why}; per revision below"), muted),
        ]);
    }
    let Some(r) = alb_for(state, sides) else {
        return Line::from(vec![
            lead,
            Span::styled(
                "reading the load balancer's figures…",
                Style::new().fg(theme.info),
            ),
        ]);
    };
    let (c, p) = match &r.figures {
        Ok((c, p)) => (c, p),
        Err(e) => {
            // What remains of an earlier read, and how old it is.
            let earlier = alb_ok_for(state, sides).map_or(String::new(), |ok| {
                format!(
                    "; the last figures were read {} ago",
                    format::age(state.now, ok.at)
                )
            });
            return Line::from(vec![
                lead,
                Span::styled(
                    format!("⚠ load balancer figures: {e}{earlier}"),
                    Style::new().fg(theme.alarm),
                ),
            ]);
        }
    };
    if !sides.canary.has_complete_minute(r.at) {
        let first = sides.canary.from.floor(Ms::MINUTE) + Ms::MINUTE;
        let text = format!(
            "the load balancer counts whole minutes: the first since the rollout began ends {}",
            format::countdown(state.now, first)
        );
        return Line::from(vec![lead, Span::styled(text, muted)]);
    }
    let mut spans = vec![lead];
    spans.extend(figure_spans("5xx", (c, p), sides, theme));
    spans.push(Span::styled(" · ", muted));
    spans.extend(figure_spans("p99", (c, p), sides, theme));
    spans.push(Span::styled(
        format!("  {}", window_text(state.now, r, sides)),
        muted,
    ));
    Line::from(spans)
}

/// `(14m, read 5s ago)` or, for a rolling deployment, which two windows of its one target
/// group are compared.
fn window_text(now: At, r: &AlbResult, sides: &Sides) -> String {
    let age = format::age(now, r.at);
    let span = format::age(r.at, sides.canary.from);
    match sides.split {
        Split::Rolling => format!("(its {span} vs the 30m before, read {age} ago)"),
        _ => format!("({span}, read {age} ago)"),
    }
}

/// The figures the console already has of one side's revision.
pub fn revision_figures(state: &State, s: &Service, side: &Side) -> RevisionFigures {
    let mut f = RevisionFigures::default();
    let logs = &state.ctx.logs;
    if logs.follows(&side.service) && logs.fetched_at.is_some() {
        f.errors_per_min = logs
            .errors
            .rate(side.revision.revision, side.from, state.now)
            .or(Some(0.0));
    }
    let tasks = state.ctx.tasks_of(&side.service);
    if !tasks.is_empty() {
        let (stopped, unhealthy) = task_figures(tasks, &side.revision, side.from);
        f.stopped = Some(stopped);
        f.unhealthy = Some(unhealthy);
    }
    // A target group of the side's own says how many of its targets fail their checks.
    let own_group = matches!(
        side.role,
        Role::Canary | Role::Primary | Role::Replacement | Role::Original
    );
    if let Some(tg) = side.target_group.as_ref().filter(|_| own_group) {
        let all = state.ctx.services.items.iter().chain(std::iter::once(s));
        if let Some(h) = all
            .flat_map(|x| &x.targets)
            .find(|t| &t.target_group_arn == tg)
        {
            f.unhealthy = Some(h.unhealthy);
        }
    }
    f
}

/// `ERROR 32/min`, `unhealthy 1`: a figure, or a dash where it is not known.
fn known(what: &str, v: Option<String>) -> String {
    v.map_or(format!("{what} -"), |v| format!("{what} {v}"))
}

/// The parts of a side's line: the load balancer's figures, then the revision's.
fn figure_parts(
    alb: Option<&AlbFigures>,
    f: &RevisionFigures,
    theme: &Theme,
) -> Vec<(String, Style)> {
    let (fg, muted) = (Style::new().fg(theme.fg), Style::new().fg(theme.muted));
    let mut parts: Vec<(String, Style)> = Vec::new();
    match alb {
        Some(a) if a.has_traffic() => {
            parts.push((format!("{} req", count(a.requests)), fg));
            parts.push((known("5xx", a.error_rate().map(pct)), fg));
            parts.push((known("p50", a.p50_ms.map(ms)), fg));
            parts.push((known("p99", a.p99_ms.map(ms)), fg));
        }
        Some(_) => parts.push(("no traffic yet".into(), muted)),
        None => {}
    }
    let per_min = |v: f64| {
        if v >= 10.0 {
            format!("{v:.0}/min")
        } else {
            format!("{v:.1}/min")
        }
    };
    let errors = f.errors_per_min.map_or(0, |v| u32::from(v > 0.0));
    parts.push((
        known("ERROR", f.errors_per_min.map(per_min)),
        theme.failures(errors),
    ));
    let n = |v: Option<u32>| v.map(|v| v.to_string());
    parts.push((
        known("unhealthy", n(f.unhealthy)),
        theme.failures(f.unhealthy.unwrap_or(0)),
    ));
    parts.push((
        known("stopped", n(f.stopped)),
        theme.failures(f.stopped.unwrap_or(0)),
    ));
    parts
}

/// The labels' column: canary/primary and new/before fit 7, replacement/original 11.
fn label_width(side: &Side) -> usize {
    match side.role {
        Role::Replacement | Role::Original => 11,
        _ => 7,
    }
}

fn side_line(
    state: &State,
    s: &Service,
    side: &Side,
    alb: Option<&AlbFigures>,
    theme: &Theme,
) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    let revision = Style::new().fg(theme.fg).add_modifier(Modifier::BOLD);
    let mut spans = vec![
        // Wide enough for the longest label (replacement), a space after it always.
        Span::styled(
            format!("  {:<w$} ", side.role.label(), w = label_width(side)),
            theme.canary_style(),
        ),
        Span::styled(side.revision.to_string(), revision),
        Span::styled("  ", muted),
    ];
    let f = revision_figures(state, s, side);
    for (i, (text, style)) in figure_parts(alb, &f, theme).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", muted));
        }
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

/// Each side's figures, canary first.
pub fn side_lines(state: &State, s: &Service, sides: &Sides, theme: &Theme) -> Vec<Line<'static>> {
    // A read before the first complete minute has nothing to count yet.
    let figures = alb_for(state, sides)
        .filter(|r| sides.canary.has_complete_minute(r.at))
        .and_then(|r| r.figures.as_ref().ok());
    vec![
        side_line(state, s, &sides.canary, figures.map(|(c, _)| c), theme),
        side_line(state, s, &sides.primary, figures.map(|(_, p)| p), theme),
    ]
}

/// The service's alarms in a line: the firing ones by name, then how many are linked and
/// which the deployment watches.
pub fn alarms_line(state: &State, s: &Service, theme: &Theme) -> Option<Line<'static>> {
    let linked: Vec<_> = state.ctx.alarms_of(&s.key()).collect();
    if linked.is_empty() {
        return None;
    }
    let muted = Style::new().fg(theme.muted);
    let mut spans = vec![Span::styled("  alarms ", muted)];
    let firing: Vec<String> = linked
        .iter()
        .filter(|(a, _)| a.state == AlarmState::Alarm)
        .map(|(a, _)| a.name.clone())
        .collect();
    if firing.is_empty() {
        spans.push(Span::styled("none firing", Style::new().fg(theme.ok)));
    } else {
        spans.push(Span::styled(
            format!("FIRING {}", firing.join(", ")),
            Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
        ));
    }
    let watched: Vec<String> = linked
        .iter()
        .filter(|(_, l)| l.reason == LinkReason::Watched)
        .map(|(a, _)| format!("{} {}", a.name, a.state))
        .collect();
    spans.push(Span::styled(format!(" · {} linked", linked.len()), muted));
    if !watched.is_empty() {
        spans.push(Span::styled(
            format!(" · the deployment watches {}", watched.join(", ")),
            muted,
        ));
    }
    spans.push(Span::styled(" (a: in the alarms pane)", muted));
    Some(Line::from(spans))
}

/// The comparison for the rollout view or a dialog: the verdict with its rule, the figures
/// compared, then each side.
pub fn lines(state: &State, s: &Service, theme: &Theme) -> Vec<Line<'static>> {
    let Some(sides) = state.ctx.sides_of(s) else {
        return Vec::new();
    };
    let mut out = crate::ui::rollout::verdict::lines(state, s, &sides, theme);
    out.push(verdict_line(state, &sides, theme));
    out.extend(side_lines(state, s, &sides, theme));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_compactly() {
        assert_eq!(pct(2.1), "2.1%");
        assert_eq!(pct(0.04), "0.04%");
        assert_eq!(pct(0.0), "0.0%");
        assert_eq!(ms(840.4), "840 ms");
        assert_eq!(ms(1800.0), "1.8 s");
        assert_eq!(count(950.0), "950");
        assert_eq!(count(12_345.0), "12k");
        assert_eq!(count(1_234.0), "1.2k");
    }
}
