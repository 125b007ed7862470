//! The rollout view: one service's rollout, its tasks, events and log lines, as one document
//! that scrolls, so it reads on any terminal from 80x24 up.

pub mod evidence;
pub(crate) mod overlay;
pub mod policy;
pub mod verdict;

use crate::model::{ApiError, At, Task};
use crate::state::back_stack::Position;
use crate::state::panes::PaneData;

#[derive(Debug, Default)]
pub struct RolloutView {
    /// The service's tasks, running first.
    pub tasks: Vec<Task>,
    /// A paired canary's other service and its tasks, so both sides of the comparison count
    /// their stopped tasks the same way.
    pub partner_tasks: Vec<Task>,
    /// Lines scrolled past at the top.
    pub scroll: usize,
    /// Lines the last frame's document had beyond the screen: how far it may scroll.
    pub max_scroll: usize,
    /// The service's data: when it was read, and why the last read failed.
    pub fetched_at: Option<At>,
    pub error: Option<ApiError>,
}

impl RolloutView {
    /// A fresh view of a service from `services`: as old as the services' data.
    pub fn of<T: crate::state::table::TableItem>(services: &crate::state::table::Table<T>) -> Self {
        Self {
            fetched_at: services.fetched_at,
            error: services.error.clone(),
            ..Self::default()
        }
    }
}

impl PaneData for RolloutView {
    /// The rollout view has no filter: it is one service already.
    fn filter(&self) -> &str {
        ""
    }
    fn set_filter(&mut self, _: String) {}
    fn step(&mut self, delta: isize) {
        let to = (self.scroll as isize).saturating_add(delta);
        self.scroll = to.clamp(0, self.max_scroll as isize) as usize;
    }
    fn fetched_at(&self) -> Option<At> {
        self.fetched_at
    }
    fn error(&self) -> Option<&ApiError> {
        self.error.as_ref()
    }
    fn fail(&mut self, e: ApiError) -> bool {
        let changed = self.error.as_ref() != Some(&e);
        self.error = Some(e);
        changed
    }
    fn has_items(&self) -> bool {
        false
    }
    fn position(&self) -> Position {
        Position {
            scroll: self.scroll,
            ..Position::default()
        }
    }
    fn restore(&mut self, p: &Position) {
        self.scroll = p.scroll;
    }
}
