//! How a CODE_DEPLOY service's rollout reads: the services table's cell and the rollout
//! view's lines, in the places a native canary puts its stage, countdown and traffic bar.

use super::format;
use crate::model::{
    At, CdDeployment, CdEventStatus, CdTaskSet, CdWait, CodeDeploy, ReadyAction, Service, TaskSet,
    TrafficShape,
};
use crate::theme::Theme;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// `auto-stop in 27m12s`: what happens when a wait runs out, and when.
fn wait_countdown(cd: &CodeDeploy, d: &CdDeployment, now: At) -> Option<String> {
    let at = d.wait_ends_at(&cd.group)?;
    let what = match d.waiting()? {
        CdWait::Reroute => match cd.group.ready_wait.as_ref().map(|(_, a)| a) {
            Some(ReadyAction::Stop) => "auto-stop",
            _ => "auto-reroute",
        },
        CdWait::Termination => "terminated",
    };
    Some(format!("{what} {}", format::countdown(now, at)))
}

/// The word for the configuration in a narrow cell: `CANARY`, `LINEAR`, `ALL-AT-ONCE`.
fn shape_word(config: &str) -> &'static str {
    match TrafficShape::of(config) {
        TrafficShape::AllAtOnce => "ALL-AT-ONCE",
        TrafficShape::Canary { .. } => "CANARY",
        TrafficShape::Linear { .. } => "LINEAR",
        TrafficShape::Named => "CODEDEPLOY",
    }
}

/// The services table's ROLLOUT cell while a CodeDeploy deployment moves.
pub fn summary(cd: &CodeDeploy, now: At, theme: &Theme) -> Option<Line<'static>> {
    let d = cd.in_flight()?;
    let canary = theme.canary_style().add_modifier(Modifier::BOLD);
    if let Some(wait) = d.waiting() {
        let word = match wait {
            CdWait::Reroute => "‖ READY ",
            CdWait::Termination => "‖ TERM WAIT ",
        };
        let left = d
            .wait_ends_at(&cd.group)
            .map_or_else(|| "no limit".into(), |at| format::countdown(now, at));
        return Some(Line::from(vec![
            Span::styled(word, canary),
            Span::styled(left, theme.waiting()),
        ]));
    }
    let w = d.replacement_weight().unwrap_or(0.0);
    Some(Line::from(vec![
        Span::styled(format!("{} ", shape_word(&d.config)), canary),
        Span::styled(format::bar(w / 100.0, 8), theme.canary_style()),
        Span::styled(format!(" {w:>3.0}%"), Style::new().fg(theme.fg)),
    ]))
}

/// The rollout view's CodeDeploy section: the deployment and its stage, the wait and its
/// countdown, both task sets and the traffic, the lifecycle events and the task sets ECS lists.
pub fn lines(s: &Service, cd: &CodeDeploy, now: At, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let g = &cd.group;
    let Some(d) = &cd.deployment else {
        let mut out = vec![Line::from(vec![
            Span::styled(
                "  CODEDEPLOY ",
                theme.canary_style().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    "{}/{} · no deployment in flight · {}",
                    g.application, g.name, g.config
                ),
                muted,
            ),
        ])];
        out.extend(s.task_sets.iter().map(|t| task_set_line(t, theme)));
        return out;
    };
    let mut out = vec![header(cd, d, now, theme)];
    // The wait and its countdown next: on a small terminal they must be on screen.
    out.extend(wait_line(cd, d, now, theme));
    out.push(Line::from(Span::styled(
        format!(
            "  configuration {}: {}",
            d.config,
            TrafficShape::of(&d.config).text()
        ),
        muted,
    )));
    let sides = [("replacement", d.replacement()), ("original", d.original())];
    for (label, side) in sides {
        if let Some(side) = side {
            out.push(side_line(label, side, s, theme));
        }
    }
    out.push(traffic_line(d, theme));
    out.push(events_line(d, theme));
    out.extend(s.task_sets.iter().map(|t| task_set_line(t, theme)));
    for (what, text) in [("error", &d.error), ("rollback", &d.rollback)] {
        if let Some(t) = text {
            out.push(Line::from(Span::styled(
                format!("  {what}: {t}"),
                Style::new().fg(theme.alarm),
            )));
        }
    }
    out
}

