//! An alarm in full: what it watches and when it fires, its metric over the last three hours
//! with the threshold drawn, its state changes over the last day with absolute dates, the
//! services it is linked to, and for a composite alarm its rule and each child's state.

use crate::model::{Alarm, AlarmKind, At, rule_children};
use crate::state::State;
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// State changes listed at most.
const HISTORY_SHOWN: usize = 8;
const CHART_ROWS: usize = 4;
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// `2026-09-21 12:04:10 UTC`: a date, so "2d ago" never reads as today.
pub fn stamp(at: At) -> String {
    chrono::DateTime::from_timestamp_millis(at.millis()).map_or_else(
        || "-".to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

fn field(theme: &Theme, k: &str, v: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {k:<14}"), Style::new().fg(theme.muted)),
        Span::styled(v.into(), Style::new().fg(theme.fg)),
    ])
}

/// `v` compactly: `10`, `0.85`, `1.2k`.
fn num(v: f64) -> String {
    if v.abs() >= 10_000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

/// The points bucketed into `width` columns (the highest of each), oldest first.
fn columns(points: &[(At, f64)], width: usize) -> Vec<f64> {
    if points.is_empty() || width == 0 {
        return Vec::new();
    }
    let per = points.len().div_ceil(width);
    points
        .chunks(per)
        .map(|c| c.iter().map(|(_, v)| *v).fold(f64::NEG_INFINITY, f64::max))
        .collect()
}

/// The metric as bars `CHART_ROWS` high, the threshold as a line across the bars' gaps;
/// bars on the alarming side of it in the alarm colour.
pub fn chart(a: &Alarm, points: &[(At, f64)], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let cols = columns(points, width);
    let threshold = a.spec.threshold;
    let top = cols
        .iter()
        .copied()
        .chain(threshold.map(|t| t * 1.15))
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let eighths = |v: f64| ((v.max(0.0) / top) * (CHART_ROWS * 8) as f64).round() as usize;
    let t_row = threshold.map(|t| (eighths(t).saturating_sub(1)) / 8);
    (0..CHART_ROWS)
        .rev()
        .map(|row| {
            let spans: Vec<Span<'static>> = cols
                .iter()
                .map(|&v| {
                    let fill = eighths(v).saturating_sub(row * 8).min(8);
                    let breach = match (&a.spec.comparison, threshold) {
                        (Some(c), Some(t)) => c.breaches(v, t).unwrap_or(false),
                        _ => false,
                    };
                    if fill == 0 && t_row == Some(row) {
                        return Span::styled("─", theme.threshold());
                    }
                    let ch = if fill == 0 { ' ' } else { BLOCKS[fill - 1] };
                    let colour = if breach { theme.alarm } else { theme.info };
                    Span::styled(ch.to_string(), Style::new().fg(colour))
                })
                .collect();
            let mut line = vec![Span::raw(" ".repeat(15))];
            line.extend(spans);
            Line::from(line)
        })
        .collect()
}

fn metric_lines(a: &Alarm, theme: &Theme) -> Vec<Line<'static>> {
    let Some(m) = &a.spec.metric else {
        return vec![field(theme, "metric", "metric math (not shown)")];
    };
    let fires = match (&a.spec.comparison, a.spec.threshold) {
        (Some(c), Some(t)) => format!(
            "{} {} {} for {} datapoints of {} s",
            m.statistic,
            c.symbol(),
            num(t),
            a.datapoints_text(),
            m.period_secs
        ),
        _ => "-".into(),
    };
    let mut lines = vec![field(
        theme,
        "metric",
        format!("{} {}", m.namespace, m.name),
    )];
    // One dimension a line: their values are long ARN tails.
    lines.extend(m.dimensions.iter().enumerate().map(|(i, (k, v))| {
        field(
            theme,
            if i == 0 { "dimensions" } else { "" },
            format!("{k}={v}"),
        )
    }));
    lines.push(field(
        theme,
        "statistic",
        format!("{} over {} s", m.statistic, m.period_secs),
    ));
    lines.push(field(theme, "fires when", fires));
    lines
}

/// `180 points · min 2 · max 13 · ── threshold 10 · read 5s ago`.
fn chart_header(
    state: &State,
    a: &Alarm,
    points: &[(At, f64)],
    at: At,
    theme: &Theme,
) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    let values = points.iter().map(|(_, v)| *v);
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    let threshold = a
        .spec
        .threshold
        .map_or(String::new(), |t| format!("── threshold {}", num(t)));
    Line::from(vec![
        Span::styled(format!(" {:<14}", "last 3h"), muted),
        Span::styled(
            format!(
                "{} points · min {} · max {} · ",
                points.len(),
                num(lo),
                num(hi)
            ),
            Style::new().fg(theme.fg),
        ),
        Span::styled(threshold, theme.threshold()),
        Span::styled(format!(" · read {} ago", format::age(state.now, at)), muted),
    ])
}

