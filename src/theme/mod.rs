//! Themes: semantic colour roles read from TOML. The built-in themes are embedded; a file
//! `NAME.toml` in the config dir's `themes/` overrides or adds to them.

use crate::config::ConfigError;
use crate::files::textfile;
use crate::model::text::clean;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

mod exec;
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
            fn overlay(mut self, c: &Colors) -> Result<Self, (&'static str, NotAColour)> {
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

/// A theme's value that names no colour; it quotes the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a colour (use a name such as \"red\", \"#rrggbb\", or 0-255)")]
pub struct NotAColour(String);

fn parse_color(s: &str) -> Result<Color, NotAColour> {
    Color::from_str(s).map_err(|_| NotAColour(s.to_string()))
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

/// All the themes known: built in, then the user's, by name. A user theme file that cannot be
/// used is kept aside with its error: it stops the console only when it is the theme chosen.
#[derive(Debug, Clone)]
pub struct Themes {
    themes: BTreeMap<String, Theme>,
    broken: BTreeMap<String, ThemeError>,
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
        why: NotAColour,
    },
    #[error("{origin}: missing colour `{role}`")]
    Missing { origin: String, role: &'static str },
    #[error("{origin}: theme {name} inherits from itself")]
    InheritsItself { origin: String, name: String },
    #[error("{origin}: inherits = {parent:?}, but no theme has that name")]
    NoParent { origin: String, parent: String },
    #[error("{origin}: inherits = {parent:?}, which cannot be used: {why}")]
    BrokenParent {
        origin: String,
        parent: String,
        why: String,
    },
    #[error("{origin}: themes inherit from each other in a circle: {circle}")]
    Circle { origin: String, circle: String },
}

/// A user theme file read and parsed, not yet resolved against its parent.
struct Raw {
    file: ThemeFile,
    origin: String,
}

impl Themes {
    /// The built-in themes plus every `*.toml` in `user_dir` (which may not exist). Every file
    /// is read before any is resolved, so a theme may inherit from one in a file sorted after
    /// it. A file that cannot be used is set aside (see [`Themes::broken`]).
    pub fn load(user_dir: Option<&Path>) -> Result<Self, ThemeError> {
        let mut t = Themes {
            themes: BTreeMap::new(),
            broken: BTreeMap::new(),
        };
        for (name, text) in BUILT_IN {
            let origin = format!("built-in theme {name}");
            let file = parse_file(text, &origin)?;
            if let Some(role) = Theme::missing(&file.colors) {
                return Err(ThemeError::Missing { origin, role });
            }
            let theme = Theme::blank()
                .overlay(&file.colors)
                .map_err(|(role, why)| ThemeError::Colour { origin, role, why })?;
            t.themes.insert(name.to_string(), theme);
        }
        let raw = t.read_user_files(user_dir);
        let built_in = t.themes.clone();
        let mut names: Vec<&String> = raw.keys().collect();
        names.sort();
        for name in names {
            t.resolve(name, &raw, &built_in, &mut Vec::new());
        }
        Ok(t)
    }

    /// Reads and parses every theme file of `dir`; the ones that fail go to `broken`.
    fn read_user_files(&mut self, dir: Option<&Path>) -> BTreeMap<String, Raw> {
        let mut raw = BTreeMap::new();
        let Some(entries) = dir.and_then(|d| std::fs::read_dir(d).ok()) else {
            return raw;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let name = clean(&path.file_stem().unwrap_or_default().to_string_lossy());
            let origin = clean(&path.display().to_string());
            let parsed = textfile::read(&path)
                .map_err(|e| ThemeError::File(ConfigError::read(&format!("theme {origin}"), &e)))
                .and_then(|text| parse_file(&text, &origin));
            match parsed {
                Ok(file) => {
                    raw.insert(name, Raw { file, origin });
                }
                Err(e) => {
                    self.broken.insert(name, e);
                }
            }
        }
        raw
    }

    /// Resolves the user theme `name` after its parent (another user theme, or a built-in
    /// one), recording it as a theme or as broken. `chain` holds the themes being resolved,
    /// to catch a circle.
    fn resolve(
        &mut self,
        name: &str,
        raw: &BTreeMap<String, Raw>,
        built_in: &BTreeMap<String, Theme>,
        chain: &mut Vec<String>,
    ) {
        let Some(r) = raw.get(name) else { return };
        if self.broken.contains_key(name) || self.done(name, built_in) {
            return;
        }
        let origin = r.origin.clone();
        let parent = r.file.inherits.clone().unwrap_or_else(|| DEFAULT.into());
        if chain.iter().any(|c| c == name) {
            chain.push(name.into());
            let circle = chain.join(" → ");
            self.broken
                .insert(name.into(), ThemeError::Circle { origin, circle });
            return;
        }
        let base = if parent == name {
            match built_in.get(name) {
                Some(b) => Ok(*b),
                None => Err(ThemeError::InheritsItself {
                    origin: origin.clone(),
                    name: name.into(),
                }),
            }
        } else {
            chain.push(name.into());
            if raw.contains_key(&parent) {
                self.resolve(&parent, raw, built_in, chain);
            }
            chain.pop();
            if self.broken.contains_key(name) {
                return; // part of a circle, reported where it closed
            }
            self.parent_theme(&parent, &origin, raw, built_in)
        };
        let theme = base.and_then(|b| {
            b.overlay(&r.file.colors)
                .map_err(|(role, why)| ThemeError::Colour {
                    origin: origin.clone(),
                    role,
                    why,
                })
        });
        match theme {
            Ok(t) => {
                self.themes.insert(name.into(), t);
            }
            Err(e) => {
                self.broken.insert(name.into(), e);
            }
        }
    }

    /// Whether the user theme `name` has been resolved already (a built-in of that name does
    /// not count: the user's file overrides it).
    fn done(&self, name: &str, built_in: &BTreeMap<String, Theme>) -> bool {
        self.themes.get(name) != built_in.get(name)
    }

    fn parent_theme(
        &self,
        parent: &str,
        origin: &str,
        raw: &BTreeMap<String, Raw>,
        built_in: &BTreeMap<String, Theme>,
    ) -> Result<Theme, ThemeError> {
        if let Some(e) = self.broken.get(parent) {
            return Err(ThemeError::BrokenParent {
                origin: origin.into(),
                parent: parent.into(),
                why: e.to_string(),
            });
        }
        let known = raw.contains_key(parent) || built_in.contains_key(parent);
        match self.themes.get(parent) {
            Some(t) if known => Ok(*t),
            _ => Err(ThemeError::NoParent {
                origin: origin.into(),
                parent: parent.into(),
            }),
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.themes
            .keys()
            .filter(|n| !self.broken.contains_key(*n))
            .cloned()
            .collect()
    }

    /// The theme of that name; None when there is none, or its file cannot be used.
    pub fn get(&self, name: &str) -> Option<Theme> {
        if self.broken.contains_key(name) {
            return None;
        }
        self.themes.get(name).copied()
    }

    /// Why the user theme `name` cannot be used, if its file is broken.
    pub fn broken(&self, name: &str) -> Option<&ThemeError> {
        self.broken.get(name)
    }

    /// Every user theme file set aside, by name, with why.
    pub fn broken_all(&self) -> impl Iterator<Item = (&str, &ThemeError)> {
        self.broken.iter().map(|(n, e)| (n.as_str(), e))
    }

    /// One line for each theme file set aside, to warn about at start.
    pub fn warnings(&self) -> Vec<String> {
        self.broken
            .iter()
            .map(|(name, e)| format!("theme {name} is not available: {e}"))
            .collect()
    }
}

fn parse_file(text: &str, origin: &str) -> Result<ThemeFile, ThemeError> {
    toml::from_str(text).map_err(|e| ThemeError::File(ConfigError::from_toml(origin, text, &e)))
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
        let t = Themes::load(Some(dir.path())).unwrap();
        assert!(t.get("bad").is_none());
        let err = t.broken("bad").unwrap().to_string();
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
        let t = Themes::load(Some(dir.path())).unwrap();
        let err = t.warnings().join("\n");
        assert!(err.contains("typo.toml:3:1"), "{err}");
        assert!(err.contains("unknown field `alram`"), "{err}");
    }

    #[test]
    fn a_theme_inherits_from_one_in_a_later_file() {
        let dir = tempfile::tempdir().unwrap();
        // "a" sorts before "b": "b" must be resolved first.
        std::fs::write(
            dir.path().join("a.toml"),
            "inherits = \"b\"\n[colors]\nok = \"#000001\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.toml"),
            "inherits = \"light\"\n[colors]\nalarm = \"#000002\"\n",
        )
        .unwrap();
        let t = Themes::load(Some(dir.path())).unwrap();
        assert!(t.warnings().is_empty(), "{:?}", t.warnings());
        let a = t.get("a").unwrap();
        assert_eq!(a.ok, Color::Rgb(0, 0, 1));
        assert_eq!(a.alarm, Color::Rgb(0, 0, 2));
        assert_eq!(a.info, t.get("light").unwrap().info);
    }

    #[test]
    fn a_broken_theme_is_set_aside_and_its_children_with_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.toml"), "[colors\n").unwrap();
        std::fs::write(dir.path().join("child.toml"), "inherits = \"broken\"\n").unwrap();
        std::fs::write(dir.path().join("x.toml"), "inherits = \"y\"\n").unwrap();
        std::fs::write(dir.path().join("y.toml"), "inherits = \"x\"\n").unwrap();
        std::fs::write(dir.path().join("fine.toml"), "[colors]\nok = \"red\"\n").unwrap();
        let t = Themes::load(Some(dir.path())).unwrap();
        assert_eq!(t.names(), vec!["dark", "fine", "high-contrast", "light"]);
        assert!(matches!(
            t.broken("child"),
            Some(ThemeError::BrokenParent { .. })
        ));
        let circle = t.broken("x").unwrap().to_string();
        assert!(circle.contains("x → y → x"), "{circle}");
        assert_eq!(t.warnings().len(), 4, "{:?}", t.warnings());
    }

    #[test]
    fn a_theme_file_name_with_escapes_is_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ev\u{1b}[31mil.toml"),
            "[colors]\nok = 1.5\n",
        )
        .unwrap();
        let t = Themes::load(Some(dir.path())).unwrap();
        let w = t.warnings().join("\n");
        assert!(!w.contains('\u{1b}'), "{w:?}");
        assert!(w.contains("ev[31mil.toml"), "{w:?}");
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
