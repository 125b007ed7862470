//! `deckwatch man`: the man page, from the command line's own definitions (clap_mangen), the
//! key table that drives the help (`keymap`), and the config structs the example file is read
//! into (through their JSON Schema, `config_schema::key_docs`), so none of it is written twice.

use super::config_schema::key_docs;
use super::{CommandError, output};
use crate::keys::{Binding, Keymap, Layer, Reach, WORDS};
use crate::keys::{Section, action_name};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

/// Prints the page for `cmd`, the whole command line.
pub fn run(cmd: clap::Command) -> Result<(), CommandError> {
    let page = render(cmd)?;
    output::print(&String::from_utf8_lossy(&page))
}

/// The page, in roff.
pub fn render(cmd: clap::Command) -> Result<Vec<u8>, std::io::Error> {
    let version = cmd.get_version().unwrap_or_default().to_string();
    let man = Man::new(cmd.clone())
        .title("DECKWATCH")
        .section("1")
        .source(format!("deckwatch {version}"))
        .manual("deckwatch manual");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::default();
    commands(&mut roff, &cmd, "deckwatch");
    keys(&mut roff);
    palette(&mut roff);
    configuration(&mut roff);
    exit_status(&mut roff);
    files(&mut roff);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Each subcommand with its usage, what it does and its own flags.
fn commands(roff: &mut Roff, cmd: &clap::Command, prefix: &str) {
    if prefix == "deckwatch" {
        roff.control("SH", ["COMMANDS"]);
        roff.text([roman(
            "With no command, deckwatch runs the console. Each command below answers once and \
             exits; none of them changes anything in AWS.",
        )]);
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{prefix} {}", sub.get_name());
        if sub.has_subcommands() {
            commands(roff, sub, &name);
            continue;
        }
        roff.control("SS", [name.as_str()]);
        let usage = sub.clone().bin_name(&name).render_usage().to_string();
        roff.text([bold(usage.trim_start_matches("Usage: ").to_string())]);
        roff.control("PP", []);
        let about = sub.get_long_about().or(sub.get_about());
        roff.text([roman(about.map(|a| a.to_string()).unwrap_or_default())]);
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            let Some(help) = arg.get_help() else { continue };
            roff.control("TP", []);
            roff.text([bold(flag_text(arg))]);
            roff.text([roman(help.to_string())]);
        }
    }
}

/// `--until stable|hook|done`, `--cluster NAME`, `--json`, `SERVICE`.
fn flag_text(arg: &clap::Arg) -> String {
    let takes = arg.get_action().takes_values();
    let choices: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    let value = if !choices.is_empty() {
        choices.join("|")
    } else {
        arg.get_value_names()
            .map(|v| v.join(" "))
            .unwrap_or_else(|| arg.get_id().as_str().to_uppercase())
    };
    match arg.get_long() {
        Some(l) if takes => format!("--{l} {value}"),
        Some(l) => format!("--{l}"),
        None => value,
    }
}

/// Where a layer's bindings are named in the config, and how the page titles it.
fn layer_title(layer: Layer) -> &'static str {
    match layer {
        Layer::Normal => "On the panes",
        Layer::Filter => "Typing a filter (/)",
        Layer::Palette => "In the command palette (:)",
        Layer::Scale => "Typing a desired count (S)",
        Layer::Confirm => "In a confirmation dialog",
        Layer::ConfirmTyped => "In a production dialog (the service's name is typed)",
        Layer::Overlay => "In the help, detail, diff and events popups",
        Layer::BuildForm => "In the build dialog (B)",
        Layer::BuildEdit => "Typing into a build dialog's field",
        Layer::ExecDialog => "In the exec dialog (E)",
        Layer::Terminal => "Typing into an exec session's pane",
    }
}

