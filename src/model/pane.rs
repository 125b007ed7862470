//! The panes the console shows. A model type, so the key table (`keys`) and the state both
//! name them without importing each other.

/// A pane of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Services,
    Tasks,
    Images,
    Alarms,
    Logs,
    Builds,
    /// One service's rollout: a view of its own, opened from a service, not a tab.
    Rollout,
    /// One service's history merged in time order (`:timeline`): a view of its own too.
    Timeline,
}

impl Pane {
    /// Every pane. Each but builds (the CI worker's) has its poller.
    pub const ALL: [Pane; 8] = [
        Pane::Services,
        Pane::Tasks,
        Pane::Images,
        Pane::Alarms,
        Pane::Logs,
        Pane::Builds,
        Pane::Rollout,
        Pane::Timeline,
    ];

    /// The panes with a tab, in the order of their number keys.
    pub const TABS: [Pane; 6] = [
        Pane::Services,
        Pane::Tasks,
        Pane::Images,
        Pane::Alarms,
        Pane::Logs,
        Pane::Builds,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Services => "services",
            Pane::Tasks => "tasks",
            Pane::Images => "images",
            Pane::Alarms => "alarms",
            Pane::Logs => "logs",
            Pane::Builds => "builds",
            Pane::Rollout => "rollout",
            Pane::Timeline => "timeline",
        }
    }

    /// The next or previous tab; from the rollout view, the tabs start at services.
    pub fn cycle(self, forward: bool) -> Pane {
        let n = Pane::TABS.len();
        let Some(i) = Pane::TABS.iter().position(|&p| p == self) else {
            return Pane::Services;
        };
        Pane::TABS[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}
