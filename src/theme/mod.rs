//! Themes: semantic colour roles read from TOML. The built-in themes are embedded; a file
//! `NAME.toml` in the config dir's `themes/` overrides or adds to them.

use crate::config::ConfigError;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

mod intent;

pub const DEFAULT: &str = "dark";

const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

macro_rules! roles {
    ($($role:ident),* $(,)?) => {
        /// Every colour role a theme sets.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Theme { $(pub $role: Color,)* pub mono: bool }

        /// A theme file's colours; a user theme may set only some and inherit the rest.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Colors { $($role: Option<String>,)* }

        impl Theme {
            /// The theme with `c`'s colours over its own; the error names the bad role.
            fn overlay(mut self, c: &Colors) -> Result<Self, (&'static str, String)> {
                $(if let Some(v) = &c.$role {
                    self.$role = parse_color(v).map_err(|e| (stringify!($role), e))?;
                })*
                Ok(self)
            }

            /// The first role `c` leaves unset, if any.
            fn missing(c: &Colors) -> Option<&'static str> {
                $(if c.$role.is_none() { return Some(stringify!($role)); })*
                None
            }

            /// NO_COLOR: every role is the terminal's own colour.
            pub fn monochrome(mut self) -> Self {
                $(self.$role = Color::Reset;)*
                self.mono = true;
                self
            }
        }
    };
}

roles!(
    fg,
    bg,
    muted,
    accent,
    border,
    header_fg,
    header_bg,
    selected_fg,
    selected_bg,
    ok,
    warn,
    alarm,
    canary,
    info,
    prod,
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    /// A user theme starts from this theme (default: dark) and overrides what it sets.
    inherits: Option<String>,
    #[serde(default)]
    colors: Colors,
}

fn parse_color(s: &str) -> Result<Color, String> {
    Color::from_str(s).map_err(|_| {
        format!("{s:?} is not a colour (use a name such as \"red\", \"#rrggbb\", or 0-255)")
    })
}

impl Theme {
    fn blank() -> Self {
        Theme {
            fg: Color::Reset,
            bg: Color::Reset,
            muted: Color::Reset,
            accent: Color::Reset,
            border: Color::Reset,
            header_fg: Color::Reset,
            header_bg: Color::Reset,
            selected_fg: Color::Reset,
            selected_bg: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            alarm: Color::Reset,
            canary: Color::Reset,
            info: Color::Reset,
            prod: Color::Reset,
            mono: false,
        }
    }

    pub fn base(&self) -> Style {
        Style::new().fg(self.fg).bg(self.bg)
    }

    pub fn fg(&self, c: Color) -> Style {
        Style::new().fg(c)
    }

    /// The selected row. Without colour it is reversed, so it still shows.
    pub fn selected(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
                .fg(self.selected_fg)
                .bg(self.selected_bg)
                .add_modifier(Modifier::BOLD)
        }
    }
}

/// All the themes known: built in, then the user's, by name.
#[derive(Debug, Clone)]
pub struct Themes {
    themes: BTreeMap<String, Theme>,
}

/// A theme that could not be loaded, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    /// Not TOML, an unknown key, or a file that cannot be read.
    #[error(transparent)]
    File(#[from] ConfigError),
    #[error("{origin}: {role}: {why}")]
    Colour {
        origin: String,
        role: &'static str,
        why: String,
    },
    #[error("{origin}: missing colour `{role}`")]
    Missing { origin: String, role: &'static str },
    #[error("{origin}: theme {name} inherits from itself")]
    InheritsItself { origin: String, name: String },
    #[error("{origin}: inherits = {parent:?}, but no theme has that name")]
    NoParent { origin: String, parent: String },
}

impl Themes {
    /// The built-in themes plus every `*.toml` in `user_dir` (which may not exist).
    pub fn load(user_dir: Option<&Path>) -> Result<Self, ThemeError> {
        let mut t = Themes {
            themes: BTreeMap::new(),
        };
        for (name, text) in BUILT_IN {
            let theme = t.parse(name, text, &format!("built-in theme {name}"), true)?;
            t.themes.insert(name.to_string(), theme);
        }
        let Some(dir) = user_dir else { return Ok(t) };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(t);
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
                origin: format!("theme {}", path.display()),
                cause: e.to_string(),
            })?;
            let theme = t.parse(&name, &text, &path.display().to_string(), false)?;
            t.themes.insert(name, theme);
        }
        Ok(t)
    }

    fn parse(
        &self,
        name: &str,
        text: &str,
        origin: &str,
        built_in: bool,
    ) -> Result<Theme, ThemeError> {
        let file: ThemeFile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(origin, text, &e))?;
        if built_in && let Some(role) = Theme::missing(&file.colors) {
            let origin = origin.into();
            return Err(ThemeError::Missing { origin, role });
        }
        let parent = file.inherits.as_deref().unwrap_or(DEFAULT);
        let base = if built_in {
            Theme::blank()
        } else if parent == name && !self.themes.contains_key(name) {
            return Err(ThemeError::InheritsItself {
                origin: origin.into(),
                name: name.into(),
            });
        } else {
            *self
                .themes
                .get(parent)
                .ok_or_else(|| ThemeError::NoParent {
                    origin: origin.into(),
                    parent: parent.into(),
                })?
        };
        base.overlay(&file.colors)
            .map_err(|(role, why)| ThemeError::Colour {
                origin: origin.into(),
                role,
                why,
            })
    }

    pub fn names(&self) -> Vec<String> {
        self.themes.keys().cloned().collect()
    }

    pub fn get(&self, name: &str) -> Option<Theme> {
        self.themes.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_load_and_differ() {
        let t = Themes::load(None).unwrap();
        assert_eq!(t.names(), vec!["dark", "high-contrast", "light"]);
        assert_ne!(t.get("dark").unwrap().ok, t.get("light").unwrap().ok);
    }

    #[test]
    fn a_user_theme_inherits_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "inherits = \"light\"\n[colors]\nalarm = \"#010203\"\n",
        )
        .unwrap();
        let t = Themes::load(Some(dir.path())).unwrap();
        let mine = t.get("mine").unwrap();
        assert_eq!(mine.alarm, Color::Rgb(1, 2, 3));
        assert_eq!(mine.ok, t.get("light").unwrap().ok);
    }

    #[test]
    fn a_bad_colour_names_the_file_and_role() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), "[colors]\nok = \"greenish\"\n").unwrap();
        let err = Themes::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("bad.toml"), "{err}");
        assert!(err.contains("ok: \"greenish\" is not a colour"), "{err}");
    }

    #[test]
    fn an_unknown_role_is_reported_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("typo.toml"),
            "[colors]\nok = \"red\"\nalram = \"red\"\n",
        )
        .unwrap();
        let err = Themes::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("typo.toml:3:1"), "{err}");
        assert!(err.contains("unknown field `alram`"), "{err}");
    }

    #[test]
    fn no_color_resets_every_role() {
        let t = Themes::load(None)
            .unwrap()
            .get("dark")
            .unwrap()
            .monochrome();
        assert_eq!(t.alarm, Color::Reset);
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
    }
}
