//! Console links: the AWS console's (or GitHub's) page of what a row names, for the OSC 8
//! links the frame carries and for `o`, which opens the selection's page in the browser.

use crate::model::{Pane, console_link};
use crate::state::{Effect, State};

/// Where a row's name was drawn (up to `width` cells from `x` on row `y`) and its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpan {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub url: String,
}

/// The page of item `i` of the pane's (filtered) view.
fn row_url(state: &State, i: usize) -> Option<String> {
    let region = state.ctx.info.region.as_str();
    match state.ctx.pane {
        Pane::Services => {
            let t = &state.ctx.services;
            console_link::service(region, &t.items[*t.view.get(i)?].key())
        }
        Pane::Tasks => console_link::task(
            region,
            &state.ctx.tasks.items[*state.ctx.tasks.view.get(i)?],
        ),
        Pane::Alarms => {
            let t = &state.ctx.alarms;
            console_link::alarm(region, &t.items[*t.view.get(i)?].name)
        }
        Pane::Builds => {
            let t = &state.builds.runs;
            console_link::run(&t.items[*t.view.get(i)?])
        }
        Pane::Images | Pane::Logs | Pane::Rollout | Pane::Timeline => None,
    }
}

/// The links of the rows a list drew: none while links are off or a popup covers the list.
pub fn spans(state: &State, list: &crate::state::ListArea) -> Vec<LinkSpan> {
    let uncovered = matches!(
        state.mode,
        crate::state::Mode::Normal | crate::state::Mode::Filter
    );
    if !state.links || !uncovered || list.name_width == 0 {
        return Vec::new();
    }
    (0..list.rows.height)
        .filter_map(|r| {
            let url = row_url(state, list.first + r as usize)?;
            Some(LinkSpan {
                x: list.rows.x,
                y: list.rows.y + r,
                width: list.name_width,
                url,
            })
        })
        .collect()
}

/// The logs pane's title names its log group `width` cells from `x` on row `y`: its page, as
/// a link over the name, while links are on and nothing covers the pane.
pub fn log_group_span(state: &State, x: u16, y: u16, width: u16) -> Option<LinkSpan> {
    let uncovered = matches!(
        state.mode,
        crate::state::Mode::Normal | crate::state::Mode::Filter
    );
    let Some(crate::model::LogTarget::Group(g)) = state.ctx.logs.target.as_ref() else {
        return None;
    };
    if !state.links || !uncovered || width == 0 {
        return None;
    }
    let url = console_link::log_group(state.ctx.info.region.as_str(), g)?;
    Some(LinkSpan { x, y, width, url })
}

/// The page of the selection on the pane on screen, if it has one.
pub fn selected(state: &State) -> Option<String> {
    let region = state.ctx.info.region.as_str();
    match state.ctx.pane {
        Pane::Services => console_link::service(region, &state.ctx.selected_service()?.key()),
        Pane::Rollout => console_link::service(region, &state.ctx.rollout_service()?.key()),
        Pane::Tasks => console_link::task(region, state.ctx.tasks.selected_item()?),
        Pane::Alarms => console_link::alarm(region, &state.ctx.alarms.selected_item()?.name),
        Pane::Builds => console_link::run(state.run_target()?),
        Pane::Logs => match state.ctx.logs.target.as_ref()? {
            crate::model::LogTarget::Group(g) => console_link::log_group(region, g),
            crate::model::LogTarget::Service { primary, .. } => {
                console_link::service(region, primary)
            }
        },
        Pane::Images | Pane::Timeline => None,
    }
}

/// `o`: asks the loop to open the selection's page.
pub(crate) fn open(state: &mut State, effects: &mut Vec<Effect>) {
    match selected(state) {
        Some(url) => {
            state.flash(format!("opening {url}"));
            effects.push(Effect::OpenLink(url));
        }
        None => state.flash("no console page for this selection"),
    }
}
