//! A list pane's data: the items, the filtered view of them, the selection, and how fresh the
//! data is. Shared by the services, tasks, images and alarms panes.

pub mod columns;
pub mod filter;
pub mod items;

use crate::model::{ApiError, At};
use crate::state::table::filter::Filter;
pub use columns::{Sort, SortColumn, UnknownColumn};

/// What a pane needs from its items: a stable identity (to keep the selection across
/// refreshes) and whether it matches a filter.
pub trait TableItem {
    fn id(&self) -> String;
    /// True when any shown field contains `needle` (already lower-case), as
    /// `filter::contains` compares.
    fn matches(&self, needle: &str) -> bool;
    /// Whether this item has `id`; cheaper than building its id for a 10k-row search.
    fn is(&self, id: &str) -> bool {
        self.id() == id
    }
    /// Puts items in the order a pane shows them before any sort is chosen.
    fn sort_default(items: &mut [Self])
    where
        Self: Sized;
    /// The columns the table can be sorted by.
    type Column: SortColumn;
    /// How two items compare in `column`.
    fn cmp_by(&self, other: &Self, column: Self::Column) -> std::cmp::Ordering;
    /// Whether its value in `column` is not known: such items sort last, up or down.
    fn unknown_in(&self, column: Self::Column) -> bool {
        let _ = column;
        false
    }
    /// How two items are ordered by `sort`: the unknown last either way.
    fn ordered(&self, other: &Self, sort: &Sort<Self::Column>) -> std::cmp::Ordering
    where
        Self: Sized,
    {
        let unknown = self
            .unknown_in(sort.column)
            .cmp(&other.unknown_in(sort.column));
        unknown.then_with(|| {
            let o = self.cmp_by(other, sort.column);
            if sort.desc { o.reverse() } else { o }
        })
    }
}

/// A refresh a worker prepared off the loop: already in the table's order, and compared with
/// the refresh it sent before, so the loop only swaps it in.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared<T: TableItem> {
    pub items: Vec<T>,
    /// The order the items are in (None: the data's own order).
    pub sort: Option<Sort<T::Column>>,
    /// False when the items equal the ones the worker sent last time.
    pub changed: bool,
}

impl<T: TableItem> Prepared<T> {
    /// Puts `items` in the order `sort` gives (stable, so equal items keep the data's order),
    /// and says whether they differ from `last`, the items sent before.
    pub fn new(mut items: Vec<T>, sort: Option<Sort<T::Column>>, last: Option<&[T]>) -> Self
    where
        T: PartialEq,
    {
        T::sort_default(&mut items);
        if let Some(sort) = &sort {
            items.sort_by(|a, b| a.ordered(b, sort));
        }
        let changed = last.is_none_or(|last| last != items.as_slice());
        Self {
            items,
            sort,
            changed,
        }
    }
}

/// Fresh items, in the data's own order and taken as changed: what a test or a first part
/// hands the reducer.
impl<T: TableItem + PartialEq> From<Vec<T>> for Prepared<T> {
    fn from(items: Vec<T>) -> Self {
        Prepared::new(items, None, None)
    }
}

#[derive(Debug)]
pub struct Table<T: TableItem> {
    pub items: Vec<T>,
    /// Indices into `items` that pass the filter, in display order.
    pub view: Vec<usize>,
    /// Position in `view`.
    pub selected: usize,
    pub filter: Filter,
    pub sort: Option<Sort<T::Column>>,
    /// The user has moved the selection since the list was first loaded.
    pub moved: bool,
    /// When the data shown was fetched; None until the first load.
    pub fetched_at: Option<At>,
    /// The last fetch's error, shown over stale data until a fetch succeeds.
    pub error: Option<ApiError>,
}

impl<T: TableItem> Default for Table<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            view: Vec::new(),
            selected: 0,
            filter: Filter::default(),
            sort: None,
            moved: false,
            fetched_at: None,
            error: None,
        }
    }
}

