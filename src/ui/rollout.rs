//! How a service's rollout reads: a one-cell summary for the services table and the full panel
//! shown when drilling into a service.

use super::format;
use crate::model::{
    Deployment, DeploymentStatus, HookStatus, Millis, NativeDeployment, RolloutState, Service,
};
use crate::theme::Theme;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

fn state_style(theme: &Theme, s: RolloutState) -> Style {
    match s {
        RolloutState::InProgress => Style::new().fg(theme.info),
        RolloutState::Completed => Style::new().fg(theme.ok),
        RolloutState::Failed => Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
    }
}

/// The hook's countdown, e.g. `auto-rollback in 6:12`.
pub fn hook_countdown(n: &NativeDeployment, now: Millis) -> Option<String> {
    let h = n
        .hook
        .as_ref()
        .filter(|h| h.status == HookStatus::AwaitingAction)?;
    let action = if h.timeout_action == "ROLLBACK" {
        "auto-rollback"
    } else {
        "auto-continue"
    };
    Some(format!(
        "{action} in {}",
        format::countdown(now, h.expires_at)
    ))
}

/// The services table's ROLLOUT cell.
pub fn summary(s: &Service, now: Millis, theme: &Theme) -> Line<'static> {
    if let Some(n) = &s.native
        && matches!(
            n.status.as_str(),
            "IN_PROGRESS" | "ROLLBACK_IN_PROGRESS" | "PENDING"
        )
    {
        let canary = Style::new().fg(theme.canary).add_modifier(Modifier::BOLD);
        if let Some(cd) = hook_countdown(n, now) {
            return Line::from(vec![
                Span::styled("‖ PAUSED ", canary),
                Span::styled(
                    cd.replace("auto-", "").replace(" in ", " "),
                    Style::new().fg(theme.warn),
                ),
            ]);
        }
        if n.status == "ROLLBACK_IN_PROGRESS" {
            return Line::from(Span::styled("ROLLING BACK", Style::new().fg(theme.alarm)));
        }
        let w = n.target.requested_production_weight;
        return Line::from(vec![
            Span::styled(format!("{} ", n.strategy.label()), canary),
            Span::styled(format::bar(w / 100.0, 8), Style::new().fg(theme.canary)),
            Span::styled(format!(" {w:>3.0}%"), Style::new().fg(theme.fg)),
        ]);
    }
    let Some(d) = s.primary() else {
        return Line::from(Span::styled("-", Style::new().fg(theme.muted)));
    };
    match d.rollout_state {
        RolloutState::InProgress => Line::from(vec![
            Span::styled(
                format::bar(s.rollout_progress(), 8),
                Style::new().fg(theme.info),
            ),
            Span::styled(
                format!(" {}/{}", d.running, d.desired),
                Style::new().fg(theme.info),
            ),
            failed_span(d, s, theme),
        ]),
        state => Line::from(vec![
            Span::styled(state.label().to_string(), state_style(theme, state)),
            failed_span(d, s, theme),
        ]),
    }
}

fn failed_span(d: &Deployment, s: &Service, theme: &Theme) -> Span<'static> {
    let failed = s
        .deployments
        .iter()
        .map(|d| d.failed_tasks)
        .max()
        .unwrap_or(d.failed_tasks);
    if failed == 0 {
        return Span::raw("");
    }
    let threshold = s
        .circuit_breaker
        .map_or(String::new(), |cb| format!("/{}", cb.threshold));
    Span::styled(
        format!(" ✗{failed}{threshold}"),
        Style::new().fg(theme.alarm),
    )
}

