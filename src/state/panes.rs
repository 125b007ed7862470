//! The five panes, and the one accessor over what every pane has: a filter, a position, the
//! age of its data and the error that keeps it stale.

use super::State;
use super::logs::LogView;
use super::table::{Table, TableItem};
use crate::cloud::CloudError;
use crate::model::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Services,
    Tasks,
    Images,
    Alarms,
    Logs,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Services,
        Pane::Tasks,
        Pane::Images,
        Pane::Alarms,
        Pane::Logs,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Services => "services",
            Pane::Tasks => "tasks",
            Pane::Images => "images",
            Pane::Alarms => "alarms",
            Pane::Logs => "logs",
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|&p| p == self).unwrap_or(0)
    }

    pub fn cycle(self, forward: bool) -> Pane {
        let n = Pane::ALL.len();
        let i = self.index();
        Pane::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// What every pane's data offers the reducer and the chrome, whatever its items are.
pub trait PaneData {
    fn filter(&self) -> &str;
    fn set_filter(&mut self, text: String);
    /// Moves the selection (or the scroll) by `delta`, clamped.
    fn step(&mut self, delta: isize);
    /// When the data shown was fetched; None until the first load.
    fn fetched_at(&self) -> Option<Millis>;
    /// The last fetch's error, shown over stale data until a fetch succeeds.
    fn error(&self) -> Option<&CloudError>;
    /// Records a failed fetch; true when that changes what is shown.
    fn fail(&mut self, e: CloudError) -> bool;
    fn has_items(&self) -> bool;
}

impl<T: TableItem + PartialEq> PaneData for Table<T> {
    fn filter(&self) -> &str {
        self.filter.text()
    }
    fn set_filter(&mut self, text: String) {
        Table::set_filter(self, text);
    }
    fn step(&mut self, delta: isize) {
        Table::step(self, delta);
    }
    fn fetched_at(&self) -> Option<Millis> {
        self.fetched_at
    }
    fn error(&self) -> Option<&CloudError> {
        self.error.as_ref()
    }
    fn fail(&mut self, e: CloudError) -> bool {
        let changed = self.error.as_ref() != Some(&e);
        self.error = Some(e);
        changed
    }
    fn has_items(&self) -> bool {
        !self.is_empty()
    }
}

impl PaneData for LogView {
    fn filter(&self) -> &str {
        self.search.filter.text()
    }
    fn set_filter(&mut self, text: String) {
        LogView::set_filter(self, &text, self.rows);
    }
    /// Up moves back in time and pauses the tail; back on the newest line it follows again.
    fn step(&mut self, delta: isize) {
        self.step_by(delta, self.rows);
    }
    fn fetched_at(&self) -> Option<Millis> {
        self.fetched_at
    }
    fn error(&self) -> Option<&CloudError> {
        self.error.as_ref()
    }
    fn fail(&mut self, e: CloudError) -> bool {
        let changed = self.error.as_ref() != Some(&e);
        self.error = Some(e);
        changed
    }
    fn has_items(&self) -> bool {
        !self.buf.is_empty()
    }
}

impl State {
    pub fn pane_data(&self, pane: Pane) -> &dyn PaneData {
        match pane {
            Pane::Services => &self.services,
            Pane::Tasks => &self.tasks,
            Pane::Images => &self.images,
            Pane::Alarms => &self.alarms,
            Pane::Logs => &self.logs,
        }
    }

    pub fn pane_data_mut(&mut self, pane: Pane) -> &mut dyn PaneData {
        match pane {
            Pane::Services => &mut self.services,
            Pane::Tasks => &mut self.tasks,
            Pane::Images => &mut self.images,
            Pane::Alarms => &mut self.alarms,
            Pane::Logs => &mut self.logs,
        }
    }

    /// The current pane's data.
    pub fn current(&self) -> &dyn PaneData {
        self.pane_data(self.pane)
    }

    pub fn current_mut(&mut self) -> &mut dyn PaneData {
        self.pane_data_mut(self.pane)
    }
}
