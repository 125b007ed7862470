//! How a service's rollout reads: a one-cell summary for the services table and the panel at
//! the top of the rollout view.

use crate::model::{
    At, Deployment, DeploymentStatus, LifecycleHook, NativeDeployment, NativeStatus, RolloutState,
    Service, ServiceRevision, Split, TargetGroupHealth, TimeoutAction, split, weights_text,
};
use crate::state::State;
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// What ECS does when the hook's time runs out, in a word.
fn on_timeout(h: &LifecycleHook) -> String {
    match &h.timeout_action {
        TimeoutAction::Rollback => "rollback".into(),
        TimeoutAction::Continue => "continue".into(),
        TimeoutAction::Other(a) => a.to_lowercase(),
    }
}

/// The hook's countdown, e.g. `auto-rollback in 6m12s`.
pub fn hook_countdown(n: &NativeDeployment, now: At) -> Option<String> {
    let h = n.waiting_hook()?;
    Some(format!(
        "auto-{} {}",
        on_timeout(h),
        format::countdown(now, h.expires_at)
    ))
}

/// The services table's ROLLOUT cell.
pub fn summary(s: &Service, now: At, theme: &Theme) -> Line<'static> {
    if let Some(n) = s.native.as_ref().filter(|n| n.status.is_moving()) {
        return native_summary(n, now, theme);
    }
    if let Some(line) = s
        .codedeploy
        .as_ref()
        .and_then(|cd| super::codedeploy::summary(cd, now, theme))
    {
        return line;
    }
    // A failed or rolled-back deployment stays on the row until the next one.
    if let Some(line) = crate::ui::rollout::history::row_summary(s, now, theme) {
        return line;
    }
    let Some(d) = s.primary() else {
        return Line::from(Span::styled("-", Style::new().fg(theme.muted)));
    };
    match &d.rollout_state {
        RolloutState::InProgress => {
            // A rollout whose tasks are failing reads as failing, not as progress.
            let style = if s.max_failed_tasks() > 0 {
                Style::new().fg(theme.alarm)
            } else {
                Style::new().fg(theme.info)
            };
            Line::from(vec![
                Span::styled(format::bar(s.rollout_progress(), 8), style),
                Span::styled(format!(" {}/{}", d.running, d.desired), style),
                failed_span(s, theme),
            ])
        }
        state => Line::from(vec![
            Span::styled(state.to_string(), theme.rollout(state)),
            failed_span(s, theme),
        ]),
    }
}

fn native_summary(n: &NativeDeployment, now: At, theme: &Theme) -> Line<'static> {
    let canary = theme.canary_style().add_modifier(Modifier::BOLD);
    if let Some(h) = n.waiting_hook() {
        return Line::from(vec![
            Span::styled("‖ PAUSED ", canary),
            Span::styled(
                format!("{} {}", on_timeout(h), format::countdown(now, h.expires_at)),
                theme.waiting(),
            ),
        ]);
    }
    if n.status == NativeStatus::RollbackInProgress {
        return Line::from(Span::styled("ROLLING BACK", Style::new().fg(theme.alarm)));
    }
    let w = n.target.requested_production_weight;
    Line::from(vec![
        Span::styled(format!("{} ", n.strategy), canary),
        Span::styled(format::bar(w / 100.0, 8), theme.canary_style()),
        Span::styled(format!(" {w:>3.0}%"), Style::new().fg(theme.fg)),
    ])
}

fn failed_span(s: &Service, theme: &Theme) -> Span<'static> {
    let failed = s.max_failed_tasks();
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

