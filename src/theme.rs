//! Themes: semantic colour roles read from TOML. The built-in themes are embedded; a file
//! `NAME.toml` in the config dir's `themes/` overrides or adds to them.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

pub const DEFAULT: &str = "dark";

const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
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
            fn overlay(mut self, c: &Colors) -> Result<Self, String> {
                $(if let Some(v) = &c.$role {
                    self.$role = parse_color(v).map_err(|e| format!("{}: {e}", stringify!($role)))?;
                })*
                Ok(self)
            }

            fn complete(c: &Colors) -> Result<(), String> {
                $(if c.$role.is_none() { return Err(format!("missing colour `{}`", stringify!($role))); })*
                Ok(())
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
#[derive(Debug)]
pub struct ThemeError(pub String);

impl std::fmt::Display for ThemeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ThemeError {}

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
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ThemeError(format!("theme {}: {e}", path.display())))?;
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
        let file: ThemeFile = toml::from_str(text)
            .map_err(|e| ThemeError(crate::config::describe_toml_error(origin, text, &e)))?;
        if built_in {
            Theme::complete(&file.colors).map_err(|e| ThemeError(format!("{origin}: {e}")))?;
        }
        let parent = file.inherits.as_deref().unwrap_or(DEFAULT);
        let base = if built_in {
            Theme::blank()
        } else if parent == name && !self.themes.contains_key(name) {
            return Err(ThemeError(format!(
                "{origin}: theme {name} inherits from itself"
            )));
        } else {
            *self.themes.get(parent).ok_or_else(|| {
                ThemeError(format!(
                    "{origin}: inherits = {parent:?}, but no theme has that name"
                ))
            })?
        };
        base.overlay(&file.colors)
            .map_err(|e| ThemeError(format!("{origin}: {e}")))
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
