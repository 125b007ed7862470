//! `deckwatch config check [FILE]`: reads the config file and the themes the console would
//! load, and prints every error and warning with file:line:column, the way compilers report.
//! Exit status 1 when there is an error; warnings (a `[keys]` entry not applied, a theme file
//! that is not the one chosen and cannot be used) do not fail the check, as they do not stop
//! the console.

use super::{CommandError, output};
use crate::config::{ConfigError, parse_every_error};
use crate::files::textfile;
use crate::files::toml_place::{Seg, line_col, locate};
use crate::keys::Keymap;
use crate::model::text::clean;
use crate::theme::{self, ThemeError, Themes};
use crate::toml_path;
use std::path::Path;

/// What a check found, as lines: `file:line:col: error: message`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// Said before the findings: a default file that does not exist, say.
    pub notes: Vec<String>,
}

/// Checks `path` (which must exist when `required`: it was named) and the theme files of
/// `themes_dir`, prints the findings and says whether there was an error.
pub fn run(path: &Path, required: bool, themes_dir: Option<&Path>) -> Result<(), CommandError> {
    let report = check(path, required, themes_dir);
    let origin = clean(&path.display().to_string());
    let mut text = String::new();
    // What the file says is quoted in the messages: cleaned, so it cannot move the cursor.
    for line in report
        .notes
        .iter()
        .chain(&report.errors)
        .chain(&report.warnings)
    {
        text.push_str(&clean(line));
        text.push('\n');
    }
    let (e, w) = (report.errors.len(), report.warnings.len());
    text.push_str(&format!(
        "{origin}: {} {}, {} {}\n",
        e,
        plural(e, "error"),
        w,
        plural(w, "warning")
    ));
    output::print(&text)?;
    if e > 0 {
        return Err(CommandError::Failed(format!(
            "{origin}: {e} {} found",
            plural(e, "error")
        )));
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.into()
    } else {
        format!("{word}s")
    }
}

/// Every error and warning of the config at `path` and of the themes in `themes_dir`.
pub fn check(path: &Path, required: bool, themes_dir: Option<&Path>) -> Report {
    let origin = clean(&path.display().to_string());
    let mut report = Report::default();
    let text = match textfile::read(path) {
        Ok(t) => t,
        Err(e) if e.not_found() && !required => {
            report.notes.push(format!(
                "{origin}: no such file; the console starts with the defaults"
            ));
            String::new()
        }
        Err(e) => {
            report
                .errors
                .push(error_line(&ConfigError::read(&origin, &e)));
            return report;
        }
    };
    let checked = parse_every_error(&origin, &text);
    report.errors.extend(checked.errors.iter().map(error_line));
    let Some(cfg) = checked.config else {
        return report;
    };
    let (_, mut key_warnings) = Keymap::with_overrides(&cfg.keys);
    key_warnings.sort_by_key(|w| (w.place.line, w.place.column));
    for w in key_warnings {
        let p = &w.place;
        report.warnings.push(format!(
            "{}:{}:{}: warning: {}",
            p.origin, p.line, p.column, w.message
        ));
    }
    check_themes(
        &mut report,
        &origin,
        &text,
        cfg.theme.as_deref(),
        themes_dir,
    );
    report
}

/// The theme files, and the theme the config chooses: a broken file is an error when it is
/// the chosen theme (the console would not start), else a warning.
fn check_themes(
    report: &mut Report,
    origin: &str,
    text: &str,
    chosen: Option<&str>,
    dir: Option<&Path>,
) {
    let themes = match Themes::load(dir) {
        Ok(t) => t,
        Err(e) => {
            report.errors.push(format!("error: {e}"));
            return;
        }
    };
    for (name, e) in themes.broken_all() {
        let line = theme_line(e);
        if chosen == Some(name) {
            report
                .errors
                .push(format!("{line}error: theme {name}: {e}"));
        } else {
            report
                .warnings
                .push(format!("{line}warning: theme {name} cannot be used: {e}"));
        }
    }
    let chosen = chosen.unwrap_or(theme::DEFAULT);
    if themes.get(chosen).is_none() && themes.broken(chosen).is_none() {
        let at = place(origin, text, &[Seg::from("theme")]);
        report.errors.push(format!(
            "{at}error: theme = {:?}, but no theme has that name (known: {})",
            clean(chosen),
            themes.names().join(", ")
        ));
    }
}

/// `file:line:col: ` of a theme's error, found again in its file where the error names only
/// the file (a colour that is not one, a parent that does not exist).
fn theme_line(e: &ThemeError) -> String {
    let (origin, path) = match e {
        ThemeError::File(ConfigError::At {
            origin,
            line,
            column,
            ..
        }) => return format!("{origin}:{line}:{column}: "),
        ThemeError::File(_) | ThemeError::Missing { .. } => return String::new(),
        ThemeError::Colour { origin, role, .. } => (origin, toml_path!["colors", *role]),
        ThemeError::InheritsItself { origin, .. }
        | ThemeError::NoParent { origin, .. }
        | ThemeError::BrokenParent { origin, .. }
        | ThemeError::Circle { origin, .. } => (origin, toml_path!["inherits"]),
    };
    match textfile::read(Path::new(origin)) {
        Ok(text) => place(origin, &text, &path),
        Err(_) => format!("{origin}: "),
    }
}

/// `file:line:col: ` of the key `path` in `text`, or `file: ` when it is not there.
fn place(origin: &str, text: &str, path: &[Seg]) -> String {
    match locate(text, path) {
        Some(offset) => {
            let (line, column) = line_col(text, offset);
            format!("{origin}:{line}:{column}: ")
        }
        None => format!("{origin}: "),
    }
}

/// `file:line:col: error: message`.
fn error_line(e: &ConfigError) -> String {
    match e {
        ConfigError::At {
            origin,
            line,
            column,
            message,
        } => format!("{origin}:{line}:{column}: error: {message}"),
        ConfigError::Invalid { origin, message } => format!("{origin}: error: {message}"),
        ConfigError::Read { origin, cause } => format!("{origin}: error: {cause}"),
    }
}