/// The panel at the top of the rollout view: the evidence first (a rollback that put the
/// current revision there, canary against primary, the alarms), then deployments, the native
/// rollout, the pair's traffic, the target groups' health, and the last deployments.
pub fn panel(
    state: &State,
    s: &Service,
    pair: Option<(&Service, &Service)>,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let now = state.now;
    let mut lines = vec![title_line(s, theme), owner_line(state, s, theme)];
    lines.extend(crate::ui::rollout::history::rolled_back_line(s, now, theme));
    lines.extend(crate::ui::rollout::evidence::lines(state, s, theme));
    lines.extend(crate::ui::rollout::evidence::alarms_line(state, s, theme));
    if let Some(n) = &s.native {
        let soak = crate::state::rollout::verdict::soak_of(state, s).map(|k| k.text());
        lines.extend(native_lines(n, now, width, theme, soak));
    }
    match &s.codedeploy {
        Some(cd) => lines.extend(super::codedeploy::lines(s, cd, now, theme)),
        None if s.controller == crate::model::DeploymentController::CodeDeploy => {
            lines.extend(super::codedeploy::unknown_lines(s, theme));
        }
        None => {}
    }
    if let Some((p, c)) = pair {
        lines.extend(pair_lines(p, c, theme));
    }
    lines.extend(s.deployments.iter().map(|d| deployment_line(d, now, theme)));
    lines.extend(s.targets_with_pair(pair).map(|t| targets_line(t, theme)));
    lines.extend(crate::ui::rollout::history::lines(s, now, theme));
    lines
}

fn title_line(s: &Service, theme: &Theme) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    let fg = Style::new().fg(theme.fg);
    Line::from(vec![
        Span::styled(format!("{} ", s.name), fg.add_modifier(Modifier::BOLD)),
        Span::styled(format!("({}) ", s.cluster), muted),
        Span::styled(format!("{} ", deployed_by(s)), theme.canary_style()),
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
    ])
}

/// Who owns the service's configuration, and how that is known.
fn owner_line(state: &State, s: &Service, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("owner ", Style::new().fg(theme.muted)),
        Span::styled(state.owner_of(s).describe(), Style::new().fg(theme.fg)),
    ])
}

/// What deploys the service: its strategy, or CODE_DEPLOY (or EXTERNAL) when ECS does not.
fn deployed_by(s: &Service) -> String {
    match s.controller {
        crate::model::DeploymentController::Ecs => s.strategy.to_string(),
        ref other => other.to_string(),
    }
}

fn pair_lines(p: &Service, c: &Service, theme: &Theme) -> Vec<Line<'static>> {
    let fg = Style::new().fg(theme.fg);
    let header = Line::from(vec![
        Span::styled(
            "  PAIRED CANARY ",
            theme.canary_style().add_modifier(Modifier::BOLD),
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
    ]);
    let (share, how) = match split(p, c) {
        Split::Weights(w) => (
            Some(w.canary_percent()),
            format!(
                "on the canary · rule weights: {}",
                weights_text(&w.route.weights)
            ),
        ),
        Split::Tasks(share) => (
            Some(share),
            "on the canary · task ratio (one target group)".into(),
        ),
        Split::Unknown(why) => (None, format!("unknown: {why}")),
    };
    let mut traffic = vec![Span::styled("  traffic ", Style::new().fg(theme.muted))];
    match share {
        Some(share) => {
            traffic.push(Span::styled(
                format::bar(share / 100.0, 20),
                theme.canary_style(),
            ));
            traffic.push(Span::styled(format!(" {share:.0}% {how}"), fg));
        }
        None => traffic.push(Span::styled(how, theme.waiting())),
    }
    vec![header, Line::from(traffic)]
}

fn deployment_line(d: &Deployment, now: At, theme: &Theme) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    let fg = Style::new().fg(theme.fg);
    // Padded so the columns line up whatever the status.
    let status = match d.status {
        DeploymentStatus::Active => "ACTIVE ".to_string(),
        ref s => s.to_string(),
    };
    Line::from(vec![
        Span::styled(format!("  {status} "), fg),
        Span::styled(format!("{:<16} ", d.task_def.to_string()), fg),
        Span::styled(
            format!("{:<11} ", d.rollout_state.as_str()),
            theme.rollout(&d.rollout_state),
        ),
        Span::styled(format!("{}/{}/{} ", d.desired, d.running, d.pending), fg),
        Span::styled(
            format!("failed {} ", d.failed_tasks),
            theme.failures(d.failed_tasks),
        ),
        Span::styled(
            format!(
                "{} ago  {}",
                format::age(now, d.created_at),
                d.rollout_reason
            ),
            muted,
        ),
    ])
}

