//! The subcommands through the real binary: completion scripts that load in the shells
//! installed here and complete context names from the config, the man page rendered by man
//! (or groff), `config check` on the fixtures in tests/fixtures/config, the schema holding the
//! example config, `keys` read back unchanged, `status` and `wait` on the demo fleet, `audit`
//! on a log written as the runner writes it, and each subcommand's `--help`.

use crate::support::cli::Home;
use deckwatch::config::Config;
use deckwatch::keys::Keymap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A home whose default config is the example config (two contexts: staging and prod).
fn home_with_example() -> Home {
    let home = Home::new();
    home.write(
        "config/deckwatch/config.toml",
        include_str!("../../config.example.toml"),
    );
    home
}

fn script(home: &Home, shell: &str) -> PathBuf {
    let ran = home.run(&["completions", shell], &[]);
    ran.expect_code(0);
    assert!(
        ran.stdout().contains("DECKWATCH_COMPLETE"),
        "{}",
        ran.stdout()
    );
    home.write(&format!("completion.{shell}"), &ran.stdout())
}

/// Runs `shell` with `args`, with the test's home (so the script's callback reads its config).
fn shell(home: &Home, shell: &str, args: &[&str]) -> std::process::Output {
    Command::new(shell)
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .expect("run the shell")
}

#[test]
fn the_bash_script_loads_and_completes_context_names_from_the_config() {
    let home = home_with_example();
    let path = script(&home, "bash");
    let checked = shell(&home, "bash", &["-n", path.to_str().unwrap()]);
    assert!(checked.status.success(), "{checked:?}");
    // What bash does on Tab after `deckwatch status --context `: the function the script
    // registered fills COMPREPLY by calling deckwatch back.
    let probe = format!(
        "source {}; COMP_WORDS=(deckwatch status --context ''); COMP_CWORD=3; \
         _clap_complete_deckwatch deckwatch '' --context; printf '%s\\n' \"${{COMPREPLY[@]}}\"; \
         COMP_WORDS=(deckwatch wa); COMP_CWORD=1; _clap_complete_deckwatch deckwatch wa deckwatch; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let out = shell(&home, "bash", &["-c", &probe]);
    let words: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(words, ["staging", "prod", "wait"], "{out:?}");
}

#[test]
fn the_zsh_and_fish_scripts_load_and_fish_completes_context_names() {
    let home = home_with_example();
    for sh in ["zsh", "fish"] {
        if !installed(sh) {
            eprintln!("{sh} is not installed: its script is not checked (apt-get install {sh})");
            continue;
        }
        let path = script(&home, sh);
        let checked = shell(&home, sh, &["-n", path.to_str().unwrap()]);
        assert!(checked.status.success(), "{sh}: {checked:?}");
    }
    if installed("fish") {
        let path = home.path().join("completion.fish");
        let probe = format!(
            "source {}; complete -C 'deckwatch --context '",
            path.display()
        );
        let out = shell(&home, "fish", &["-c", &probe]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("staging\teu-west-1"), "{text}");
        assert!(text.contains("prod\teu-west-1, prod"), "{text}");
    }
}

#[test]
fn powershell_and_elvish_scripts_call_deckwatch_back() {
    let home = Home::new();
    for sh in ["powershell", "elvish"] {
        let ran = home.run(&["completions", sh], &[]);
        ran.expect_code(0);
        assert!(
            ran.stdout().contains(env!("CARGO_BIN_EXE_deckwatch")),
            "{sh}"
        );
    }
    let bad = home.run(&["completions", "tcsh"], &[]);
    bad.expect_code(2);
    assert!(
        bad.stderr()
            .contains("possible values: bash, zsh, fish, powershell, elvish")
    );
}

#[test]
fn the_man_page_renders_with_every_key_and_config_key() {
    let home = Home::new();
    let ran = home.run(&["man"], &[]);
    ran.expect_code(0);
    let page = home.write("deckwatch.1", &ran.stdout());
    let text = if installed("man") {
        let out = Command::new("man")
            .args(["-l", page.to_str().unwrap()])
            .env("MANWIDTH", "120")
            .env("MAN_KEEP_FORMATTING", "0")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("warning"), "man warns: {err}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        eprintln!("man is not installed: the page is checked as roff only");
        ran.stdout()
    };
    let text = strip_overstrike(&text);
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "COMMANDS",
        "KEYS",
        "PALETTE COMMANDS",
        "CONFIGURATION",
        "EXIT STATUS",
        "FILES",
    ] {
        assert!(
            text.contains(&format!("\n{section}\n")),
            "no {section} section:\n{text}"
        );
    }
    // Every action of every [keys] mode, from the key table itself.
    for mode in ["normal", "logs", "filter", "palette", "dialog", "overlay"] {
        for action in deckwatch::keys::actions_of(mode).unwrap() {
            let named = format!("[keys.{mode}] {action}");
            assert!(text.contains(&named), "the page lacks {named}");
        }
    }
    // Every key of the config, from the structs the example file is read into.
    for k in deckwatch::commands::config_schema::key_docs() {
        assert!(
            text.contains(&k.path),
            "the page lacks the config key {}",
            k.path
        );
    }
    for sub in [
        "deckwatch status",
        "deckwatch wait",
        "deckwatch config check",
        "deckwatch audit",
    ] {
        assert!(text.contains(sub), "the page lacks {sub}");
    }
}