/// The metric over the last three hours, with the threshold, or why it is not there.
fn sparkline_lines(state: &State, a: &Alarm, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    if a.spec.metric.is_none() {
        return Vec::new(); // metric math: no one metric to draw
    }
    let detail = state.ctx.evidence.alarm_detail.as_ref();
    let Some((d, errors, at)) = detail.filter(|(d, ..)| d.name == a.name) else {
        return vec![field(theme, "last 3h", "reading…")];
    };
    if let Some(e) = errors.iter().find(|e| e.starts_with("metric")) {
        return vec![Line::from(vec![
            Span::styled(format!(" {:<14}", "last 3h"), Style::new().fg(theme.muted)),
            Span::styled(format!("⚠ {e}"), Style::new().fg(theme.alarm)),
        ])];
    }
    let (Some((first, _)), Some((last, _))) = (d.points.first(), d.points.last()) else {
        return vec![field(theme, "last 3h", "no datapoints in the last 3 hours")];
    };
    let mut lines = vec![chart_header(state, a, &d.points, *at, theme)];
    lines.extend(chart(a, &d.points, width, theme));
    lines.push(Line::from(Span::styled(
        format!(
            "{:15}{} … {}",
            "",
            format::clock(*first),
            format::clock(*last)
        ),
        Style::new().fg(theme.muted),
    )));
    lines
}

fn history_lines(state: &State, a: &Alarm, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let Some((d, errors, _)) = state
        .ctx
        .evidence
        .alarm_detail
        .as_ref()
        .filter(|(d, ..)| d.name == a.name)
    else {
        return Vec::new();
    };
    if let Some(e) = errors.iter().find(|e| e.starts_with("history")) {
        return vec![field(theme, "last 24h", format!("⚠ {e}"))];
    }
    if d.history.is_empty() {
        return vec![field(
            theme,
            "last 24h",
            "no state change in the last 24 hours",
        )];
    }
    let mut lines = Vec::new();
    for (i, t) in d.history.iter().take(HISTORY_SHOWN).enumerate() {
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<14}", if i == 0 { "last 24h" } else { "" }),
                muted,
            ),
            Span::styled(format!("{}  ", stamp(t.at)), Style::new().fg(theme.fg)),
            Span::styled(t.from.to_string(), theme.alarm_state(&t.from)),
            Span::styled(" → ", muted),
            Span::styled(t.to.to_string(), theme.alarm_row_state(&t.to)),
        ]));
    }
    if d.history.len() > HISTORY_SHOWN {
        lines.push(field(
            theme,
            "",
            format!("… {} earlier", d.history.len() - HISTORY_SHOWN),
        ));
    }
    lines
}

/// A composite alarm's rule and the state of each alarm it names.
fn composite_lines(state: &State, a: &Alarm, theme: &Theme) -> Vec<Line<'static>> {
    let Some(rule) = &a.spec.rule else {
        return Vec::new();
    };
    let mut lines = vec![field(theme, "rule", rule.clone())];
    for (i, child) in rule_children(rule).into_iter().enumerate() {
        let found = state.ctx.alarms.items.iter().find(|x| x.name == child);
        let (text, style) = found.map_or(
            (
                "not in the alarm list".to_string(),
                Style::new().fg(theme.muted),
            ),
            |c| (c.state.to_string(), theme.alarm_row_state(&c.state)),
        );
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<14}", if i == 0 { "children" } else { "" }),
                Style::new().fg(theme.muted),
            ),
            Span::styled(format!("{child}  "), Style::new().fg(theme.fg)),
            Span::styled(text, style),
        ]));
    }
    lines
}

/// The services the alarm is linked to, and why.
fn linked_line(state: &State, a: &Alarm, theme: &Theme) -> Line<'static> {
    let mut linked: Vec<String> = state
        .ctx
        .evidence
        .links
        .iter()
        .flat_map(|(k, ls)| {
            ls.iter()
                .filter(|l| l.alarm == a.name)
                .map(move |l| format!("{k} ({})", l.reason.text()))
        })
        .collect();
    linked.sort();
    let text = if linked.is_empty() {
        "no service".into()
    } else {
        linked.join(", ")
    };
    field(theme, "services", text)
}

/// The detail's lines, for a popup `width` wide.
pub fn lines(state: &State, a: &Alarm, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let kind = match a.kind {
        AlarmKind::Metric => "metric",
        AlarmKind::Composite => "composite",
    };
    let mut lines = vec![
        field(theme, "name", a.name.clone()),
        field(theme, "type", kind),
        Line::from(vec![
            Span::styled(format!(" {:<14}", "state"), Style::new().fg(theme.muted)),
            Span::styled(
                a.state.to_string(),
                theme.alarm_row_state(&a.state).add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    "  since {} ({} ago)",
                    stamp(a.updated_at),
                    format::age(state.now, a.updated_at)
                ),
                Style::new().fg(theme.fg),
            ),
        ]),
        field(theme, "reason", a.reason.clone()),
    ];
    if a.kind == AlarmKind::Composite {
        lines.extend(composite_lines(state, a, theme));
    } else {
        lines.extend(metric_lines(a, theme));
        let chart_width = (width as usize).saturating_sub(20).clamp(10, 90);
        lines.extend(sparkline_lines(state, a, chart_width, theme));
    }
    lines.extend(history_lines(state, a, theme));
    lines.push(linked_line(state, a, theme));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_absolute_and_numbers_short() {
        assert_eq!(stamp(At(0)), "1970-01-01 00:00:00 UTC");
        assert_eq!(num(10.0), "10");
        assert_eq!(num(0.854), "0.85");
        assert_eq!(num(12_500.0), "12.5k");
        assert_eq!(num(31.25), "31.2");
    }

    #[test]
    fn columns_keep_the_highest_point_of_each_bucket() {
        let pts: Vec<(At, f64)> = (0..6).map(|i| (At(i), i as f64)).collect();
        assert_eq!(columns(&pts, 3), vec![1.0, 3.0, 5.0]);
        assert_eq!(columns(&pts, 10).len(), 6);
    }
}
