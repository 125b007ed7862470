//! The columns each list pane can be sorted by: one enum per pane, so the table's sort, the `s`
//! key, `:sort NAME [desc]` and the header's ▲/▼ all name a column the compiler knows.

use std::fmt::Debug;

/// A column a table sorts by. Its header is the word `:sort` takes (in any case) and the text
/// the table's header shows.
pub trait SortColumn: Copy + Eq + Debug + 'static {
    /// Every column, in the order `s` cycles them.
    const ALL: &'static [Self];
    /// The column's header, as the table shows it.
    fn header(self) -> &'static str;

    /// A plainer word `:sort` takes too, for a header that is not one (`~$/DAY /MO`: `cost`).
    fn alias(self) -> Option<&'static str> {
        None
    }

    /// The column `word` names (its header or its alias, in any case).
    fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| {
            c.header().eq_ignore_ascii_case(word)
                || c.alias().is_some_and(|a| a.eq_ignore_ascii_case(word))
        })
    }
}

/// How a table is ordered: by one of its columns, up or down. Without one the items keep the
/// order they came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<C> {
    pub column: C,
    pub desc: bool,
}

/// A `:sort` word that names none of the pane's columns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no column {word:?} to sort by (known: {known})")]
pub struct UnknownColumn {
    pub word: String,
    /// The pane's columns, lower-case, as `:sort` takes them.
    pub known: String,
}

impl UnknownColumn {
    pub fn new<C: SortColumn>(word: &str) -> Self {
        let known: Vec<&str> = C::ALL.iter().map(|c| c.header()).collect();
        Self {
            word: word.to_string(),
            known: known.join(", ").to_lowercase(),
        }
    }
}

/// Every column of a table declared here: `header` and `ALL` from one list.
macro_rules! columns {
    ($(#[$doc:meta])* $name:ident {
        $($variant:ident => $header:literal $(or $alias:literal)?),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl SortColumn for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn header(self) -> &'static str {
                match self {
                    $($name::$variant => $header),+
                }
            }
            fn alias(self) -> Option<&'static str> {
                match self {
                    $($name::$variant => None $(.or(Some($alias)))?),+
                }
            }
        }
    };
}

columns!(
    /// The services pane's columns, in the order `s` cycles them.
    ServiceColumn {
        Name => "NAME",
        Cluster => "CLUSTER",
        Rollout => "ROLLOUT",
        Drp => "D/R/P",
        TaskDef => "TASK DEF",
        Image => "IMAGE",
        Age => "AGE",
        Cpu => "CPU",
        Mem => "MEM",
        Status => "STATUS",
        // `:sort cost` too.
        Cost => "~$/DAY /MO" or "COST",
    }
);

columns!(
    /// The tasks pane's columns, in the order `s` cycles them.
    TaskColumn {
        Started => "STARTED",
        Service => "SERVICE",
        Cluster => "CLUSTER",
        Rev => "REV",
        Status => "STATUS",
        Health => "HEALTH",
        Stopped => "STOPPED",
        Task => "TASK",
    }
);

columns!(
    /// The images pane's columns, in the order `s` cycles them.
    ImageColumn {
        Repository => "REPOSITORY",
        Pushed => "PUSHED",
        Size => "SIZE",
        Findings => "FINDINGS C/H/M/L",
        Tag => "TAG",
        UsedBy => "USED BY",
    }
);

columns!(
    /// The alarms pane's columns, in the order `s` cycles them.
    AlarmColumn {
        State => "STATE",
        Name => "NAME",
        Updated => "UPDATED",
        Type => "TYPE",
    }
);

/// The columns of a pane that keeps its own order: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoColumn {}

impl SortColumn for NoColumn {
    const ALL: &'static [Self] = &[];
    fn header(self) -> &'static str {
        match self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_palette_word_names_a_column_in_any_case_and_an_unknown_one_lists_the_known() {
        assert_eq!(
            ServiceColumn::parse("task def"),
            Some(ServiceColumn::TaskDef)
        );
        assert_eq!(
            ImageColumn::parse("Findings c/h/m/l"),
            Some(ImageColumn::Findings)
        );
        assert_eq!(ServiceColumn::parse("cost"), Some(ServiceColumn::Cost));
        assert_eq!(
            ServiceColumn::parse("~$/day /mo"),
            Some(ServiceColumn::Cost)
        );
        assert_eq!(AlarmColumn::parse("cpu"), None);
        assert_eq!(NoColumn::parse("name"), None);
        assert_eq!(
            UnknownColumn::new::<AlarmColumn>("cpu").to_string(),
            "no column \"cpu\" to sort by (known: state, name, updated, type)"
        );
    }
}
