//! How a table's columns share the width: each wants as much as its widest visible value (or
//! its header), columns leave the screen from the lowest priority up, and a value is cut only
//! when there is no room for it. A long value (a 300-character name, a full sha as a tag) is
//! cut to its column's `short` width before any column leaves for it, and shown whole again
//! when there is room; every column has a short width (`LONG` unless it says), so no table
//! loses its columns to one value from outside. Width left over goes to the long values first,
//! then is spread, the remainder to the flexible columns (a name).

use crate::state::table::columns::NoColumn;

/// One column of a table; `C` is the pane's sort column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column<C = NoColumn> {
    pub header: &'static str,
    /// 0 never leaves the screen; higher numbers leave first.
    pub priority: u8,
    /// Takes the width left over.
    pub flex: bool,
    /// Narrowest it is cut to before anything else is cut further.
    pub min: u16,
    /// Kept on screen at this width when space is short (its values cut), shown whole when
    /// there is room.
    pub short: u16,
    /// The sort whose ▲/▼ this column's header shows, if it sorts.
    pub sorts: Option<C>,
    /// As wide as this at least, whatever the values shown: a column whose values change width
    /// with a state (queued, in progress) keeps its place as the state changes.
    pub at_least: u16,
}

/// The width a value may take before it counts as long: wider values are cut to it before a
/// column leaves the screen for them.
pub const LONG: u16 = 32;

pub const fn col<C: Copy>(header: &'static str, priority: u8, min: u16) -> Column<C> {
    Column {
        header,
        priority,
        flex: false,
        min,
        short: LONG,
        sorts: None,
        at_least: 0,
    }
}

pub const fn flex<C: Copy>(header: &'static str, priority: u8, min: u16) -> Column<C> {
    Column {
        flex: true,
        ..col(header, priority, min)
    }
}

/// A column of long values shown `short` wide when space is short: a digest, a reason.
pub const fn long<C: Copy>(header: &'static str, priority: u8, short: u16) -> Column<C> {
    Column {
        short,
        ..col(header, priority, short)
    }
}

impl<C: Copy> Column<C> {
    /// The same column, marked when the table is sorted by `c`.
    pub const fn sorts(self, c: C) -> Self {
        Column {
            sorts: Some(c),
            ..self
        }
    }

    /// The same column, at least `width` wide.
    pub const fn at_least(self, width: u16) -> Self {
        Column {
            at_least: width,
            ..self
        }
    }

    /// The same column, its long values cut to `width` before a column leaves for them.
    pub const fn short(self, width: u16) -> Self {
        Column {
            short: width,
            ..self
        }
    }
}

/// The width of each column in `width` cells, 0 for a column that does not fit. `wants` are the
/// widest values; `spacing` is the gap between shown columns.
pub fn fit<C>(cols: &[Column<C>], wants: &[u16], width: u16, spacing: u16) -> Vec<u16> {
    let header = |i: usize| cols[i].header.chars().count() as u16;
    let full = |i: usize| wants[i].max(header(i)).max(cols[i].at_least);
    // A long value counts at its short width while columns are chosen.
    let want = |i: usize| full(i).min(cols[i].short.max(header(i)).max(cols[i].at_least));
    let mut shown: Vec<bool> = vec![true; cols.len()];
    let total = |shown: &[bool]| -> u32 {
        let n = shown.iter().filter(|s| **s).count() as u32;
        (0..cols.len())
            .filter(|&i| shown[i])
            .map(|i| u32::from(want(i)))
            .sum::<u32>()
            + u32::from(spacing) * n.saturating_sub(1)
    };
    // Drop from the lowest priority (highest number) up, the rightmost first among equals.
    while total(&shown) > u32::from(width) {
        let victim = (0..cols.len())
            .filter(|&i| shown[i] && cols[i].priority > 0)
            .max_by_key(|&i| (cols[i].priority, i));
        match victim {
            Some(i) => shown[i] = false,
            None => break,
        }
    }
    let mut out: Vec<u16> = (0..cols.len())
        .map(|i| if shown[i] { want(i) } else { 0 })
        .collect();
    let used = total(&shown);
    if used > u32::from(width) {
        cut(cols, &mut out, (used - u32::from(width)) as u16);
    } else {
        let mut spare = (u32::from(width) - used) as u16;
        // Long values shown whole first, in priority order, then the flexible columns.
        let mut longs: Vec<usize> = (0..cols.len())
            .filter(|&i| out[i] > 0 && out[i] < full(i))
            .collect();
        longs.sort_by_key(|&i| cols[i].priority);
        for i in longs {
            let more = (full(i) - out[i]).min(spare);
            out[i] += more;
            spare -= more;
        }
        grow(cols, &mut out, spare);
    }
    out
}

