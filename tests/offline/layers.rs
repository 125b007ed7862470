//! The layer rules in ARCHITECTURE.md hold: each top-level module of `src` imports only the
//! modules its row of the "Layer rules" table allows, and no two top-level modules import each
//! other, directly or round a longer circle. The rules are read from ARCHITECTURE.md itself, so
//! the page cannot drift from what this test enforces.
//!
//! A reference is any `crate::x` path in code (`use crate::x::…`, `use crate::{x, y::z}`,
//! `crate::x::f()` in an expression) and any `super::` chain that climbs out of a top-level
//! module to the crate root. Comments, string literals and `#[cfg(test)]` items are not
//! product code and are left out: a unit test may build what it needs from any layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// module → the modules it may import.
type Rules = BTreeMap<String, BTreeSet<String>>;

/// One reference from a file to another top-level module.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The rules of the table under `## Layer rules`: a row per module, its first cell the module
/// (`` `state` ``), its second the modules it may import (`` `model`, `keys` ``), `nothing` or
/// `everything`.
fn parse_rules(markdown: &str) -> Result<Rules, String> {
    let section = markdown
        .split("\n## ")
        .find(|s| s.starts_with("Layer rules"))
        .ok_or("ARCHITECTURE.md has no \"## Layer rules\" section")?;
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let module = cells[1].trim_matches('`').to_string();
        let allowed = cells.get(2).copied().unwrap_or_default();
        rows.push((module, allowed.to_string()));
    }
    if rows.is_empty() {
        return Err("the Layer rules section has no table rows".into());
    }
    let all: BTreeSet<String> = rows.iter().map(|(m, _)| m.clone()).collect();
    let mut rules = Rules::new();
    for (module, allowed) in rows {
        let set: BTreeSet<String> = if allowed.contains("everything") {
            all.iter().filter(|m| **m != module).cloned().collect()
        } else {
            allowed
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        if let Some(unknown) = set.iter().find(|m| !all.contains(*m)) {
            return Err(format!(
                "the rule of {module} names {unknown}, which has no row"
            ));
        }
        rules.insert(module, set);
    }
    Ok(rules)
}

/// Where `text` is code: false inside comments, string and character literals.
fn code_mask(text: &[char]) -> Vec<bool> {
    let mut mask = vec![true; text.len()];
    let mut i = 0;
    while i < text.len() {
        let end = literal_or_comment_end(text, i);
        if end > i {
            mask[i..end].iter_mut().for_each(|m| *m = false);
            i = end;
        } else {
            i += 1;
        }
    }
    mask
}

/// The end of the comment or literal that starts at `i`; `i` when none starts there.
fn literal_or_comment_end(t: &[char], i: usize) -> usize {
    let at = |k: usize| t.get(k).copied().unwrap_or('\0');
    let ident_before = i > 0 && (t[i - 1].is_alphanumeric() || t[i - 1] == '_');
    match (at(i), at(i + 1)) {
        ('/', '/') => (i..t.len()).find(|&k| t[k] == '\n').unwrap_or(t.len()),
        ('/', '*') => block_comment_end(t, i),
        ('"', _) => string_end(t, i + 1),
        ('b', '"') if !ident_before => string_end(t, i + 2),
        ('r' | 'b', _) if !ident_before => raw_string_end(t, i).unwrap_or(i),
        ('\'', '\\') => (i + 3..t.len())
            .find(|&k| t[k] == '\'')
            .map_or(i, |k| k + 1),
        ('\'', _) if at(i + 2) == '\'' => i + 3,
        _ => i,
    }
}

fn block_comment_end(t: &[char], start: usize) -> usize {
    let (mut depth, mut k) = (0usize, start);
    while k + 1 < t.len() {
        match (t[k], t[k + 1]) {
            ('/', '*') => (depth, k) = (depth + 1, k + 2),
            ('*', '/') => {
                (depth, k) = (depth - 1, k + 2);
                if depth == 0 {
                    return k;
                }
            }
            _ => k += 1,
        }
    }
    t.len()
}

/// The end of a `"…"` string whose body starts at `k`.
fn string_end(t: &[char], mut k: usize) -> usize {
    while k < t.len() && t[k] != '"' {
        k += if t[k] == '\\' { 2 } else { 1 };
    }
    (k + 1).min(t.len())
}

/// The end of `r"…"`, `r#"…"#` or `br#"…"#` starting at `i`.
fn raw_string_end(t: &[char], i: usize) -> Option<usize> {
    let mut k = i + if t[i] == 'b' { 1 } else { 0 };
    if t.get(k) != Some(&'r') {
        return None;
    }
    k += 1;
    let hashes = t[k..].iter().take_while(|c| **c == '#').count();
    k += hashes;
    if t.get(k) != Some(&'"') {
        return None;
    }
    let close: Vec<char> = std::iter::once('"')
        .chain("#".repeat(hashes).chars())
        .collect();
    (k + 1..t.len())
        .find(|&j| t[j..].starts_with(&close))
        .map(|j| j + close.len())
}

