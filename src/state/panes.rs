//! The panes, and the one accessor over what every pane has: a filter, a position, the age of
//! its data and the error that keeps it stale.

use crate::model::{ApiError, At};
use crate::state::back_stack::Position;
use crate::state::logs::LogView;
use crate::state::table::{SortColumn, Table, TableItem, UnknownColumn};
use crate::state::{Pane, State};

/// What every pane's data offers the reducer and the chrome, whatever its items are.
pub trait PaneData {
    fn filter(&self) -> &str;
    fn set_filter(&mut self, text: String);
    /// Moves the selection (or the scroll) by `delta`, clamped.
    fn step(&mut self, delta: isize);
    /// When the data shown was fetched; None until the first load.
    fn fetched_at(&self) -> Option<At>;
    /// The last fetch's error, shown over stale data until a fetch succeeds.
    fn error(&self) -> Option<&ApiError>;
    /// Records a failed fetch; true when that changes what is shown.
    fn fail(&mut self, e: ApiError) -> bool;
    fn has_items(&self) -> bool;
    /// Whether this pane sorts by its columns (if not, it keeps its own order).
    fn sortable(&self) -> bool {
        false
    }
    /// Sorts by the column `word` names (its header, in any case), descending when the bool
    /// says so; None cycles to the next sort. Returns the sort now in effect, as the footer
    /// says it, or the word that names no column.
    fn sort(&mut self, _choice: Option<(&str, bool)>) -> Result<String, UnknownColumn> {
        Ok("this pane keeps its own order".into())
    }
    /// Where the view stands, for the back-stack.
    fn position(&self) -> Position;
    /// Puts the view back where it stood, as far as the data still allows.
    fn restore(&mut self, p: &Position);
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
        !self.is_empty()
    }
    fn sortable(&self) -> bool {
        !T::Column::ALL.is_empty()
    }
    fn sort(&mut self, choice: Option<(&str, bool)>) -> Result<String, UnknownColumn> {
        match choice {
            Some((word, desc)) => {
                let column =
                    T::Column::parse(word).ok_or_else(|| UnknownColumn::new::<T::Column>(word))?;
                self.sort_by(column, desc);
            }
            None => self.cycle_sort(),
        }
        Ok(match &self.sort {
            Some(s) => format!(
                "sorted by {} {}",
                s.column.header().to_lowercase(),
                if s.desc { "▼" } else { "▲" }
            ),
            None => "in the order the data came".into(),
        })
    }
    fn position(&self) -> Position {
        Position {
            selected: self.selected_item().map(TableItem::id),
            ..Position::default()
        }
    }
    fn restore(&mut self, p: &Position) {
        if let Some(id) = &p.selected {
            self.select_id(id);
        }
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
        !self.buf.is_empty()
    }
    /// A paused tail keeps its selected line (by its number in the buffer).
    fn position(&self) -> Position {
        Position {
            scroll: self.cursor as usize,
            paused: !self.follow,
            ..Position::default()
        }
    }
    fn restore(&mut self, p: &Position) {
        if p.paused && !self.buf.is_empty() {
            let pos = self.pos_of(p.scroll as u64);
            self.select(pos, self.rows, false);
        }
    }
}

impl State {
    /// A pane's data: the context's, or the session's builds pane.
    pub fn pane_data(&self, pane: Pane) -> &dyn PaneData {
        match self.ctx.pane_data(pane) {
            Some(data) => data,
            None => &self.builds.runs,
        }
    }

    pub fn pane_data_mut(&mut self, pane: Pane) -> &mut dyn PaneData {
        match self.ctx.pane_data_mut(pane) {
            Some(data) => data,
            None => &mut self.builds.runs,
        }
    }

    /// The current pane's data.
    pub fn current(&self) -> &dyn PaneData {
        self.pane_data(self.ctx.pane)
    }

    pub fn current_mut(&mut self) -> &mut dyn PaneData {
        self.pane_data_mut(self.ctx.pane)
    }
}