/// The panel above a drilled-into service's tasks: deployments, the native rollout, traffic.
pub fn panel(
    s: &Service,
    pair: Option<(&Service, &Service)>,
    now: Millis,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let fg = Style::new().fg(theme.fg);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", s.name), fg.add_modifier(Modifier::BOLD)),
        Span::styled(format!("({}) ", s.cluster), muted),
        Span::styled(
            format!("{} ", s.strategy.label()),
            Style::new().fg(theme.canary),
        ),
        Span::styled(
            format!(
                "desired {} running {} pending {}",
                s.desired, s.running, s.pending
            ),
            fg,
        ),
        Span::styled(
            s.circuit_breaker.map_or(String::new(), |cb| {
                format!(
                    "  breaker: threshold {}{}",
                    cb.threshold,
                    if cb.rollback { ", rollback" } else { "" }
                )
            }),
            muted,
        ),
    ])];
    if let Some(n) = &s.native {
        lines.extend(native_lines(n, now, theme));
    }
    if let Some((p, c)) = pair {
        lines.push(Line::from(vec![
            Span::styled(
                "  PAIRED CANARY ",
                Style::new().fg(theme.canary).add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    "{} on {} ({}) {} tasks · {} on {} ({}) {} tasks",
                    c.name,
                    c.task_def,
                    c.image_tag,
                    c.running,
                    p.name,
                    p.task_def,
                    p.image_tag,
                    p.running
                ),
                fg,
            ),
        ]));
        let (share, how) = match crate::model::split(p, c) {
            crate::model::Split::Weights(w) => (
                Some(w.canary_percent()),
                format!(
                    "on the canary · rule weights: {}",
                    crate::model::weights_text(&w.route.weights)
                ),
            ),
            crate::model::Split::Tasks(share) => (
                Some(share),
                "on the canary · task ratio (one target group)".into(),
            ),
            crate::model::Split::Unknown(why) => (None, format!("unknown: {why}")),
        };
        let mut traffic = vec![Span::styled("  traffic ", muted)];
        match share {
            Some(share) => {
                traffic.push(Span::styled(
                    format::bar(share / 100.0, 20),
                    Style::new().fg(theme.canary),
                ));
                traffic.push(Span::styled(format!(" {share:.0}% {how}"), fg));
            }
            None => traffic.push(Span::styled(how, Style::new().fg(theme.warn))),
        }
        lines.push(Line::from(traffic));
    }
    for d in &s.deployments {
        let status = match d.status {
            DeploymentStatus::Primary => "PRIMARY",
            DeploymentStatus::Active => "ACTIVE ",
            DeploymentStatus::Inactive => "INACTIVE",
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {status} "), fg),
            Span::styled(format!("{:<16} ", d.task_def.to_string()), fg),
            Span::styled(
                format!("{:<11} ", d.rollout_state.label()),
                state_style(theme, d.rollout_state),
            ),
            Span::styled(format!("{}/{}/{} ", d.desired, d.running, d.pending), fg),
            Span::styled(
                format!("failed {} ", d.failed_tasks),
                if d.failed_tasks > 0 {
                    Style::new().fg(theme.alarm)
                } else {
                    muted
                },
            ),
            Span::styled(
                format!(
                    "{} ago  {}",
                    format::age(now, d.created_at),
                    d.rollout_reason
                ),
                muted,
            ),
        ]));
    }
    // A pair's view shows the other service's target groups too: the canary's health is the
    // point of a canary.
    let other = pair.map(|(p, c)| if p.key() == s.key() { c } else { p });
    let others = other.into_iter().flat_map(|o| {
        o.targets.iter().filter(|t| {
            !s.targets
                .iter()
                .any(|x| x.target_group_arn == t.target_group_arn)
        })
    });
    for t in s.targets.iter().chain(others) {
        let mut spans = vec![
            Span::styled(format!("  targets {}: ", t.name()), muted),
            Span::styled(
                format!("{} healthy", t.healthy),
                if t.healthy > 0 {
                    Style::new().fg(theme.ok)
                } else {
                    muted
                },
            ),
            Span::styled(", ", muted),
            Span::styled(
                format!("{} unhealthy", t.unhealthy),
                if t.unhealthy > 0 {
                    Style::new().fg(theme.alarm)
                } else {
                    muted
                },
            ),
        ];
        if t.other > 0 {
            spans.push(Span::styled(format!(", {} other", t.other), muted));
        }
        if !t.reasons.is_empty() {
            spans.push(Span::styled(
                format!(" ({})", t.reasons.join(", ")),
                Style::new().fg(theme.alarm),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn native_lines(n: &NativeDeployment, now: Millis, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let fg = Style::new().fg(theme.fg);
    let canary = Style::new().fg(theme.canary);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("  {} ", n.strategy.label()),
            canary.add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("{} ", n.status), fg),
        Span::styled(
            format!("stage {} ", n.lifecycle_stage),
            Style::new().fg(theme.info),
        ),
        Span::styled(format!("canary {}% ", n.canary_percent), muted),
        Span::styled(
            format!("started {} ago", format::age(now, n.started_at)),
            muted,
        ),
    ])];
    for (label, r) in
        std::iter::once(("target", &n.target)).chain(n.sources.iter().map(|r| ("source", r)))
    {
        lines.push(Line::from(vec![
            Span::styled(format!("  {label} "), muted),
            Span::styled(
                format!("{:<14} {:<9} ", r.task_def.to_string(), r.image_tag),
                fg,
            ),
            Span::styled(format!("{} ", format::clip(&r.image_digest, 19)), muted),
            Span::styled(
                format!(
                    "tasks {}  prod {:.0}%  test {:.0}%",
                    r.running, r.requested_production_weight, r.requested_test_weight
                ),
                fg,
            ),
        ]));
    }
    let w = n.target.requested_production_weight;
    lines.push(Line::from(vec![
        Span::styled("  traffic ", muted),
        Span::styled(format::bar(w / 100.0, 30), canary),
        Span::styled(format!(" {w:.0}% on target"), fg),
        Span::styled(
            n.bake_ends_at.map_or(String::new(), |t| {
                format!("  bake {} left", format::countdown(now, t))
            }),
            Style::new().fg(theme.info),
        ),
    ]));
    if let Some(h) = &n.hook {
        let cd = hook_countdown(n, now).unwrap_or_else(|| format!("{:?}", h.status).to_uppercase());
        lines.push(Line::from(vec![
            Span::styled(
                format!("  ‖ hook {} at {} ", h.id, h.stage),
                Style::new().fg(theme.warn),
            ),
            Span::styled(cd, Style::new().fg(theme.warn).add_modifier(Modifier::BOLD)),
        ]));
    }
    if !n.triggered_alarms.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "  alarms firing: {} (a: open in the alarms pane)",
                n.triggered_alarms.join(", ")
            ),
            Style::new().fg(theme.alarm),
        )));
    }
    if let Some(r) = &n.rollback_reason {
        lines.push(Line::from(Span::styled(
            format!("  rollback: {r}"),
            Style::new().fg(theme.alarm),
        )));
    }
    lines
}
