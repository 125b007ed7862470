//! `:export timeline [PATH]`: the timeline on screen as a Markdown post-mortem draft, written
//! off the loop (owner-only, through a temporary file, never over an existing file without `!`,
//! never through a symlink).

use crate::model::timeline::Timeline;
use crate::model::timeline::markdown::{Header, draft};
use crate::state::{Effect, State};
use std::path::PathBuf;

/// A draft to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub path: PathBuf,
    /// `!`: replace a file that is there.
    pub overwrite: bool,
    pub text: String,
}

/// Why an export was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("{0} exists: :export timeline {0}! replaces it")]
    Exists(String),
    #[error("{0} is a symlink: the draft is never written through one")]
    Symlink(String),
    #[error("cannot write {path}: {cause}")]
    Io { path: String, cause: String },
}

/// `timeline [PATH][!]`: where, and whether to replace.
pub fn parse(arg: &str) -> Option<(Option<PathBuf>, bool)> {
    let rest = arg.trim().strip_prefix("timeline")?;
    if !rest.is_empty() && !rest.starts_with([' ', '!']) {
        return None;
    }
    let rest = rest.trim();
    let (rest, overwrite) = match rest.strip_suffix('!') {
        Some(r) => (r.trim_end(), true),
        None => (rest, false),
    };
    let path = (!rest.is_empty()).then(|| PathBuf::from(rest));
    Some((path, overwrite))
}

/// The file name a draft gets without a path: the service and the time, in the current
/// directory.
fn default_path(t: &Timeline) -> PathBuf {
    let service = t.service.as_ref().map_or("service".to_string(), |k| {
        format!("{}-{}", k.cluster, k.name)
    });
    let stamp = chrono::DateTime::from_timestamp_millis(t.until.millis())
        .map(|d| d.format("%Y%m%dT%H%MZ").to_string())
        .unwrap_or_default();
    let safe: String = service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("postmortem-{safe}-{stamp}.md"))
}

pub(crate) fn export(state: &mut State, arg: Option<&str>, effects: &mut Vec<Effect>) {
    let Some((path, overwrite)) = arg.and_then(parse) else {
        return state.flash("usage: :export timeline [PATH] (a trailing ! replaces the file)");
    };
    let Some(read) = &state.ctx.timeline.read else {
        return state.flash("export: open a timeline first (:timeline), and wait for it to load");
    };
    let mut t = read.clone();
    t.entries = state.ctx.timeline.table.items.clone();
    let header = Header {
        context: state.ctx.info.name.clone(),
        account: state.ctx.info.account.clone(),
        region: state.ctx.info.region.clone(),
        written_at: state.now,
    };
    let path = path.unwrap_or_else(|| default_path(&t));
    effects.push(Effect::Export(Box::new(Export {
        path,
        overwrite,
        text: draft(&t, &header),
    })));
    state.flash("export: writing the draft…");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_argument_names_a_path_and_maybe_a_bang() {
        assert_eq!(parse("timeline"), Some((None, false)));
        assert_eq!(parse("timeline !"), Some((None, true)));
        assert_eq!(parse("timeline!"), Some((None, true)));
        assert_eq!(
            parse("timeline /tmp/pm.md!"),
            Some((Some(PathBuf::from("/tmp/pm.md")), true))
        );
        assert_eq!(
            parse("timeline pm.md"),
            Some((Some(PathBuf::from("pm.md")), false))
        );
        assert_eq!(parse("logs"), None);
        assert_eq!(parse("timelines"), None);
    }
}