/// Blanks every `#[cfg(test)]` item (up to its `;` or its closing brace) out of the mask.
fn drop_test_items(text: &[char], mask: &mut [bool]) {
    let marker: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + marker.len() <= text.len() {
        if !(mask[i] && text[i..].starts_with(&marker)) {
            i += 1;
            continue;
        }
        let (mut depth, mut k) = (0usize, i + marker.len());
        while k < text.len() {
            if mask[k] {
                match text[k] {
                    ';' if depth == 0 => break,
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
            k += 1;
        }
        let end = (k + 1).min(text.len());
        mask[i..end].iter_mut().for_each(|m| *m = false);
        i = end;
    }
}

/// The identifier that starts at `k` in code.
fn ident_at(text: &[char], k: usize) -> String {
    text[k..]
        .iter()
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .collect()
}

/// The first identifier of each item of the `{…}` group opening at `k`: `{x, y::z}` → x, y.
fn group_heads(text: &[char], k: usize) -> Vec<String> {
    let (mut depth, mut heads, mut expect) = (0usize, Vec::new(), true);
    for (j, &c) in text.iter().enumerate().skip(k) {
        match c {
            '{' => {
                depth += 1;
                expect = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect = true,
            c if expect && (c.is_alphabetic() || c == '_') => {
                heads.push(ident_at(text, j));
                expect = false;
            }
            _ => {}
        }
    }
    heads
}

/// The top-level modules named right after position `k` (after `crate::` or the root `super::`).
fn named_at(text: &[char], k: usize) -> Vec<String> {
    match text.get(k) {
        Some('{') => group_heads(text, k),
        Some(_) => vec![ident_at(text, k)],
        None => Vec::new(),
    }
}

/// Every reference in one file's code to a top-level module: `(line, module)`. `depth` is how
/// many modules deep the file's own module is (`state/input/keys.rs`: 3, `state/mod.rs`: 1).
fn references_in(source: &str, depth: usize) -> Vec<(usize, String)> {
    let text: Vec<char> = source.chars().collect();
    let mut mask = code_mask(&text);
    drop_test_items(&text, &mut mask);
    let is_word_start = |i: usize| i == 0 || !(text[i - 1].is_alphanumeric() || text[i - 1] == '_');
    let (mut line, mut out) = (1, Vec::new());
    for i in 0..text.len() {
        if text[i] == '\n' {
            line += 1;
        }
        if !mask[i] || !is_word_start(i) {
            continue;
        }
        if text[i..].starts_with(&['c', 'r', 'a', 't', 'e', ':', ':']) {
            out.extend(named_at(&text, i + 7).into_iter().map(|m| (line, m)));
        } else if text[i..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':'])
            && (i < 7 || !text[..i].ends_with(&['s', 'u', 'p', 'e', 'r', ':', ':']))
        {
            let mut k = i;
            let mut climbs = 0;
            while text[k..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
                (climbs, k) = (climbs + 1, k + 7);
            }
            if climbs >= depth {
                out.extend(named_at(&text, k).into_iter().map(|m| (line, m)));
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules of `src`: its folders and its files but the crate roots.
fn top_level_modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .expect("read src")
        .flatten()
        .map(|e| e.path())
        .filter_map(|p| match p.extension() {
            None if p.is_dir() => p.file_name().map(|n| n.to_string_lossy().into_owned()),
            Some(e) if e == "rs" => p.file_stem().map(|n| n.to_string_lossy().into_owned()),
            _ => None,
        })
        .filter(|m| m != "lib" && m != "main")
        .collect()
}

/// Every reference in `src` from one top-level module to another.
fn references(src: &Path) -> Vec<Reference> {
    let modules = top_level_modules(src);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(src).expect("under src");
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let from = parts[0].trim_end_matches(".rs").to_string();
        if from == "lib" || from == "main" {
            continue; // the crate roots declare the modules; the binary is the edge
        }
        let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod.rs"));
        let source = std::fs::read_to_string(&path).expect("read source");
        for (line, to) in references_in(&source, depth) {
            if to != from && modules.contains(&to) {
                let file = format!("src/{}", parts.join("/"));
                out.push(Reference {
                    file,
                    line,
                    from: from.clone(),
                    to,
                });
            }
        }
    }
    out
}

/// A circle of imports among `edges`, as `a → b → a`, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

/// Everything wrong with `src` under the rules of `markdown`, one line each.
fn problems(src: &Path, markdown: &str) -> Vec<String> {
    let rules = match parse_rules(markdown) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let mut out = Vec::new();
    if let Some(c) = find_cycle(&rules) {
        out.push(format!(
            "the rules themselves allow a cycle: {}",
            c.join(" → ")
        ));
    }
    for m in top_level_modules(src) {
        if !rules.contains_key(&m) {
            out.push(format!("src/{m} has no row in the Layer rules table"));
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in references(src) {
        edges
            .entry(r.from.clone())
            .or_default()
            .insert(r.to.clone());
        let Some(allowed) = rules.get(&r.from) else {
            continue;
        };
        if !allowed.contains(&r.to) {
            let list: Vec<&str> = allowed.iter().map(String::as_str).collect();
            let list = if list.is_empty() {
                "nothing".into()
            } else {
                list.join(", ")
            };
            out.push(format!(
                "{}:{}: {} imports {}; the rule of {} allows: {list}",
                r.file, r.line, r.from, r.to, r.from
            ));
        }
    }
    if let Some(c) = find_cycle(&edges) {
        out.push(format!(
            "import cycle between top-level modules: {}",
            c.join(" → ")
        ));
    }
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn src_keeps_the_layer_rules_of_architecture_md() {
    let markdown = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let rules = parse_rules(&markdown).unwrap();
    assert!(rules.len() >= 10, "too few rows read: {rules:?}");
    let found = references(&root().join("src"));
    assert!(
        found.len() > 300,
        "too few references found: {}",
        found.len()
    );
    let problems = problems(&root().join("src"), &markdown);
    assert!(
        problems.is_empty(),
        "layer rules broken:\n{}",
        problems.join("\n")
    );
}

const PLANTED_RULES: &str = "# x\n\n## Layer rules\n\n| module | may import |\n|---|---|\n\
    | `model` | nothing |\n| `state` | `model` |\n| `ui` | `state`, `model` |\n\
    | `app` | everything |\n\n## Next\n| `ui` | nothing |\n";

fn planted(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_forbidden_import_is_named_with_its_file_line_and_rule() {
    let tree = planted(&[
        (
            "lib.rs",
            "pub mod app;\npub mod model;\npub mod state;\npub mod ui;\n",
        ),
        (
            "model/mod.rs",
            "//! uses crate::ui in a comment only\npub struct M;\n",
        ),
        ("state/mod.rs", "mod input;\nuse crate::model::M;\n"),
        // Three deep: the third super:: reaches the crate root.
        (
            "state/input/keys.rs",
            "fn f() {\n    let s = \"crate::app\";\n    super::super::super::ui::draw();\n}\n",
        ),
        ("state/input/mod.rs", "mod keys;\n"),
        (
            "ui/mod.rs",
            "use crate::{model::M, state};\n#[cfg(test)]\nmod tests {\n    use crate::app::run;\n}\n",
        ),
        ("app.rs", "use crate::{ui, model::{M}};\n"),
    ]);
    let found = problems(tree.path(), PLANTED_RULES);
    // Only the climbing super:: counts (comments, strings and test items are not code), and
    // with ui's own import of state it closes a circle.
    assert_eq!(
        found,
        vec![
            "src/state/input/keys.rs:3: state imports ui; the rule of state allows: model",
            "import cycle between top-level modules: ui → state → ui",
        ]
    );
}

#[test]
fn a_cycle_between_top_level_modules_fails() {
    let tree = planted(&[
        ("model.rs", "pub struct M;\n"),
        ("state/mod.rs", "use crate::ui::draw;\n"),
        ("ui/mod.rs", "pub fn draw() { crate::state::update(); }\n"),
        ("app/mod.rs", "pub fn run() {}\n"),
    ]);
    let rules = PLANTED_RULES.replace("| `state` | `model` |", "| `state` | `model`, `ui` |");
    let found = problems(tree.path(), &rules);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("the rules themselves allow a cycle: state → ui → state")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p == "import cycle between top-level modules: state → ui → state"),
        "{found:?}"
    );
}

#[test]
fn a_module_without_a_row_fails() {
    let tree = planted(&[("model.rs", ""), ("extra/mod.rs", "use crate::model::M;\n")]);
    let found = problems(tree.path(), PLANTED_RULES);
    assert_eq!(found, vec!["src/extra has no row in the Layer rules table"]);
}

#[test]
fn the_rules_are_read_from_the_layer_rules_section_only() {
    let rules = parse_rules(PLANTED_RULES).unwrap();
    let names = |m: &str| rules[m].iter().cloned().collect::<Vec<_>>();
    assert!(names("model").is_empty());
    assert_eq!(names("ui"), vec!["model", "state"]);
    assert_eq!(names("app"), vec!["model", "state", "ui"]);
    assert!(parse_rules("# no rules here\n").is_err());
}