/// man's bold and underline as backspace overstrikes, taken out.
fn strip_overstrike(s: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in s.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {kind} fixtures");
    files
}

#[test]
fn config_check_passes_the_valid_fixtures_and_the_example() {
    let home = Home::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    for file in fixtures("valid").into_iter().chain([example]) {
        let ran = home.run(&["config", "check", file.to_str().unwrap()], &[]);
        ran.expect_code(0);
        assert!(
            ran.stdout()
                .ends_with(&format!("{}: 0 errors, 0 warnings\n", file.display())),
            "{}",
            ran.stdout()
        );
    }
}

#[test]
fn config_check_reports_every_error_of_the_invalid_fixtures_where_it_is() {
    let home = Home::new();
    for file in fixtures("invalid") {
        let text = std::fs::read_to_string(&file).unwrap();
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        let ran = home.run(&["config", "check", file.to_str().unwrap()], &[]);
        ran.expect_code(1);
        let out = ran.stdout();
        let found: Vec<&str> = out
            .lines()
            .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
            .collect();
        for e in &expected {
            let want = format!("{}:{e}", file.display());
            assert!(
                found.iter().any(|l| l.starts_with(&want)),
                "{want}\nnot in:\n{out}"
            );
        }
        assert_eq!(found.len(), expected.len(), "{}:\n{out}", file.display());
        assert!(ran.stderr().contains("found"), "{}", ran.stderr());
    }
}

#[test]
fn config_check_reads_the_default_file_and_the_themes_beside_it() {
    let home = Home::new();
    let none = home.run(&["config", "check"], &[]);
    none.expect_code(0);
    assert!(
        none.stdout()
            .contains("no such file; the console starts with the defaults")
    );
    home.write("config/deckwatch/config.toml", "theme = \"mine\"\n");
    home.write(
        "config/deckwatch/themes/mine.toml",
        "[colors]\n\nalarm = \"blood\"\n",
    );
    home.write(
        "config/deckwatch/themes/other.toml",
        "inherits = \"nope\"\n",
    );
    let ran = home.run(&["config", "check"], &[]);
    ran.expect_code(1);
    let out = ran.stdout();
    assert!(
        out.contains("themes/mine.toml:3:1: error: theme mine:"),
        "the chosen theme's colour, placed in its file:\n{out}"
    );
    assert!(
        out.contains("themes/other.toml:1:1: warning: theme other cannot be used"),
        "{out}"
    );
    let named = home.run(&["config", "check", "/nonexistent/deckwatch.toml"], &[]);
    named.expect_code(1);
    assert!(
        named
            .stdout()
            .contains("/nonexistent/deckwatch.toml: error:"),
        "{}",
        named.stdout()
    );
}

/// A TOML file as the JSON a JSON Schema validator reads.
fn toml_as_json(text: &str) -> serde_json::Value {
    let v: toml::Value = toml::from_str(text).unwrap();
    serde_json::to_value(v).unwrap()
}