pub use crate::state::table::filter::contains;

impl<T: TableItem + PartialEq> Table<T> {
    /// Replaces the items, keeping the selected item selected. Returns whether anything
    /// visible changed.
    pub fn replace(&mut self, items: Vec<T>, at: At) -> bool {
        self.fetched_at = Some(at);
        let had_error = self.error.take().is_some();
        if items == self.items {
            return had_error;
        }
        let old = self.swap_in(items, false);
        drop(old);
        true
    }

    /// Takes a prepared refresh: nothing to compare, and no sorting when it is already in the
    /// table's order. Returns whether anything visible changed, and the old items, for the
    /// caller to drop off the loop.
    pub fn take(&mut self, p: Prepared<T>, at: At) -> (bool, Option<Vec<T>>) {
        self.fetched_at = Some(at);
        let had_error = self.error.take().is_some();
        if !p.changed && !self.items.is_empty() {
            return (had_error, Some(p.items));
        }
        let in_order = p.sort == self.sort;
        (true, Some(self.swap_in(p.items, in_order)))
    }

    /// Puts `items` in, keeping the selection on its item (or, until the user moves, on the
    /// first row, even while a first load brings rows in above it). Returns the old items.
    fn swap_in(&mut self, items: Vec<T>, in_order: bool) -> Vec<T> {
        let keep = self
            .moved
            .then(|| self.selected_item().map(TableItem::id))
            .flatten();
        let old = std::mem::replace(&mut self.items, items);
        if in_order && self.filter.is_empty() {
            self.view = (0..self.items.len()).collect();
            self.selected = self.selected.min(self.view.len().saturating_sub(1));
        } else {
            self.refilter();
        }
        self.reselect(keep);
        old
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = Filter::parse(&filter);
        self.refilter();
        self.selected = 0;
    }

    /// Sorts by `column`, keeping the selected item selected.
    pub fn sort_by(&mut self, column: T::Column, desc: bool) {
        let keep = self.selected_item().map(TableItem::id);
        self.sort = Some(Sort { column, desc });
        self.refilter();
        self.reselect(keep);
    }

    /// The next sort: each sortable column up, then down, then the data's own order.
    pub fn cycle_sort(&mut self) {
        let cols = T::Column::ALL;
        let next = match self.sort {
            None => cols.first().map(|c| (*c, false)),
            Some(Sort {
                column,
                desc: false,
            }) => Some((column, true)),
            Some(Sort { column, desc: true }) => cols
                .iter()
                .position(|c| *c == column)
                .and_then(|i| cols.get(i + 1))
                .map(|c| (*c, false)),
        };
        match next {
            Some((c, desc)) => self.sort_by(c, desc),
            None => {
                let keep = self.selected_item().map(TableItem::id);
                self.sort = None;
                self.refilter();
                self.reselect(keep);
            }
        }
    }

    /// Selects the item with `id`, if it is in view.
    pub fn select_id(&mut self, id: &str) {
        self.moved = true;
        self.reselect(Some(id.to_string()));
    }

    fn reselect(&mut self, id: Option<String>) {
        if let Some(id) = id
            && let Some(pos) = self.view.iter().position(|&i| self.items[i].is(&id))
        {
            self.selected = pos;
        }
    }

    fn refilter(&mut self) {
        self.view = (0..self.items.len())
            .filter(|&i| self.filter.admits(|t| self.items[i].matches(t)))
            .collect();
        if let Some(sort) = &self.sort {
            let items = &self.items;
            self.view
                .sort_by(|&a, &b| items[a].ordered(&items[b], sort));
        }
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
        self.moved = true;
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

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct ByName;
    impl SortColumn for ByName {
        const ALL: &'static [Self] = &[ByName];
        fn header(self) -> &'static str {
            "NAME"
        }
    }