/// A CODE_DEPLOY service whose CodeDeploy side is not known: say so, and show its task sets.
pub fn unknown_lines(s: &Service, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(vec![
        Span::styled(
            "  CODEDEPLOY ",
            theme.canary_style().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            "no deployment group is known to deploy it, or CodeDeploy could not be read \
             (deckwatch's log says which)",
            theme.waiting(),
        ),
    ])];
    out.extend(s.task_sets.iter().map(|t| task_set_line(t, theme)));
    out
}

fn wait_line(cd: &CodeDeploy, d: &CdDeployment, now: At, theme: &Theme) -> Option<Line<'static>> {
    let (what, key) = match d.waiting()? {
        CdWait::Reroute => ("waiting for reroute", "P reroutes now"),
        CdWait::Termination => ("traffic moved; original kept,", "P ends the wait"),
    };
    let left = wait_countdown(cd, d, now).unwrap_or_else(|| "no time limit read".into());
    Some(Line::from(vec![
        Span::styled(format!("  ‖ {what} "), theme.waiting()),
        Span::styled(left, theme.waiting().add_modifier(Modifier::BOLD)),
        Span::styled(
            format!("  ({key}, A stops and rolls back)"),
            Style::new().fg(theme.muted),
        ),
    ]))
}

fn header(cd: &CodeDeploy, d: &CdDeployment, now: At, theme: &Theme) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    Line::from(vec![
        Span::styled(
            "  CODEDEPLOY ",
            theme.canary_style().add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("{} ", d.id), Style::new().fg(theme.fg)),
        Span::styled(format!("{} ", d.status), Style::new().fg(theme.fg)),
        Span::styled(format!("stage {} ", d.stage()), Style::new().fg(theme.info)),
        Span::styled(
            format!(
                "{}/{} · started {} ago",
                cd.group.application,
                cd.group.name,
                format::age(now, d.created_at)
            ),
            muted,
        ),
    ])
}

/// One side: its revision (from the service's task sets), target group, tasks and weight.
fn side_line(label: &str, side: &CdTaskSet, s: &Service, theme: &Theme) -> Line<'static> {
    let set = s.task_sets.iter().find(|t| t.id == side.id);
    let revision = set.map_or_else(|| "?".into(), |t| t.task_def.to_string());
    let tag = set.map_or_else(String::new, |t| t.image_tag.clone());
    Line::from(vec![
        Span::styled(
            format!("  {label:<11} {revision:<14} {tag:<9} "),
            Style::new().fg(theme.fg),
        ),
        Span::styled(
            format!("tg {}  ", side.target_group),
            Style::new().fg(theme.muted),
        ),
        Span::styled(
            format!(
                "tasks {}/{}  prod {:.0}%",
                side.running, side.desired, side.weight
            ),
            Style::new().fg(theme.fg),
        ),
    ])
}

fn traffic_line(d: &CdDeployment, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled("  traffic ", Style::new().fg(theme.muted))];
    match d.replacement_weight() {
        Some(w) => {
            spans.push(Span::styled(
                format::bar(w / 100.0, 30),
                theme.canary_style(),
            ));
            spans.push(Span::styled(
                format!(" {w:.0}% on the replacement"),
                Style::new().fg(theme.fg),
            ));
        }
        None => spans.push(Span::styled(
            "not known yet (the deployment target is not read)",
            theme.waiting(),
        )),
    }
    Line::from(spans)
}

/// The lifecycle events in order, each marked by its status; hooks (`Before*`/`After*`) are
/// the AppSpec's Lambda functions.
fn events_line(d: &CdDeployment, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled("  events ", Style::new().fg(theme.muted))];
    if d.events.is_empty() {
        spans.push(Span::styled(
            "none reported yet",
            Style::new().fg(theme.muted),
        ));
    }
    for (i, e) in d.events.iter().enumerate() {
        let mark = match e.status {
            CdEventStatus::Succeeded => "✓",
            CdEventStatus::Failed => "✗",
            CdEventStatus::InProgress => "▶",
            CdEventStatus::Skipped => "–",
            _ => "·",
        };
        let sep = if i == 0 { "" } else { " " };
        spans.push(Span::styled(
            format!("{sep}{mark}{}", e.name),
            theme.cd_event(&e.status),
        ));
    }
    Line::from(spans)
}

fn task_set_line(t: &TaskSet, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        format!(
            "  task set {} {} {} ({}) scale {:.0}% {} {}/{} running",
            t.status,
            t.id,
            t.task_def,
            t.image_tag,
            t.scale_percent,
            t.stability,
            t.running,
            t.desired
        ),
        Style::new().fg(theme.muted),
    ))
}