#[test]
fn the_schema_holds_the_example_config_and_refuses_what_the_config_refuses() {
    let home = Home::new();
    let ran = home.run(&["config", "schema"], &[]);
    ran.expect_code(0);
    let schema: serde_json::Value = serde_json::from_str(&ran.stdout()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let example = toml_as_json(include_str!("../../config.example.toml"));
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    for file in fixtures("valid") {
        let doc = toml_as_json(&std::fs::read_to_string(&file).unwrap());
        assert!(validator.is_valid(&doc), "{}", file.display());
    }
    for bad in [
        "[poll]\nfast_sec = 3\n",
        "[poll]\nfast_secs = 0\n",
        "theme = 3\n",
        "[[context]]\nprofile = \"nameless\"\n",
        "[keys.normal]\npromte = \"P\"\n",
        "[keys.normal]\npromote = 3\n",
    ] {
        assert!(
            !validator.is_valid(&toml_as_json(bad)),
            "the schema lets through {bad:?}"
        );
    }
}

#[test]
fn keys_prints_the_table_in_effect_and_reads_back_unchanged() {
    let home = Home::new();
    let cfg = home.write(
        "mine.toml",
        "[keys.normal]\npromote = \"ctrl-p\"\ndown = [\"j\", \"Down\", \"ctrl-n\"]\n[keys.dialog]\nconfirm = \"Y\"\n",
    );
    let ran = home.run(&["keys", "--config", cfg.to_str().unwrap()], &[]);
    ran.expect_code(0);
    let printed = ran.stdout();
    assert!(printed.contains("promote = \"ctrl-p\""), "{printed}");
    assert!(
        printed.contains("down = [\"j\", \"Down\", \"ctrl-n\"]"),
        "{printed}"
    );
    assert!(
        printed.contains("[keys.dialog]\nconfirm = \"Y\""),
        "{printed}"
    );
    assert!(printed.contains("rollback = \"R\""), "a default: {printed}");
    // Fed back as the config, it changes nothing: the same table, with the same labels.
    let back = home.write("back.toml", &printed);
    let again = home.run(&["keys", "--config", back.to_str().unwrap()], &[]);
    again.expect_code(0);
    assert_eq!(again.stdout(), printed);
    let table = |text: &str| {
        let (map, warnings) = Keymap::with_overrides(&Config::parse("k.toml", text).unwrap().keys);
        assert!(warnings.is_empty(), "{warnings:?}");
        format!("{map:?}")
    };
    assert_eq!(
        table(&printed),
        table(&std::fs::read_to_string(&cfg).unwrap())
    );
    // Through DECKWATCH_CONFIG too, and the defaults with no config at all.
    let by_env = home.run(&["keys"], &[("DECKWATCH_CONFIG", cfg.to_str().unwrap())]);
    assert_eq!(by_env.stdout(), printed);
    let defaults = home.run(&["keys"], &[]);
    assert!(defaults.stdout().contains("promote = \"P\""));
}

#[test]
fn status_on_the_demo_answers_in_text_and_in_versioned_json() {
    let home = Home::new();
    let text = home.run(&["status", "--demo"], &[]);
    text.expect_code(0);
    let out = text.stdout();
    let header = out.lines().nth(1).unwrap();
    for col in [
        "SERVICE", "TASKS", "ROLLOUT", "VERDICT", "HOOK", "LAST", "ALARMS",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let checkout = out
        .lines()
        .find(|l| l.starts_with("prod-edge/checkout"))
        .unwrap();
    assert!(checkout.contains("CANARY PAUSED"), "{checkout}");
    assert!(
        checkout.contains("manual-promote-gate: auto-rollback in "),
        "{checkout}"
    );
    assert!(!checkout.contains(" in in "), "{checkout}");
    // The canary in flight is judged, its rule written out under the table.
    let verdict = out
        .lines()
        .find(|l| l.starts_with("verdict prod-edge/checkout  "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        ["PASS: ", "INCONCLUSIVE: ", "FAIL: "]
            .iter()
            .any(|v| verdict.contains(v)),
        "{verdict}"
    );
    assert!(verdict.contains("canary"), "{verdict}");
    assert!(
        !out.contains("verdict prod-core/api "),
        "a steady service has no verdict: {out}"
    );
    let json = home.run(
        &["--demo", "status", "--service", "checkout", "--json"],
        &[],
    );
    json.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["context"]["name"], "demo");
    let services = doc["services"].as_array().unwrap();
    assert_eq!(services.len(), 1);
    let s = &services[0];
    assert_eq!(s["name"], "checkout");
    assert_eq!(s["strategy"], "CANARY");
    assert_eq!(s["hook"]["id"], "manual-promote-gate");
    assert_eq!(s["hook"]["timeout_action"], "ROLLBACK");
    assert!(s["hook"]["seconds_left"].as_i64().unwrap() > 0);
    assert_eq!(s["rollout"]["native"]["status"], "IN_PROGRESS");
    assert_eq!(s["last_outcome"]["outcome"], "COMPLETED");
    let v = &s["verdict"];
    let word = v["verdict"].as_str().unwrap();
    assert!(["PASS", "INCONCLUSIVE", "FAIL"].contains(&word), "{v}");
    assert!(
        v["rule"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{word}: ")),
        "{v}"
    );
    assert!(v["soak"]["text"].is_string(), "{v}");
}

#[test]
fn status_and_wait_say_what_is_wrong_with_their_arguments() {
    // Without a config every demo cluster is read (the example's context reads staging only).
    let home = Home::new();
    let ambiguous = home.run(&["status", "--demo", "--service", "api"], &[]);
    ambiguous.expect_code(2);
    assert!(
        ambiguous
            .stderr()
            .contains("name one of prod-core/api, staging/api")
    );
    let missing = home.run(&["wait", "--demo", "nope"], &[]);
    missing.expect_code(2);
    assert!(
        missing.stderr().contains("no service named \"nope\""),
        "{}",
        missing.stderr()
    );
    let context = home_with_example().run(&["status", "--demo", "--context", "qa"], &[]);
    context.expect_code(2);
    assert!(
        context.stderr().contains("no context named \"qa\""),
        "{}",
        context.stderr()
    );
    let demo_and_aws = home.run(&["status", "--demo", "--region", "eu-west-1"], &[]);
    demo_and_aws.expect_code(2);
    let timeout = home.run(&["wait", "--demo", "web", "--timeout", "15"], &[]);
    timeout.expect_code(2);
    assert!(timeout.stderr().contains("is not a duration"));
    let hook = home.run(&["wait", "--demo", "prod-core/api", "--until", "hook"], &[]);
    hook.expect_code(2);
    assert!(
        hook.stderr().contains("has no lifecycle hooks"),
        "{}",
        hook.stderr()
    );
}

#[test]
fn wait_on_the_demo_reaches_the_hook_and_times_out_at_its_limit() {
    let home = Home::new();
    let hook = home.run(&["wait", "--demo", "checkout", "--until", "hook"], &[]);
    hook.expect_code(0);
    assert!(hook.stdout().contains("CANARY PAUSED"), "{}", hook.stdout());
    assert!(
        hook.stdout()
            .contains("✓ prod-edge/checkout: waiting at its PRE_PRODUCTION_TRAFFIC_SHIFT hook")
    );
    let stable = home.run(&["wait", "--demo", "checkout", "--timeout", "2s"], &[]);
    stable.expect_code(3);
    assert!(
        stable
            .stderr()
            .contains("deckwatch: checkout: not stable after 2s"),
        "{}",
        stable.stderr()
    );
    let already = home.run(&["wait", "--demo", "prod-core/web"], &[]);
    already.expect_code(0);
    assert!(
        already
            .stdout()
            .contains("✓ prod-core/web: stable on web:87"),
        "{}",
        already.stdout()
    );
}

fn audit_record(
    time: &str,
    phase: &str,
    service: &str,
    call: &str,
    outcome: serde_json::Value,
) -> String {
    serde_json::json!({
        "time": time, "phase": phase, "user": "alice", "os_user": {"uid": 1000},
        "aws_caller": "arn:aws:iam::123456789012:user/alice", "context": "prod",
        "profile": "prod", "region": "eu-west-1", "account": "123456789012",
        "cluster": "prod-core", "service": service, "action": "roll back", "call": call,
        "changes": [{"what": "task definition", "from": "api:118", "to": "api:117"}],
        "state_before": {}, "outcome": outcome,
    })
    .to_string()
}

#[test]
fn audit_prints_who_did_what_where_and_how_it_ended() {
    let home = Home::new();
    let now = chrono::Utc::now();
    let at = |mins: i64| (now - chrono::Duration::minutes(mins)).to_rfc3339();
    let call = "ecs:UpdateService(taskDefinition=api:117)";
    let lines = [
        audit_record(&at(60 * 30), "before", "old", call, serde_json::Value::Null),
        audit_record(&at(50), "before", "api", call, serde_json::Value::Null),
        audit_record(
            &at(49),
            "after",
            "api",
            call,
            serde_json::json!({"result": "ok"}),
        ),
        "{\"broken".to_string(),
        audit_record(
            &at(10),
            "refused",
            "web",
            call,
            serde_json::json!({"refused": ["task definition web:86 → web:87"]}),
        ),
        audit_record(&at(5), "before", "auth", call, serde_json::Value::Null),
        audit_record(
            &at(4),
            "after",
            "auth",
            call,
            serde_json::json!({"error": "access denied: ecs:UpdateService"}),
        ),
    ];
    home.write("data/deckwatch/audit.jsonl", &(lines.join("\n") + "\n"));
    let ran = home.run(&["audit"], &[]);
    ran.expect_code(0);
    let out = ran.stdout();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(
        rows.len(),
        4,
        "a header and three actions (the old one is before 24h):\n{out}"
    );
    assert!(rows[0].starts_with("TIME (UTC)"), "{out}");
    assert!(
        rows[1].contains("alice as arn:aws:iam::123456789012:user/alice"),
        "{out}"
    );
    assert!(
        rows[1].contains("prod 123456789012 eu-west-1 prod-core/api"),
        "{out}"
    );
    assert!(
        rows[1].contains("roll back") && rows[1].contains(" ok "),
        "{out}"
    );
    assert!(
        rows[2].contains("refused (refused: task definition web:86 → web:87)"),
        "{out}"
    );
    assert!(
        rows[3].contains("error (error: access denied: ecs:UpdateService)"),
        "{out}"
    );
    assert!(
        ran.stderr().contains("audit.jsonl:4: not an audit record"),
        "{}",
        ran.stderr()
    );
    let json = home.run(&["audit", "--since", "40d", "--json"], &[]);
    json.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    assert_eq!(doc["version"], 1);
    let outcomes: Vec<&str> = doc["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["unknown", "ok", "refused", "error"]);
    let recent = home.run(&["audit", "--since", "7m"], &[]);
    assert_eq!(recent.stdout().lines().count(), 2, "{}", recent.stdout());
    let empty = Home::new().run(&["audit"], &[]);
    empty.expect_code(0);
    assert!(
        empty.stdout().starts_with("no actions in "),
        "{}",
        empty.stdout()
    );
}

#[test]
fn each_subcommand_s_help_names_its_flags_and_its_exit_statuses() {
    let home = Home::new();
    let cases: [(&[&str], &[&str]); 8] = [
        (
            &["completions", "--help"],
            &["bash", "zsh", "fish", "powershell", "elvish"],
        ),
        (&["man", "--help"], &["man page"]),
        (
            &["config", "check", "--help"],
            &["[FILE]", "file:line:column", "Exit status 1"],
        ),
        (&["config", "schema", "--help"], &["JSON Schema"]),
        (&["keys", "--help"], &["--config", "[keys]"]),
        (
            &["status", "--help"],
            &[
                "--context",
                "--service",
                "--json",
                "--demo",
                "\"version\": 1",
            ],
        ),
        (
            &["wait", "--help"],
            &[
                "<SERVICE>",
                "--until",
                "stable",
                "hook",
                "done",
                "--timeout",
                "[default: 15m]",
                "3 the timeout passed",
                "4 credentials",
            ],
        ),
        (
            &["audit", "--help"],
            &["--since", "[default: 24h]", "--json"],
        ),
    ];
    for (args, words) in cases {
        let ran = home.run(args, &[]);
        ran.expect_code(0);
        for w in words {
            assert!(
                ran.stdout().contains(w),
                "{args:?} --help lacks {w}:\n{}",
                ran.stdout()
            );
        }
    }
}

#[test]
fn the_example_config_documents_every_key_the_schema_has() {
    let example = include_str!("../../config.example.toml");
    for k in deckwatch::commands::config_schema::key_docs() {
        let leaf = k.path.rsplit('.').next().unwrap().trim_end_matches("[]");
        let set = example.lines().any(|l| {
            let l = l.trim_start_matches('#').trim_start();
            l.strip_prefix(leaf)
                .or_else(|| l.strip_prefix(&format!("\"{leaf}\"")))
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        let table = example.contains(&format!("[{leaf}]"))
            || example.contains(&format!("[[{leaf}]]"))
            || example.contains(&format!("[{leaf}."));
        assert!(
            set || table,
            "config.example.toml does not document {}",
            k.path
        );
    }
}

#[test]
fn config_check_never_echoes_an_escape_from_the_file() {
    let home = Home::new();
    let cfg = home.write(
        "evil.toml",
        "[keys.normal]\n\"\u{1b}[2Jpromote\" = \"P\"\n[[context]]\nname = \"a\u{1b}]0;pwned\u{7}\"\nregion = \"x\u{1b}[31m\"\n",
    );
    let ran = home.run(&["config", "check", cfg.to_str().unwrap()], &[]);
    ran.expect_code(1);
    assert!(!ran.stdout().contains('\u{1b}'), "{:?}", ran.stdout());
    assert!(!ran.stdout().contains('\u{7}'), "{:?}", ran.stdout());
    let keys = home.run(&["keys", "--config", cfg.to_str().unwrap()], &[]);
    assert!(!keys.stderr().contains('\u{1b}'), "{:?}", keys.stderr());
}
