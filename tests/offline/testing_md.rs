//! TESTING.md must stay true: it lists every AWS and GitHub operation `src` calls, and for
//! each the tests that send it through the real client. The operations are read from `src`
//! itself: every `Op::Name` outside comments, unit tests and the table, however it reaches the
//! call (given to `.within(&gate, ..)` or the budget's `acquire(..)`, passed to the GitHub
//! client's `get`/`post`, or held in a constant or a variable first), named as the one table of
//! operations (`src/model/op.rs`) names it. So a new call without a row fails here, and so does
//! a row naming a test that does not exist, is not a test, is not in its binary, or never
//! mentions the operation. The table must list exactly the operations called.

use deckwatch::model::Op;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The one table of operations: a table, not a call.
const TABLE: &str = "src/model/op.rs";

/// Each operation's name by its variant's (`EcsListServices` → `ecs:ListServices`).
fn the_table() -> BTreeMap<String, &'static str> {
    Op::ALL
        .iter()
        .map(|op| (format!("{op:?}"), op.name()))
        .collect()
}

/// The operations named in `text`: every `Op::Variant` outside comments and the file's unit
/// tests (its `#[cfg(test)]` module, at the end), by the table's names.
fn operations_in(text: &str, table: &BTreeMap<String, &'static str>) -> Vec<String> {
    let text = &text[..text.find("#[cfg(test)]").unwrap_or(text.len())];
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        for (at, _) in code.match_indices("Op::") {
            let variant: String = code[at + 4..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            // `Op::ALL`, `Op::parse`: the table's own words, not an operation.
            if let Some(name) = table.get(&variant) {
                out.push(name.to_string());
            } else if variant.starts_with(|c: char| c.is_ascii_uppercase())
                && variant.chars().any(|c| c.is_ascii_lowercase())
            {
                panic!("Op::{variant} is not in {TABLE}'s table");
            }
        }
    }
    out
}

fn operations_in_src() -> BTreeSet<String> {
    let table = the_table();
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files
        .iter()
        .filter(|f| !f.ends_with(TABLE))
        .flat_map(|f| operations_in(&std::fs::read_to_string(f).expect("read source"), &table))
        .collect()
}

/// (operation, tests) of each row of TESTING.md's table.
fn rows() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("TESTING.md")).expect("TESTING.md");
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let op = cells[1].trim_matches('`').to_string();
            let tests = cells[cells.len() - 2]
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            (op, tests)
        })
        .collect()
}

/// The body of test `path` (`binary::module::…::name`), or why it is not a runnable test.
fn test_body(path: &str) -> Result<String, String> {
    let parts: Vec<&str> = path.split("::").collect();
    let [binary, modules @ .., name] = parts.as_slice() else {
        return Err("not binary::module::test".into());
    };
    if modules.is_empty() {
        return Err("not binary::module::test".into());
    }
    let dir = root().join("tests").join(binary);
    let main = std::fs::read_to_string(dir.join("main.rs")).map_err(|e| format!("{e}"))?;
    if !main.contains(&format!("mod {};", modules[0])) {
        return Err(format!(
            "tests/{binary}/main.rs does not declare mod {}",
            modules[0]
        ));
    }
    let file = dir.join(format!("{}.rs", modules.join("/")));
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let at = text
        .find(&format!("fn {name}()"))
        .ok_or_else(|| format!("no fn {name}() in {}", file.display()))?;
    let before = &text[..at];
    let attribute = before.rfind("#[").map(|i| &before[i..]).unwrap_or_default();
    if !(attribute.starts_with("#[test]") || attribute.starts_with("#[tokio::test")) {
        return Err(format!("{name} is not a #[test] or #[tokio::test]"));
    }
    let body = &text[at..];
    Ok(body[..body.find("\n}\n").unwrap_or(body.len())].to_string())
}

#[test]
fn the_operations_are_read_from_the_calls_however_they_get_there() {
    let src = r#"
        .send()
        .within(&self.gate, Op::EcsListClusters)
        f.gate.acquire(Op::LogsCreateLogStream).await;
        Err(e) => return Err(self.gate.fail(Op::LogsFilterLogEvents, e)),
        .within(
            gate,
            Op::ElbDescribeRules,
        )
        const OP: Op = Op::EcsListTasks;
        let a = self.http.get(Op::GitHubGetWorkflow, &path).await?;
        let op = if paged { Op::EcrDescribeImages } else { other };
        let all = Op::ALL.iter().filter(|o| Op::parse(o.name()).is_some());
        // Op::EcsUpdateService in a comment
    "#;
    assert_eq!(
        operations_in(src, &the_table()),
        vec![
            "ecs:ListClusters",
            "logs:CreateLogStream",
            "logs:FilterLogEvents",
            "elasticloadbalancing:DescribeRules",
            "ecs:ListTasks",
            "github:GetWorkflow",
            "ecr:DescribeImages",
        ]
    );
}

#[test]
#[should_panic(expected = "Op::EcsDeleteService is not in")]
fn an_operation_the_table_does_not_know_is_reported() {
    operations_in(".within(&gate, Op::EcsDeleteService)", &the_table());
}

#[test]
fn the_table_of_operations_lists_exactly_those_called() {
    let called = operations_in_src();
    let table: BTreeSet<String> = Op::ALL.iter().map(|op| op.name().to_string()).collect();
    let stale: Vec<&String> = table.difference(&called).collect();
    assert!(
        stale.is_empty(),
        "{TABLE} lists {stale:?}, which src never calls"
    );
}

#[test]
fn testing_md_lists_every_operation_src_calls_with_its_tests() {
    let called = operations_in_src();
    assert!(called.len() >= 40, "too few operations found: {called:?}");
    let rows = rows();
    let listed: BTreeSet<String> = rows.iter().map(|(op, _)| op.clone()).collect();
    let missing: Vec<&String> = called.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "src calls {missing:?}, which TESTING.md does not list: add a row and a test that \
         sends it through the real client (moto, the shim, Prism or replay)"
    );
    let gone: Vec<&String> = listed.difference(&called).collect();
    assert!(
        gone.is_empty(),
        "TESTING.md lists {gone:?}, which src no longer calls"
    );
    let mut problems = Vec::new();
    for (op, tests) in &rows {
        if tests.is_empty() {
            problems.push(format!("{op}: no test"));
        }
        let short = op.split_once(':').map_or(op.as_str(), |(_, o)| o);
        for t in tests {
            match test_body(t) {
                Ok(body) if body.contains(short) => {}
                Ok(_) => problems.push(format!("{op}: {t} never mentions {short}")),
                Err(why) => problems.push(format!("{op}: {t}: {why}")),
            }
        }
    }
    assert!(problems.is_empty(), "TESTING.md:\n{}", problems.join("\n"));
}
