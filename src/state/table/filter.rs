//! The filter every pane shares. `/api` shows what contains "api" (any case); `a|b` shows what
//! matches either; `!x` hides what contains x (`a|b|!test`). It is bounded in length and in
//! terms, so a pasted wall of text cannot stall a keystroke.

/// Characters of filter text kept; typing stops there.
pub const MAX_LEN: usize = 200;
/// Terms (between `|`) used; the rest are ignored.
pub const MAX_TERMS: usize = 16;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    text: String,
    /// Lower-case terms: an item shows if it matches any (or there are none)...
    include: Vec<String>,
    /// ...and matches none of these.
    exclude: Vec<String>,
}

impl Filter {
    /// Parses `text`, cut to `MAX_LEN` characters and `MAX_TERMS` terms.
    pub fn parse(text: &str) -> Self {
        let text: String = text.chars().take(MAX_LEN).collect();
        let (mut include, mut exclude) = (Vec::new(), Vec::new());
        for term in text
            .split('|')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .take(MAX_TERMS)
        {
            match term.strip_prefix('!') {
                Some(t) if !t.trim().is_empty() => exclude.push(t.trim().to_lowercase()),
                Some(_) => {}
                None => include.push(term.to_lowercase()),
            }
        }
        Self {
            text,
            include,
            exclude,
        }
    }

    /// The text as typed (and kept).
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether an item shows, given how it answers "do you contain this lower-case term?".
    pub fn admits(&self, contains: impl Fn(&str) -> bool) -> bool {
        (self.include.is_empty() || self.include.iter().any(|t| contains(t)))
            && !self.exclude.iter().any(|t| contains(t))
    }

    /// The terms a match is highlighted for.
    pub fn highlights(&self) -> &[String] {
        &self.include
    }

    /// The terms that hide what contains them.
    pub fn excludes(&self) -> &[String] {
        &self.exclude
    }

    /// Whether this filter can only show what `old` showed (or less): each of its terms
    /// contains one of `old`'s, and it hides at least what `old` hid. A search may then
    /// recheck `old`'s matches instead of everything.
    pub fn narrows(&self, old: &Filter) -> bool {
        let include = old.include.is_empty()
            || (!self.include.is_empty()
                && self
                    .include
                    .iter()
                    .all(|t| old.include.iter().any(|o| t.contains(o.as_str()))));
        let exclude = old
            .exclude
            .iter()
            .all(|o| self.exclude.iter().any(|t| o.contains(t.as_str())));
        include && exclude
    }
}

/// Whether `hay` contains `needle` (already lower-case), ignoring case; an empty needle is in
/// everything. ASCII needles are compared without allocating, as most are.
pub fn contains(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shows(filter: &str, fields: &[&str]) -> bool {
        Filter::parse(filter).admits(|t| fields.iter().any(|f| contains(f, t)))
    }

    #[test]
    fn alternatives_and_exclusions() {
        assert!(shows("", &["anything"]));
        assert!(shows("API", &["prod-core", "api"]));
        assert!(shows("web|api", &["api-canary"]));
        assert!(!shows("web|api", &["worker"]));
        assert!(!shows("api|!canary", &["api-canary"]));
        assert!(shows("api|!canary", &["api"]));
        assert!(shows("!canary", &["web"]));
        assert!(shows("!", &["web"]), "a bare ! excludes nothing");
        assert!(shows("ünï", &["Ünïcode"]));
    }

    #[test]
    fn narrowing_is_known_only_when_it_holds() {
        let narrows = |new: &str, old: &str| Filter::parse(new).narrows(&Filter::parse(old));
        assert!(narrows("erro", "err"));
        assert!(narrows("error|warn", "err|warn"));
        assert!(narrows("err|!debug", "err"));
        assert!(narrows("x", ""));
        assert!(narrows("err|", "err"), "the same terms");
        assert!(!narrows("err|w", "err"), "a new alternative widens");
        assert!(
            narrows("err|!deb", "err|!debug"),
            "a shorter exclusion hides more"
        );
        assert!(
            !narrows("err|!debugx", "err|!debug"),
            "a longer exclusion hides less"
        );
        assert!(!narrows("", "err"));
    }

    #[test]
    fn the_filter_is_bounded() {
        let wall = "x|".repeat(3_000);
        let f = Filter::parse(&wall);
        assert_eq!(f.text().chars().count(), MAX_LEN);
        assert!(f.include.len() <= MAX_TERMS);
    }

    #[test]
    fn contains_ignores_case_without_allocating_for_ascii() {
        assert!(contains("Payments-5XX-Rate", "5xx"));
        assert!(!contains("ab", "abc"));
        assert!(contains("", ""));
    }
}
