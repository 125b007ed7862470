//! `[notify]`, written once: the config file reads it (serde, the schema) and the reducer
//! decides with it. Its `webhook` is where a Slack-compatible POST goes for each notification.
//! That URL is a secret (a Slack incoming webhook's path is its credential): it prints as
//! `<webhook url set>` in `Debug` and `Display`, and only the request reads the text.

use std::fmt;

/// The default of `[notify] hook_minutes`.
pub const HOOK_MINUTES: u32 = 5;

/// `[notify]`: what rings the bell and raises a desktop notification (OSC 9 and OSC 777,
/// through tmux's passthrough when inside tmux).
#[derive(Debug, Clone, serde::Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// False turns every notification off. Default: on.
    pub enabled: bool,
    /// When a job ends: stable, failed, not stable in time, or sent. Default: on.
    pub jobs: bool,
    /// When a watched service's deployment fails or is rolled back. Default: on.
    pub deployments: bool,
    /// When a watched service's PAUSE hook comes within `hook_minutes` of its timeout action.
    /// Default: on.
    pub hooks: bool,
    /// Minutes before a hook's timeout action that it is told (default 5).
    pub hook_minutes: u32,
    /// When an alarm linked to a watched service goes to ALARM. Default: on.
    pub alarms: bool,
    /// Services watched whatever this session did (`NAME` or `CLUSTER/NAME`); a service acted
    /// on or opened in the rollout view is watched anyway.
    pub services: Vec<String>,
    /// A Slack-compatible webhook that also receives each notification as a JSON POST
    /// (`{"text": "…"}`), through the API budget (`webhook:Post`). `https://` only
    /// (`http://127.0.0.1` or `http://localhost` for a local test). A secret: never logged or
    /// shown.
    pub webhook: Option<WebhookUrl>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            jobs: true,
            deployments: true,
            hooks: true,
            hook_minutes: HOOK_MINUTES,
            alarms: true,
            services: Vec::new(),
            webhook: None,
        }
    }
}

/// A webhook URL the console may POST to: `https://`, or `http://` to this machine only
/// (`127.0.0.1`, `localhost`, `[::1]`), for a local test.
#[derive(Clone, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(try_from = "String")]
#[schemars(with = "String")]
pub struct WebhookUrl(String);

/// Why a `[notify] webhook` is not taken. The messages name the key, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadWebhook {
    #[error(
        "[notify] webhook must be an https:// URL (http:// only to 127.0.0.1 or localhost, for a \
         local test)"
    )]
    Scheme,
    #[error("[notify] webhook is not a URL with a host")]
    NotUrl,
}

impl WebhookUrl {
    pub fn parse(text: &str) -> Result<Self, BadWebhook> {
        let text = text.trim();
        let uri: http::Uri = text.parse().map_err(|_| BadWebhook::NotUrl)?;
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or(BadWebhook::NotUrl)?;
        let local = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
        match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => Ok(Self(text.to_string())),
            Some(s) if s.eq_ignore_ascii_case("http") && local => Ok(Self(text.to_string())),
            _ => Err(BadWebhook::Scheme),
        }
    }

    /// The URL itself, for the request only: never log, show or audit it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WebhookUrl {
    type Error = BadWebhook;
    fn try_from(text: String) -> Result<Self, BadWebhook> {
        Self::parse(&text)
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<webhook url set>")
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<webhook url set>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLACK: &str = "https://hooks.example.com/services/T000/B000/secretpart";

    #[test]
    fn https_and_a_local_http_are_taken_and_anything_else_is_refused_without_echoing_it() {
        assert!(WebhookUrl::parse(SLACK).is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/hook").is_ok());
        assert!(WebhookUrl::parse("http://localhost/hook").is_ok());
        for bad in [
            "http://hooks.example.com/secretpart",
            "ftp://hooks.example.com/secretpart",
            "http://127.0.0.1.example.com/secretpart",
        ] {
            let e = WebhookUrl::parse(bad).expect_err(bad);
            assert_eq!(e, BadWebhook::Scheme, "{bad}");
            assert!(!e.to_string().contains("secretpart"));
        }
        assert_eq!(WebhookUrl::parse("not a url"), Err(BadWebhook::NotUrl));
        assert_eq!(WebhookUrl::parse(""), Err(BadWebhook::NotUrl));
    }

    #[test]
    fn it_never_prints_itself() {
        let u = WebhookUrl::parse(SLACK).expect("valid");
        assert_eq!(format!("{u:?}"), "<webhook url set>");
        assert_eq!(format!("{u}"), "<webhook url set>");
        assert_eq!(format!("{:?}", Some(u.clone())), "Some(<webhook url set>)");
        assert_eq!(u.expose(), SLACK);
    }
}