/// Takes `over` cells from the widest shown columns, never below their minimum.
fn cut<C>(cols: &[Column<C>], out: &mut [u16], mut over: u16) {
    while over > 0 {
        let widest = (0..cols.len())
            .filter(|&i| out[i] > cols[i].min.max(1))
            .max_by_key(|&i| (out[i] - cols[i].min, cols[i].flex));
        let Some(i) = widest else { return };
        out[i] -= 1;
        over -= 1;
    }
}

/// Shares `spare` cells among the shown columns, evenly, so a wide terminal spreads its room
/// instead of padding one column; what does not divide goes to the flexible ones.
fn grow<C>(cols: &[Column<C>], out: &mut [u16], spare: u16) {
    let shown: Vec<usize> = (0..cols.len()).filter(|&i| out[i] > 0).collect();
    if shown.is_empty() {
        return;
    }
    let each = spare / shown.len() as u16;
    let mut rest = spare % shown.len() as u16;
    for &i in &shown {
        out[i] += each;
    }
    for i in shown.into_iter().filter(|&i| cols[i].flex) {
        out[i] += rest;
        rest = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 4] = [
        flex("NAME", 0, 8),
        col("STATE", 0, 5),
        col("CLUSTER", 2, 7),
        col("AGE", 3, 3),
    ];

    #[test]
    fn everything_fits_and_the_room_left_is_spread() {
        // 32 + 3 gaps = 35: 25 to spare, 6 each and the one left to the name.
        let w = fit(&COLS, &[10, 9, 10, 3], 60, 1);
        assert_eq!(w, [17, 15, 16, 9]);
    }

    #[test]
    fn columns_leave_from_the_lowest_priority_and_values_stay_whole() {
        // 10 + 9 + 10 + 3 + 3 gaps = 35 > 30: AGE goes, then 10 + 9 + 10 + 2 = 31 > 30: CLUSTER.
        let w = fit(&COLS, &[10, 9, 10, 3], 30, 1);
        assert_eq!(w, [15, 14, 0, 0]);
        // With room for everything but AGE, CLUSTER's full value shows.
        let w = fit(&COLS, &[10, 9, 10, 3], 31, 1);
        assert_eq!(w, [10, 9, 10, 0]);
    }

    #[test]
    fn the_name_is_never_dropped_only_cut_when_nothing_else_can_go() {
        let w = fit(&COLS, &[40, 9, 10, 3], 30, 1);
        assert_eq!(w[2..], [0, 0]);
        assert_eq!(w[0] + w[1] + 1, 30);
        assert!(w[0] >= 8 && w[1] >= 5, "{w:?}");
    }

    #[test]
    fn a_long_column_stays_short_when_space_is_short_and_shows_whole_with_room() {
        let cols: [Column; 2] = [flex("NAME", 0, 8), long("DIGEST", 3, 19)];
        // Room beyond the short width goes to the long values before the name's padding.
        assert_eq!(fit(&cols, &[10, 71], 40, 1), [10, 29]);
        assert_eq!(fit(&cols, &[10, 71], 100, 1), [19, 80]);
        // Too narrow even for the short digest: it leaves.
        assert_eq!(fit(&cols, &[10, 71], 25, 1), [25, 0]);
    }

    #[test]
    fn one_long_value_is_cut_before_any_column_leaves_for_it() {
        // A 300-cell name: every other column stays, and the name takes the rest.
        let w = fit(&COLS, &[300, 9, 10, 3], 60, 1);
        assert!(w[1..].iter().all(|&c| c > 0), "{w:?}");
        assert_eq!(w.iter().sum::<u16>() + 3, 60);
        assert!(w[0] >= LONG, "{w:?}");
        // With room for it, the long value is whole.
        assert!(fit(&COLS, &[300, 9, 10, 3], 400, 1)[0] >= 300);
        // A column with a short width of its own keeps the others at its short width.
        let cols: [Column; 3] = [
            flex("NAME", 0, 8),
            col("TAG", 3, 3).short(12),
            col("AGE", 4, 3),
        ];
        assert_eq!(fit(&cols, &[10, 40, 3], 28, 1), [10, 13, 3]);
    }

    #[test]
    fn a_column_at_least_as_wide_as_its_widest_state_keeps_its_width() {
        let cols: [Column; 2] = [flex("NAME", 0, 8), col("STATE", 0, 5).at_least(13)];
        assert_eq!(fit(&cols, &[10, 8], 30, 1), fit(&cols, &[10, 13], 30, 1));
    }

    #[test]
    fn a_header_wider_than_its_values_is_what_the_column_wants() {
        // Headers 4 + 5 + 7 + 3 and 3 gaps = 22, 18 to spare: 4 each, 2 more for the name.
        let w = fit(&COLS, &[1, 1, 1, 1], 40, 1);
        assert_eq!(w, [10, 9, 11, 7]);
    }
}
