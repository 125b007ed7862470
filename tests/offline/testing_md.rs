//! TESTING.md must stay true: it lists every AWS operation `src` calls, and for each the tests
//! that send it through the real client. The operations are read from `src` itself: every
//! `Op::Name` given to `.within(&gate, ..)`, to the budget's `acquire(..)` or to
//! `gate.fail(..)`, which every AWS call goes through, named as the one table of operations
//! (`src/model/op.rs`) names it. So a new call without a row fails here, and so does a row
//! naming a test that does not exist, is not a test, is not in its binary, or never mentions
//! the operation, and an AWS operation in the table that `src` never calls.

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

/// The table of operations: each `Op` variant and its name (`EcsListServices` →
/// `ecs:ListServices`), from the rows `Variant => "service:Operation",` of `src/model/op.rs`.
fn op_table(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let (variant, name) = l.trim().split_once(" => \"")?;
            let name = name.strip_suffix("\",")?;
            let is_ident = variant.chars().all(|c| c.is_ascii_alphanumeric());
            (is_ident && name.contains(':')).then(|| (variant.to_string(), name.to_string()))
        })
        .collect()
}

fn the_op_table() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("src/model/op.rs")).expect("src/model/op.rs");
    op_table(&text)
}

/// The operations named in the calls of `text` that send or budget a request, by the table.
fn operations_in(text: &str, table: &BTreeMap<String, String>) -> Vec<String> {
    // A file's unit tests (its `#[cfg(test)]` module, at the end) make no calls of the product.
    let text = &text[..text.find("#[cfg(test)]").unwrap_or(text.len())];
    let mut out = Vec::new();
    for call in ["within(", "acquire(", "gate.fail("] {
        for (at, _) in text.match_indices(call) {
            let args = &text[at + call.len()..];
            let args = &args[..args.find(')').unwrap_or(args.len())];
            let Some((_, after)) = args.split_once("Op::") else {
                continue;
            };
            let variant: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            match table.get(&variant) {
                Some(name) => out.push(name.clone()),
                None => panic!("Op::{variant} is not in src/model/op.rs's table"),
            }
        }
    }
    out
}

fn operations_in_src(table: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files
        .iter()
        .flat_map(|f| operations_in(&std::fs::read_to_string(f).expect("read source"), table))
        .collect()
}

/// What is wrong between the operations `src` calls and the rows of TESTING.md: a call
/// without a row, a row for an operation no longer called.
fn mismatches(called: &BTreeSet<String>, listed: &BTreeSet<String>) -> Vec<String> {
    let missing = called.difference(listed).map(|op| {
        format!(
            "src calls {op}, which TESTING.md does not list: add a row and a test that sends it \
             through the real client (moto, the shim or replay)"
        )
    });
    let gone = listed
        .difference(called)
        .map(|op| format!("TESTING.md lists {op}, which src no longer calls"));
    missing.chain(gone).collect()
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
fn the_operations_are_read_from_the_calls_by_the_table() {
    let table = op_table(
        r#"
        EcsListClusters => "ecs:ListClusters",
        ElbDescribeRules => "elasticloadbalancing:DescribeRules",
        LogsCreateLogStream => "logs:CreateLogStream",
        LogsFilterLogEvents => "logs:FilterLogEvents",
        StsGetCallerIdentity => "sts:GetCallerIdentity",
        pub fn name(self) -> &'static str {
    "#,
    );
    assert_eq!(table.len(), 5, "{table:?}");
    let src = r#"
        .send()
        .within(&self.gate, Op::EcsListClusters)
        f.gate.acquire(Op::LogsCreateLogStream).await;
        Err(e) => return Err(self.gate.fail(Op::LogsFilterLogEvents, e)),
        .within(
            gate,
            Op::ElbDescribeRules,
        )
        tracing::warn!(op = %Op::StsGetCallerIdentity, "only mentioned");
    "#;
    assert_eq!(
        operations_in(src, &table),
        vec![
            "ecs:ListClusters",
            "elasticloadbalancing:DescribeRules",
            "logs:CreateLogStream",
            "logs:FilterLogEvents",
        ]
    );
}

#[test]
fn an_operation_called_without_a_row_is_reported() {
    let listed: BTreeSet<String> = ["ecs:ListServices".to_string()].into();
    let mut called = listed.clone();
    called.insert("ecs:DeleteService".into());
    let found = mismatches(&called, &listed);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("src calls ecs:DeleteService"),
        "{found:?}"
    );
    let found = mismatches(&listed, &called);
    assert!(found[0].contains("src no longer calls"), "{found:?}");
}

#[test]
fn testing_md_lists_every_operation_src_calls_with_its_tests() {
    let table = the_op_table();
    assert!(
        table.len() >= 40,
        "too few operations in the table: {table:?}"
    );
    let called = operations_in_src(&table);
    assert!(called.len() >= 20, "too few operations found: {called:?}");
    // The table names only what is called: every AWS operation in it is sent somewhere.
    let uncalled: Vec<&String> = table
        .values()
        .filter(|name| !name.starts_with("github:") && !called.contains(*name))
        .collect();
    assert!(
        uncalled.is_empty(),
        "src/model/op.rs lists {uncalled:?}, which src never calls"
    );
    let rows = rows();
    let listed: BTreeSet<String> = rows.iter().map(|(op, _)| op.clone()).collect();
    let wrong = mismatches(&called, &listed);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
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
