//! The scale dialog's cost line: what the change does to the service's estimated cost,
//! said to be an estimate, or nothing when the estimate is not known.

use crate::model::{ActionPlan, AwsCall, Mutation, Verb, cost};
use crate::state::State;
use crate::theme::Theme;
use ratatui::style::Style;
use ratatui::text::Line;

/// `   4 → 8 tasks: +$3.10/day (estimate)` for a scale plan whose service and prices are known.
pub fn scale_line(state: &State, plan: &ActionPlan, theme: &Theme) -> Option<Line<'static>> {
    if plan.verb != Verb::Scale {
        return None;
    }
    let Mutation::Aws(AwsCall::UpdateService {
        desired: Some(to), ..
    }) = &plan.mutation
    else {
        return None;
    };
    let prices = state.ctx.prices.table()?;
    let s = state.ctx.service(&plan.service)?;
    let text = cost::scale_line(&s.footprint, prices, s.desired, *to)?;
    Some(Line::styled(
        format!("   {text}"),
        Style::new().fg(theme.muted),
    ))
}
