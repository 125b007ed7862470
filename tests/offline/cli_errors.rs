//! Bad input on the command line, in the config file or in a theme file gives one clear line
//! on stderr and exit status 2, never a stack trace.

use std::path::Path;
use std::process::{Command, Output};

fn deckwatch(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deckwatch"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .output()
        .expect("run deckwatch")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_clear_failure(o: &Output, expected: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Backtrace"),
        "a stack dump:\n{err}"
    );
    assert_eq!(
        err.trim().lines().count(),
        1,
        "one line, not a report:\n{err}"
    );
}

#[test]
fn an_unknown_config_key_names_file_line_and_column() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("bad.toml");
    std::fs::write(&cfg, "theme = \"dark\"\n\n[poll]\nfast_sec = 3\n").unwrap();
    let out = deckwatch(home.path(), &["--demo", "--config", cfg.to_str().unwrap()]);
    assert_clear_failure(
        &out,
        &format!(
            "config error: {}:4:1: unknown field `fast_sec`",
            cfg.display()
        ),
    );
}

#[test]
fn a_config_type_error_names_file_line_and_column() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("bad.toml");
    std::fs::write(&cfg, "[[context]]\nname = \"prod\"\nprod = \"yes\"\n").unwrap();
    let out = deckwatch(home.path(), &["--demo", "--config", cfg.to_str().unwrap()]);
    assert_clear_failure(
        &out,
        &format!(
            "config error: {}:3:8: invalid type: string \"yes\", expected a boolean",
            cfg.display()
        ),
    );
}

#[test]
fn the_config_is_found_through_deckwatch_config() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("env.toml");
    std::fs::write(&cfg, "read_only = maybe\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_deckwatch"))
        .args(["--demo"])
        .env_clear()
        .env("HOME", home.path())
        .env("DECKWATCH_CONFIG", &cfg)
        .output()
        .unwrap();
    assert_clear_failure(&out, &format!("config error: {}:1:13:", cfg.display()));
}

#[test]
fn a_named_config_file_that_does_not_exist_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let out = deckwatch(
        home.path(),
        &["--demo", "--config", "/nonexistent/deckwatch.toml"],
    );
    assert_clear_failure(
        &out,
        "config error: /nonexistent/deckwatch.toml: No such file or directory",
    );
}

#[test]
fn a_bad_user_theme_names_the_file_and_the_role() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/deckwatch/themes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.toml"), "[colors]\nalarm = \"blood\"\n").unwrap();
    let out = deckwatch(home.path(), &["--demo", "--theme", "mine"]);
    assert_clear_failure(&out, "theme error:");
    assert!(
        stderr(&out).contains("mine.toml: alarm: \"blood\" is not a colour"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unknown_theme_lists_the_known_ones() {
    let home = tempfile::tempdir().unwrap();
    let out = deckwatch(home.path(), &["--demo", "--theme", "neon"]);
    assert_clear_failure(
        &out,
        "no theme named \"neon\" (known: dark, high-contrast, light)",
    );
}

#[test]
fn an_unknown_flag_is_reported_by_name() {
    let home = tempfile::tempdir().unwrap();
    let out = deckwatch(home.path(), &["--demo", "--colour", "red"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument '--colour'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_and_version_describe_the_tool() {
    let home = tempfile::tempdir().unwrap();
    let help = deckwatch(home.path(), &["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--demo",
        "--profile",
        "--region",
        "--endpoint-url",
        "--cluster",
        "--read-only",
        "--config",
        "--theme",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}:\n{text}");
    }
    let version = deckwatch(home.path(), &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("deckwatch {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn aws_flags_with_demo_are_refused_not_ignored() {
    let home = tempfile::tempdir().unwrap();
    let out = deckwatch(home.path(), &["--demo", "--profile", "prod"]);
    assert_clear_failure(&out, "cannot be combined with --demo");
}
