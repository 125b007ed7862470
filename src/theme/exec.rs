//! How exec sessions and port forwards look.

use super::Theme;
use crate::model::exec::{ForwardState, Phase};
use ratatui::style::{Modifier, Style};

impl Theme {
    /// A session by how it stands.
    pub fn exec_phase(&self, p: &Phase) -> Style {
        match p {
            Phase::Opening | Phase::Reconnecting => Style::new().fg(self.info),
            Phase::Open => Style::new().fg(self.ok),
            Phase::Ended { code: Some(0), .. } => Style::new().fg(self.muted),
            Phase::Ended { code: None, .. } => Style::new().fg(self.muted),
            Phase::Ended { .. } => Style::new().fg(self.warn),
            Phase::Failed { .. } => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
        }
    }

    /// What stops exec, in the dialog.
    pub fn exec_blocker(&self) -> Style {
        Style::new().fg(self.alarm)
    }

    /// The terminal pane's border: the accent while it has the keys.
    pub fn terminal_border(&self, focused: bool) -> Style {
        if focused {
            Style::new().fg(self.accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(self.border)
        }
    }

    pub fn forward_state(&self, s: ForwardState) -> Style {
        match s {
            ForwardState::Active => Style::new().fg(self.ok),
            ForwardState::Starting | ForwardState::Retargeting => Style::new().fg(self.info),
            ForwardState::Failed => Style::new().fg(self.alarm),
            ForwardState::Stopped => Style::new().fg(self.muted),
        }
    }
}