    impl TableItem for Item {
        fn id(&self) -> String {
            self.0.into()
        }
        fn matches(&self, needle: &str) -> bool {
            contains(self.0, needle)
        }
        type Column = ByName;
        fn sort_default(_: &mut [Self]) {}
        fn cmp_by(&self, other: &Self, _: ByName) -> std::cmp::Ordering {
            self.0.cmp(other.0)
        }
    }

    #[test]
    fn selection_follows_the_item_across_a_refresh() {
        let mut t = Table::default();
        t.replace(vec![Item("a"), Item("b"), Item("c")], At(1));
        t.step(2);
        assert_eq!(t.selected_item(), Some(&Item("c")));
        t.replace(vec![Item("c"), Item("a")], At(2));
        assert_eq!(t.selected_item(), Some(&Item("c")));
        assert_eq!(t.selected, 0);
    }

    #[test]
    fn filter_narrows_the_view_and_clamps_the_selection() {
        let mut t = Table::default();
        t.replace(vec![Item("api"), Item("web"), Item("api-canary")], At(1));
        t.bottom();
        t.set_filter("API".into());
        assert_eq!(t.len(), 2);
        assert_eq!(t.selected, 0);
        t.step(10);
        assert_eq!(t.selected_item(), Some(&Item("api-canary")));
    }

    #[test]
    fn sorting_keeps_the_selected_item_and_cycles_back_to_the_data_order() {
        let mut t = Table::default();
        t.replace(vec![Item("b"), Item("c"), Item("a")], At(1));
        t.step(1);
        t.cycle_sort();
        let names: Vec<&str> = t.visible().map(|i| i.0).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(t.selected_item(), Some(&Item("c")));
        t.cycle_sort();
        assert_eq!(t.visible().next(), Some(&Item("c")), "descending");
        // A refresh in another order keeps the sort and the selection.
        t.replace(vec![Item("a"), Item("d"), Item("c"), Item("b")], At(2));
        let names: Vec<&str> = t.visible().map(|i| i.0).collect();
        assert_eq!(names, ["d", "c", "b", "a"]);
        assert_eq!(t.selected_item(), Some(&Item("c")));
        t.cycle_sort();
        assert_eq!(t.sort, None);
        assert_eq!(
            t.visible().next(),
            Some(&Item("a")),
            "the data's order again"
        );
    }

    #[test]
    fn a_prepared_refresh_is_sorted_compared_and_swapped_in_without_losing_the_selection() {
        let mut t = Table::default();
        t.replace(vec![Item("a"), Item("b"), Item("c")], At(1));
        t.sort_by(ByName, true);
        t.step(-1);
        assert_eq!(t.selected_item(), Some(&Item("b")));
        let sort = t.sort;
        let last: Vec<Item> = t.visible().cloned().collect();
        let same = Prepared::new(vec![Item("b"), Item("c"), Item("a")], sort, Some(&last));
        assert!(
            !same.changed,
            "the same items in another order are the same refresh"
        );
        let (changed, old) = t.take(same, At(2));
        assert!(!changed && old.is_some());
        assert_eq!(t.fetched_at, Some(At(2)));
        let fresh = Prepared::new(vec![Item("d"), Item("b"), Item("a")], sort, Some(&last));
        assert!(fresh.changed);
        assert_eq!(
            fresh.items,
            [Item("d"), Item("b"), Item("a")],
            "in the table's order"
        );
        let (changed, old) = t.take(fresh, At(3));
        assert!(changed);
        assert_eq!(
            old.unwrap().len(),
            3,
            "the old items go back for freeing elsewhere"
        );
        assert_eq!(t.selected_item(), Some(&Item("b")));
        let shown: Vec<&str> = t.visible().map(|i| i.0).collect();
        assert_eq!(shown, ["d", "b", "a"]);
    }

    #[test]
    fn identical_data_is_not_a_change() {
        let mut t = Table::default();
        assert!(t.replace(vec![Item("a")], At(1)));
        assert!(!t.replace(vec![Item("a")], At(2)));
        assert_eq!(t.fetched_at, Some(At(2)));
    }
}
