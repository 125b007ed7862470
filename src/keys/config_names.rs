//! The config's names for commands (`promote`, `page_down`) and for the modes (`[keys.normal]`).

use crate::keys::{Binding, Command, Layer, Reach};
use crate::model::Pane;

/// A `[keys.NAME]` table: which layer of the key table it changes, and which of its bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Normal,
    /// The normal layer's bindings that act on the logs pane only.
    Logs,
    Filter,
    Palette,
    Dialog,
    Overlay,
}

impl Section {
    /// The layers `[keys]` can change. The production dialog and the scale prompt take typed
    /// text and keep Enter and Esc.
    pub const LAYERS: [Layer; 5] = [
        Layer::Normal,
        Layer::Filter,
        Layer::Palette,
        Layer::Confirm,
        Layer::Overlay,
    ];

    pub fn layer(self) -> Layer {
        match self {
            Section::Normal | Section::Logs => Layer::Normal,
            Section::Filter => Layer::Filter,
            Section::Palette => Layer::Palette,
            Section::Dialog => Layer::Confirm,
            Section::Overlay => Layer::Overlay,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Section::Normal => "normal",
            Section::Logs => "logs",
            Section::Filter => "filter",
            Section::Palette => "palette",
            Section::Dialog => "dialog",
            Section::Overlay => "overlay",
        }
    }

    /// Whether `b` is named in this table (the logs pane's own keys are in `[keys.logs]`).
    pub fn owns(self, b: &Binding) -> bool {
        let logs_only = b.reach == Reach::Pane(Pane::Logs);
        match self {
            Section::Normal => !logs_only,
            Section::Logs => logs_only,
            _ => true,
        }
    }
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Normal,
        Section::Logs,
        Section::Filter,
        Section::Palette,
        Section::Dialog,
        Section::Overlay,
    ];
}

/// The actions `[keys.MODE]` can rebind, in the key table's order; None for an unknown mode.
pub fn actions_of(mode: &str) -> Option<Vec<&'static str>> {
    let section = Section::ALL.into_iter().find(|s| s.name() == mode)?;
    let map = crate::keys::Keymap::default();
    let names = map
        .layer(section.layer())
        .iter()
        .filter(|b| section.owns(b))
        .filter_map(|b| action_name(&b.command))
        .collect();
    Some(names)
}

/// The config's name of each command a key can be bound to (`page_down`; the panes' own
/// commands by their titles), and the commands no key is bound to (`:theme NAME`, a typed
/// character, the palette's other words). No wildcard: a new command must say here whether and
/// how it can be rebound.
macro_rules! names {
    ($($named:pat => $name:expr,)+ ; $($unnamed:pat,)+) => {
        /// What the config calls a command, or None for commands no key is bound to.
        pub fn action_name(c: &Command) -> Option<&'static str> {
            match c {
                $($named => Some($name),)+
                $($unnamed => None,)+
            }
        }
    };
}

names! {
    Command::Pane(p) => p.title(),
    Command::NextPane => "next_pane",
    Command::PrevPane => "prev_pane",
    Command::Down => "down",
    Command::Up => "up",
    Command::PageDown => "page_down",
    Command::PageUp => "page_up",
    Command::Top => "top",
    Command::Bottom => "bottom",
    Command::Open => "open",
    Command::Back => "back",
    Command::Filter => "filter",
    Command::Palette => "palette",
    Command::Help => "help",
    Command::Refresh => "refresh",
    Command::ToggleFollow => "follow",
    Command::ToggleContext => "context",
    Command::NextMatch => "next_match",
    Command::PrevMatch => "prev_match",
    Command::ToggleWrap => "wrap",
    Command::CycleStamps => "timestamps",
    Command::CopyLine => "copy_line",
    Command::RolloutAlarms => "rollout_alarms",
    Command::Rollout => "rollout",
    Command::Fleet => "fleet",
    Command::Quit => "quit",
    Command::Promote => "promote",
    Command::Abort => "abort",
    Command::Rollback => "rollback",
    Command::ForceDeploy => "force_deploy",
    Command::Scale => "scale",
    Command::Build => "build",
    Command::CancelRun => "cancel_run",
    Command::Rerun => "rerun",
    Command::Deploy => "deploy",
    Command::OtherTarget => "other_target",
    Command::Events => "events",
    Command::Timeline => "timeline",
    Command::Sort(None) => "sort",
    Command::Accept => "accept",
    Command::Cancel => "cancel",
    Command::Confirm => "confirm",
    Command::DeleteChar => "delete",
    Command::Complete => "complete",
    Command::Exec(None) => "exec",
    Command::FocusTerminal => "focus_terminal",
    Command::FullScreen => "full_screen",
    Command::Describe(None) => "describe",
    Command::OpenLink => "open_link",
    Command::StopWatching => "stop_watching",
    Command::StopTask => "stop_task",
    ;
    Command::Theme(_),
    Command::Sort(Some(_)),
    Command::Budget,
    Command::Diff,
    Command::FollowGroup(_),
    Command::Pattern(_),
    Command::Since(_),
    Command::Range(_),
    Command::Save { .. },
    Command::Export(_),
    Command::Toggle,
    Command::Context(_),
    Command::Region(_),
    Command::ForceQuit,
    Command::Insert(_),
    Command::Exec(Some(_)),
    Command::Describe(Some(_)),
    Command::PortForward(_),
    Command::Forwards,
    Command::Jobs,
    Command::Arm,
    Command::Unknown(_),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keymap;

    #[test]
    fn every_bound_command_has_one_name_per_table() {
        let map = Keymap::default();
        for section in Section::ALL {
            let mut names = Vec::new();
            for b in map
                .layer(section.layer())
                .iter()
                .filter(|b| section.owns(b))
            {
                let name = action_name(&b.command)
                    .unwrap_or_else(|| panic!("{:?} has no name", b.command));
                assert!(!names.contains(&name), "{name} twice in {section:?}");
                names.push(name);
            }
        }
    }
}
