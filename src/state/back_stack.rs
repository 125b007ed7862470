//! The back-stack: `Esc` returns to where you came from, with the selection and the scroll as
//! you left them.

use crate::model::ServiceKey;
use crate::state::{Pane, State};

/// How many places are remembered; the oldest go first.
const KEPT: usize = 32;
/// How many filters `Up` can recall.
const FILTERS_KEPT: usize = 20;

/// Where a pane's view stood: the selected item, or how far it was scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    pub selected: Option<String>,
    pub scroll: usize,
    /// The logs were paused (not following the newest line).
    pub paused: bool,
}

/// A place to come back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub pane: Pane,
    pub rollout: Option<ServiceKey>,
    pub position: Position,
}

impl State {
    /// Where the console is now.
    pub fn here(&self) -> Place {
        Place {
            pane: self.ctx.pane,
            rollout: self.ctx.rollout.clone(),
            position: self.current().position(),
        }
    }

    /// Remembers where the console is before it goes elsewhere.
    pub(crate) fn remember_here(&mut self) {
        let here = self.here();
        if self.ctx.back_stack.last() != Some(&here) {
            self.ctx.back_stack.push(here);
        }
        if self.ctx.back_stack.len() > KEPT {
            self.ctx.back_stack.remove(0);
        }
    }

    /// Keeps a filter for `Up` to recall (not an empty one, nor the same twice in a row).
    pub(crate) fn remember_filter(&mut self, text: String) {
        if text.trim().is_empty() || self.filters_used.last() == Some(&text) {
            return;
        }
        self.filters_used.retain(|f| *f != text);
        self.filters_used.push(text);
        if self.filters_used.len() > FILTERS_KEPT {
            self.filters_used.remove(0);
        }
    }

    /// An earlier filter (`older`) or a later one, moving through those kept.
    pub(crate) fn recall_filter(&mut self, older: bool) -> Option<String> {
        let n = self.filters_used.len();
        let i = match (self.filter_recall, older) {
            (None, true) if n > 0 => n - 1,
            (Some(i), true) if i > 0 => i - 1,
            (Some(i), false) if i + 1 < n => i + 1,
            _ => return None,
        };
        self.filter_recall = Some(i);
        self.filters_used.get(i).cloned()
    }

    /// Goes back to the last place remembered; false when there is none.
    pub(crate) fn go_back(&mut self) -> bool {
        let Some(place) = self.ctx.back_stack.pop() else {
            return false;
        };
        if place.rollout != self.ctx.rollout {
            // Another service's rollout: what was loaded for this one does not belong there.
            self.ctx.rollout_view = crate::state::rollout::RolloutView::of(&self.ctx.services);
        }
        self.ctx.rollout = place.rollout;
        self.ctx.pane = place.pane;
        if self.ctx.pane == Pane::Rollout {
            self.follow_logs_of_selection();
        }
        self.current_mut().restore(&place.position);
        self.dirty = true;
        true
    }
}