const LAYERS: [Layer; 11] = [
    Layer::Normal,
    Layer::Filter,
    Layer::Palette,
    Layer::Scale,
    Layer::Confirm,
    Layer::ConfirmTyped,
    Layer::Overlay,
    Layer::BuildForm,
    Layer::BuildEdit,
    Layer::ExecDialog,
    Layer::Terminal,
];

/// The default key table, mode by mode, each key with what it does, where it applies and the
/// name `[keys]` rebinds it by.
fn keys(roff: &mut Roff) {
    roff.control("SH", ["KEYS"]);
    roff.text([roman(
        "The default keys. `deckwatch keys` prints the keys in effect, with the config's [keys] \
         over these. Ctrl-C always quits.",
    )]);
    let map = Keymap::default();
    for layer in LAYERS {
        roff.control("SS", [layer_title(layer)]);
        for b in map.layer(layer) {
            roff.control("TP", []);
            roff.text([bold(b.label.clone())]);
            roff.text([roman(binding_text(layer, b))]);
        }
    }
}

fn binding_text(layer: Layer, b: &Binding) -> String {
    let reach = match b.reach {
        Reach::Everywhere => String::new(),
        Reach::Pane(p) => format!(" (on the {} pane)", p.title()),
        Reach::RolloutView => " (in the rollout view)".into(),
    };
    let config = Section::ALL
        .into_iter()
        .find(|s| s.layer() == layer && s.owns(b))
        .zip(action_name(&b.command))
        .map(|(s, name)| format!("; [keys.{}] {name}", s.name()))
        .unwrap_or_default();
    format!("{}{reach}{config}", b.help)
}

/// The palette's words (`:` then the word).
fn palette(roff: &mut Roff) {
    roff.control("SH", ["PALETTE COMMANDS"]);
    for w in WORDS {
        roff.control("TP", []);
        roff.text([bold(format!(":{}", w.usage()))]);
        let aliases = if w.names.len() > 1 {
            format!(" (also :{})", w.names[1..].join(", :"))
        } else {
            String::new()
        };
        roff.text([roman(format!("{}{aliases}", w.help))]);
    }
}

/// Every key of the config file, from the structs it is read into.
fn configuration(roff: &mut Roff) {
    roff.control("SH", ["CONFIGURATION"]);
    roff.text([
        roman("The config file is TOML, read from "),
        italic("--config FILE"),
        roman(", DECKWATCH_CONFIG, or $XDG_CONFIG_HOME/deckwatch/config.toml. Every key is optional. "),
        roman("`deckwatch config check` reports every error with its line and column; "),
        roman("`deckwatch config schema` prints the JSON Schema editors use."),
    ]);
    for k in key_docs() {
        roff.control("TP", []);
        let default = k
            .default
            .map(|d| format!(", default {d}"))
            .unwrap_or_default();
        roff.text([bold(k.path), roman(format!(" ({}{default})", k.kind))]);
        roff.text([roman(k.description)]);
    }
}

fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    let rows = [
        (
            "0",
            "the console quit; a command answered; wait: the state was reached",
        ),
        (
            "1",
            "config check: an error was found; wait: the rollout failed or was rolled back",
        ),
        (
            "2",
            "a bad flag, config, theme or argument (no such service or context); the console could not start",
        ),
        ("3", "wait: the timeout passed"),
        (
            "4",
            "status and wait: credentials, permissions or AWS errors",
        ),
        (
            "128+N",
            "the console was ended by signal N (143 for SIGTERM)",
        ),
    ];
    for (code, what) in rows {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(what)]);
    }
}

fn files(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    let rows = [
        ("$XDG_CONFIG_HOME/deckwatch/config.toml", "the config file"),
        ("$XDG_CONFIG_HOME/deckwatch/themes/NAME.toml", "user themes"),
        (
            "$XDG_DATA_HOME/deckwatch/audit.jsonl",
            "the audit log, read by `deckwatch audit`",
        ),
    ];
    for (file, what) in rows {
        roff.control("TP", []);
        roff.text([italic(file)]);
        roff.text([roman(what)]);
    }
}
