//! Header badges about the connection itself: a context switch under way or failed, and
//! credentials that expire soon or have expired.

use crate::model::{At, Ms};
use crate::state::State;
use crate::theme::Theme;
use crate::ui::format;
use ratatui::text::Span;

/// The countdown starts this long before the credentials expire.
pub const WARN_BEFORE_MS: Ms = Ms::mins(15);

pub fn spans(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let c = &state.ctx.connection;
    if c.connecting {
        out.push(Span::styled(" CONNECTING… ", theme.switching()));
    } else if c.failed.is_some() {
        out.push(Span::styled(" NOT CONNECTED ", theme.expiring(true)));
    }
    if let Some(text) = expiry_text(state.ctx.credentials_expiry, state.now) {
        let expired = state
            .ctx
            .credentials_expiry
            .is_some_and(|at| at <= state.now);
        out.push(Span::styled(text, theme.expiring(expired)));
    }
    out
}

/// ` creds expire in 12:34 ` in the last 15 minutes, ` CREDENTIALS EXPIRED ` after.
pub fn expiry_text(expiry: Option<At>, now: At) -> Option<String> {
    let at = expiry?;
    let left = at - now;
    if left <= Ms::ZERO {
        Some(" CREDENTIALS EXPIRED ".into())
    } else if left <= WARN_BEFORE_MS {
        Some(format!(" creds expire {} ", format::countdown(now, at)))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_shows_in_the_last_fifteen_minutes_only() {
        assert_eq!(expiry_text(None, At(0)), None);
        assert_eq!(
            expiry_text(Some(At::EPOCH + WARN_BEFORE_MS + Ms(1)), At(0)),
            None
        );
        assert_eq!(
            expiry_text(Some(At::EPOCH + WARN_BEFORE_MS), At(0)).as_deref(),
            Some(" creds expire in 15m00s ")
        );
        assert_eq!(
            expiry_text(Some(At(61_000)), At(0)).as_deref(),
            Some(" creds expire in 1m01s ")
        );
        assert_eq!(
            expiry_text(Some(At(0)), At(0)).as_deref(),
            Some(" CREDENTIALS EXPIRED ")
        );
    }
}
