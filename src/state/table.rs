//! A list pane's data: the items, the filtered view of them, the selection, and how fresh the
//! data is. Shared by the services, tasks, images and alarms panes.

use super::filter::Filter;
use crate::cloud::CloudError;
use crate::model::Millis;

/// What a pane needs from its items: a stable identity (to keep the selection across
/// refreshes) and whether it matches a filter.
pub trait TableItem {
    fn id(&self) -> String;
    /// True when any shown field contains `needle` (already lower-case), as
    /// `filter::contains` compares.
    fn matches(&self, needle: &str) -> bool;
}

#[derive(Debug)]
pub struct Table<T> {
    pub items: Vec<T>,
    /// Indices into `items` that pass the filter, in display order.
    pub view: Vec<usize>,
    /// Position in `view`.
    pub selected: usize,
    pub filter: Filter,
    /// When the data shown was fetched; None until the first load.
    pub fetched_at: Option<Millis>,
    /// The last fetch's error, shown over stale data until a fetch succeeds.
    pub error: Option<CloudError>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            view: Vec::new(),
            selected: 0,
            filter: Filter::default(),
            fetched_at: None,
            error: None,
        }
    }
}

pub use super::filter::contains;

impl<T: TableItem + PartialEq> Table<T> {
    /// Replaces the items, keeping the selected item selected. Returns whether anything
    /// visible changed.
    pub fn replace(&mut self, items: Vec<T>, at: Millis) -> bool {
        self.fetched_at = Some(at);
        let had_error = self.error.take().is_some();
        if items == self.items {
            return had_error;
        }
        let keep = self.selected_item().map(TableItem::id);
        self.items = items;
        self.refilter();
        if let Some(id) = keep
            && let Some(pos) = self.view.iter().position(|&i| self.items[i].id() == id)
        {
            self.selected = pos;
        }
        true
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = Filter::parse(&filter);
        self.refilter();
        self.selected = 0;
    }

    fn refilter(&mut self) {
        self.view = (0..self.items.len())
            .filter(|&i| self.filter.admits(|t| self.items[i].matches(t)))
            .collect();
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
    }

    pub fn selected_item(&self) -> Option<&T> {
        self.view.get(self.selected).map(|&i| &self.items[i])
    }

    pub fn visible(&self) -> impl ExactSizeIterator<Item = &T> {
        self.view.iter().map(|&i| &self.items[i])
    }

    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// Moves the selection by `delta`, clamped to the view.
    pub fn step(&mut self, delta: isize) {
        let last = self.view.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.selected = self.view.len().saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Clone)]
    struct Item(&'static str);
    impl TableItem for Item {
        fn id(&self) -> String {
            self.0.into()
        }
        fn matches(&self, needle: &str) -> bool {
            contains(self.0, needle)
        }
    }

    #[test]
    fn selection_follows_the_item_across_a_refresh() {
        let mut t = Table::default();
        t.replace(vec![Item("a"), Item("b"), Item("c")], 1);
        t.step(2);
        assert_eq!(t.selected_item(), Some(&Item("c")));
        t.replace(vec![Item("c"), Item("a")], 2);
        assert_eq!(t.selected_item(), Some(&Item("c")));
        assert_eq!(t.selected, 0);
    }

    #[test]
    fn filter_narrows_the_view_and_clamps_the_selection() {
        let mut t = Table::default();
        t.replace(vec![Item("api"), Item("web"), Item("api-canary")], 1);
        t.bottom();
        t.set_filter("API".into());
        assert_eq!(t.len(), 2);
        assert_eq!(t.selected, 0);
        t.step(10);
        assert_eq!(t.selected_item(), Some(&Item("api-canary")));
    }

    #[test]
    fn identical_data_is_not_a_change() {
        let mut t = Table::default();
        assert!(t.replace(vec![Item("a")], 1));
        assert!(!t.replace(vec![Item("a")], 2));
        assert_eq!(t.fetched_at, Some(2));
    }
}
