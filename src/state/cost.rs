//! The cost estimate's prices, as a context knows them: not read yet, read (from the cache or
//! the Price List), or why not. The estimate itself is the model's (`model::cost`), put on
//! each service by `stamp` whenever the services or the prices change.

use crate::model::ApiError;
use crate::model::cost::{self, PriceTable, Total};
use crate::state::table::columns::ServiceColumn;
use crate::state::{Context, State};

/// A context's Fargate prices.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Prices {
    #[default]
    NotRead,
    Known(PriceTable),
    /// Why they could not be read: every estimate is `?`.
    Failed(String),
}

impl Prices {
    pub fn table(&self) -> Option<&PriceTable> {
        match self {
            Prices::Known(t) => Some(t),
            Prices::NotRead | Prices::Failed(_) => None,
        }
    }

    /// Whether the COST column is shown: once the prices were asked for and answered.
    pub fn shown(&self) -> bool {
        !matches!(self, Prices::NotRead)
    }
}

impl Context {
    /// The estimated cost of all its services (see `model::cost::context_total`).
    pub fn cost_total(&self) -> Option<Total> {
        cost::context_total(self.services.items.iter(), self.prices.table())
    }
}

/// Puts each service's estimate on it (`Service::cost_per_hour`) for the COST sort, and sorts
/// again when the services pane sorts by it: the poller that sorted them knows no prices.
pub(super) fn stamp(ctx: &mut Context) {
    let prices = ctx.prices.table();
    for s in &mut ctx.services.items {
        s.cost_per_hour = prices
            .and_then(|p| cost::service_estimate(s, p))
            .map(|e| e.per_hour);
    }
    if let Some(sort) = ctx.services.sort
        && sort.column == ServiceColumn::Cost
    {
        ctx.services.sort_by(sort.column, sort.desc);
    }
}

/// The prices worker's answer: taken into the context on screen, whose worker sent it.
pub fn on_prices(state: &mut State, answer: Result<PriceTable, ApiError>) {
    let prices = match answer {
        Ok(t) => Prices::Known(t),
        Err(e) => {
            let why = format!("cost estimate: prices not read: {}", e.message);
            if !matches!(state.ctx.prices, Prices::Failed(_)) {
                state.flash(why.clone());
            }
            Prices::Failed(why)
        }
    };
    if state.ctx.prices != prices {
        state.ctx.prices = prices;
        stamp(&mut state.ctx);
        state.dirty = true;
    }
}

/// The billed-cost worker's answer: the figures replace the last day's; a failure is said once
/// and the last figures stay (they are labelled with their day).
pub fn on_billed(state: &mut State, answer: Result<cost::BilledDay, ApiError>) {
    match answer {
        Ok(day) => {
            if state.ctx.billed.as_ref() != Some(&day) {
                state.ctx.billed = Some(day);
                state.dirty = true;
            }
        }
        Err(e) => state.flash(format!(
            "billed cost: Cost Explorer not read: {}",
            e.message
        )),
    }
}
