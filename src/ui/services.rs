use crate::model::cost::Estimate;
use crate::model::{At, Service};
use crate::state::table::columns::ServiceColumn;
use crate::state::{ListArea, State};
use crate::theme::Theme;
use crate::ui::rollout::summary;
use crate::ui::widgets::columns::{Column, col, flex};
use crate::ui::widgets::table::{self, Spec};
use crate::ui::{format, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The services table's columns: the name and the rollout never leave the screen.
const COLUMNS: [Column<ServiceColumn>; 12] = [
    flex("NAME", 0, 10).sorts(ServiceColumn::Name),
    col("CLUSTER", 3, 7).sorts(ServiceColumn::Cluster),
    col("STATUS", 7, 6).sorts(ServiceColumn::Status),
    col("D/R/P", 2, 5).sorts(ServiceColumn::Drp),
    col("ROLLOUT", 0, 12).sorts(ServiceColumn::Rollout),
    col("TASK DEF", 4, 8).sorts(ServiceColumn::TaskDef),
    col("IMAGE", 5, 6)
        .short(IMAGE_SHORT)
        .sorts(ServiceColumn::Image),
    col("AGE", 8, 3).sorts(ServiceColumn::Age),
    col("CPU", 6, 11).sorts(ServiceColumn::Cpu),
    col("MEM", 6, 11).sorts(ServiceColumn::Mem),
    // Who owns it (CloudFormation, CDK, Copilot, Terraform).
    col("OWNER", 9, 5),
    // The cost estimate: the first to leave the screen, and only while prices are known.
    COST,
];
/// The same with the verdict after the rollout, while a rollout in flight has one.
const WITH_VERDICT: [Column<ServiceColumn>; 13] = [
    flex("NAME", 0, 10).sorts(ServiceColumn::Name),
    col("CLUSTER", 3, 7).sorts(ServiceColumn::Cluster),
    col("STATUS", 7, 6).sorts(ServiceColumn::Status),
    col("D/R/P", 2, 5).sorts(ServiceColumn::Drp),
    col("ROLLOUT", 0, 12).sorts(ServiceColumn::Rollout),
    col("VERDICT", 2, 4),
    col("TASK DEF", 4, 8).sorts(ServiceColumn::TaskDef),
    col("IMAGE", 5, 6)
        .short(IMAGE_SHORT)
        .sorts(ServiceColumn::Image),
    col("AGE", 8, 3).sorts(ServiceColumn::Age),
    col("CPU", 6, 11).sorts(ServiceColumn::Cpu),
    col("MEM", 6, 11).sorts(ServiceColumn::Mem),
    col("OWNER", 9, 5),
    COST,
];
/// `$/day $/month` of the running tasks; the header says it is an estimate.
const COST: Column<ServiceColumn> = col("~$/DAY /MO", 10, 5).sorts(ServiceColumn::Cost);
const SPARK: usize = 7;
/// An image tag cut to this when space is short: a short sha's 7 characters and the `…`, enough
/// to tell a full sha by its start (`v1.118.0` fits whole).
const IMAGE_SHORT: u16 = 8;

/// Draws the services table; returns where its rows are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let t = &state.ctx.services;
    // Verdicts are kept only for rollouts in flight whose figures were read.
    let verdicts = !state.ctx.evidence.verdicts.is_empty();
    let (columns, cost) = columns_of(state, verdicts);
    let spec = Spec {
        columns,
        len: t.len(),
        selected: t.selected,
        sort: table::sort_of(t.sort.as_ref(), columns),
        block: pane_block(
            state,
            theme,
            match state.ctx.services_loading {
                Some((done, total)) => format!("services · {done} of {total} clusters read…"),
                None => "services".into(),
            },
            Some((t.len(), t.items.len())),
        ),
    };
    table::draw(f, area, theme, spec, |i| {
        let s = &t.items[t.view[i]];
        let mut cells = row(
            s,
            state.ctx.firing_alarms_of(&s.key()).count(),
            state.now,
            theme,
        );
        cells.push(Line::styled(
            state.owner_of(s).label(),
            Style::new().fg(theme.muted),
        ));
        if cost {
            let billed =
                (state.ctx.billed.as_ref()).and_then(|b| Some((b.of(&s.key())?, b.day.as_str())));
            // The reducer stamped it (`state::cost::stamp`): one estimate for the cell and the sort.
            let estimate = s.cost_per_hour.map(|per_hour| Estimate { per_hour });
            cells.push(cost_cell(estimate, billed, theme));
        }
        if state
            .ctx
            .evidence
            .armed
            .as_ref()
            .is_some_and(|a| a.service == s.key())
        {
            cells[0].spans.push(Span::styled(" AUTO", theme.auto()));
        }
        if verdicts {
            let verdict = crate::ui::rollout::verdict::cell(state, s, theme)
                .unwrap_or_else(|| Line::styled("-", Style::new().fg(theme.muted)));
            cells.insert(5, verdict);
        }
        cells
    })
}