fn targets_line(t: &TargetGroupHealth, theme: &Theme) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
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
            theme.failures(t.unhealthy),
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
    Line::from(spans)
}

/// `‖ hook manual-promote-gate at PRE_PRODUCTION_TRAFFIC_SHIFT auto-rollback in 6m12s ·
/// soaked 12/30 min`.
fn hook_line(
    n: &NativeDeployment,
    now: At,
    theme: &Theme,
    soak: Option<String>,
) -> Option<Line<'static>> {
    let h = n.hook.as_ref()?;
    let cd = hook_countdown(n, now).unwrap_or_else(|| h.status.to_string());
    let at = h
        .stage
        .as_ref()
        .map_or(String::new(), |s| format!("at {s} "));
    let mut hook = vec![
        Span::styled(format!("  ‖ hook {} {at}", h.id), theme.waiting()),
        Span::styled(cd, theme.waiting().add_modifier(Modifier::BOLD)),
    ];
    if let Some(soak) = soak {
        hook.push(Span::styled(
            format!(" · {soak}"),
            Style::new().fg(theme.muted),
        ));
    }
    Some(Line::from(hook))
}

fn native_lines(
    n: &NativeDeployment,
    now: At,
    width: u16,
    theme: &Theme,
    soak: Option<String>,
) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("  {} ", n.strategy),
            theme.canary_style().add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("{} ", n.status), Style::new().fg(theme.fg)),
        Span::styled(
            format!("stage {} ", n.lifecycle_stage),
            Style::new().fg(theme.info),
        ),
        Span::styled(step_text(n), muted),
        Span::styled(
            format!("started {} ago", format::age(now, n.started_at)),
            muted,
        ),
    ])];
    // The hook and its countdown first: on a small terminal they must be on screen.
    lines.extend(hook_line(n, now, theme, soak));
    let revisions =
        std::iter::once(("target", &n.target)).chain(n.sources.iter().map(|r| ("source", r)));
    lines.extend(revisions.map(|(label, r)| revision_line(label, r, width, theme)));
    lines.push(traffic_line(n, now, theme));
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

/// What one traffic step of the strategy moves: `canary 10% `, `step 25% `, or BLUE_GREEN's
/// test traffic on the new revision.
fn step_text(n: &NativeDeployment) -> String {
    match n.strategy {
        crate::model::Strategy::Linear => format!("step {}% ", n.canary_percent),
        crate::model::Strategy::BlueGreen => {
            format!("test traffic {:.0}% ", n.target.requested_test_weight)
        }
        _ => format!("canary {}% ", n.canary_percent),
    }
}

/// A revision of a native deployment; its digest whole when the line has room for it.
fn revision_line(label: &str, r: &ServiceRevision, width: u16, theme: &Theme) -> Line<'static> {
    let fg = Style::new().fg(theme.fg);
    let head = format!(
        "  {label} {:<14} {:<9} ",
        r.task_def.to_string(),
        r.image_tag
    );
    let tail = format!(
        "tasks {}  prod {:.0}%  test {:.0}%",
        r.running, r.requested_production_weight, r.requested_test_weight
    );
    let room = (width as usize).saturating_sub(head.chars().count() + tail.chars().count() + 1);
    Line::from(vec![
        Span::styled(head, fg),
        Span::styled(
            format!("{} ", format::clip(&r.image_digest, room.max(19))),
            Style::new().fg(theme.muted),
        ),
        Span::styled(tail, fg),
    ])
}

fn traffic_line(n: &NativeDeployment, now: At, theme: &Theme) -> Line<'static> {
    let w = n.target.requested_production_weight;
    Line::from(vec![
        Span::styled("  traffic ", Style::new().fg(theme.muted)),
        Span::styled(format::bar(w / 100.0, 30), theme.canary_style()),
        Span::styled(format!(" {w:.0}% on target"), Style::new().fg(theme.fg)),
        Span::styled(
            n.bake_ends_at.map_or(String::new(), |t| {
                format!("  bake ends {}", format::countdown(now, t))
            }),
            Style::new().fg(theme.info),
        ),
    ])
}