/// The columns shown: VERDICT while a rollout has one, COST once the prices were asked for
/// and answered; and whether COST is.
fn columns_of(state: &State, verdicts: bool) -> (&'static [Column<ServiceColumn>], bool) {
    let columns: &'static [Column<ServiceColumn>] = if verdicts { &WITH_VERDICT } else { &COLUMNS };
    let cost = state.ctx.prices.shown();
    let shown = if cost {
        columns
    } else {
        &columns[..columns.len() - 1]
    };
    (shown, cost)
}

/// The name, and how many of the service's alarms fire.
fn name_cell(s: &Service, firing: usize, theme: &Theme) -> Line<'static> {
    if firing == 0 {
        return Line::from(s.name.clone());
    }
    Line::from(vec![
        Span::raw(s.name.clone()),
        Span::styled(
            format!(" ⚠{firing}"),
            theme.alarm_row_state(&crate::model::AlarmState::Alarm),
        ),
    ])
}

fn row(s: &Service, firing: usize, now: At, theme: &Theme) -> Vec<Line<'static>> {
    let counts = Style::new().fg(if s.running < s.desired {
        theme.warn
    } else {
        theme.fg
    });
    vec![
        name_cell(s, firing, theme),
        Line::styled(s.cluster.clone(), Style::new().fg(theme.muted)),
        Line::styled(s.status.to_string(), theme.service_status(&s.status)),
        Line::styled(format!("{}/{}/{}", s.desired, s.running, s.pending), counts),
        summary::summary(s, now, theme),
        Line::from(s.task_def.to_string()),
        Line::from(or_dash(&s.image_tag)),
        Line::styled(format::age(now, s.created_at), Style::new().fg(theme.muted)),
        metric_cell(&s.cpu, theme.info, theme),
        metric_cell(&s.mem, theme.canary, theme),
    ]
}

/// `$3.10 $94` a day and a month, or `?` when the estimate is not known; then what Cost
/// Explorer billed the day it names, when read (`billed $2.95 on 2026-12-05`).
fn cost_cell(
    estimate: Option<Estimate>,
    billed: Option<(f64, &str)>,
    theme: &Theme,
) -> Line<'static> {
    use crate::model::cost::dollars;
    let muted = Style::new().fg(theme.muted);
    let mut spans = vec![match estimate {
        Some(e) => Span::styled(
            format!("{} {}", dollars(e.per_day()), dollars(e.per_month())),
            muted,
        ),
        None => Span::styled("?", muted),
    }];
    if let Some((usd, day)) = billed {
        spans.push(Span::styled(
            format!("  billed {} on {day}", dollars(usd)),
            Style::new().fg(theme.fg),
        ));
    }
    Line::from(spans)
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        s.to_string()
    }
}

/// A sparkline of the last points and the latest value, or a dash when there are none.
fn metric_cell(points: &[f64], color: ratatui::style::Color, theme: &Theme) -> Line<'static> {
    let Some(last) = points.last() else {
        return Line::styled("-", Style::new().fg(theme.muted));
    };
    Line::from(vec![
        Span::styled(format::sparkline(points, SPARK), Style::new().fg(color)),
        Span::styled(format!("{last:>3.0}%"), Style::new().fg(theme.fg)),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_column_that_sorts_is_headed_by_its_sort_word() {
        crate::ui::widgets::table::assert_columns_agree(&super::COLUMNS, &[]);
    }
}
