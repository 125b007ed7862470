//! Property tests: the config and theme parsers never panic whatever bytes they are given,
//! and the sanitiser lets no control, escape, bidi, zero-width, line-separator or flag
//! character through: not in a field, nor in a log line, what `:save` writes of it or what `y`
//! copies of it.

use deckwatch::config::Config;
use deckwatch::files::textfile;
use deckwatch::model::At;
use deckwatch::model::text::{clean, clean_with, is_safe};
use deckwatch::model::{Alarm, AlarmKind, AlarmState, Clean, LogChunk};
use deckwatch::state::logs::{LogBuffer, export_line};
use deckwatch::theme::Themes;
use proptest::prelude::*;

/// Characters a hostile string is made of: anything, with the dangerous ones often.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        1 => prop::sample::select(vec![
            '\u{1b}', '\u{9b}', '\u{7}', '\u{0}', '\r', '\n', '\t', '\u{7f}', '\u{85}',
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{FEFF}', '\u{2028}',
            '\u{2029}', '\u{1F1E9}', '\u{1F1EA}', '\u{1F1FF}', '\u{200B}', '\u{200C}',
            '\u{200D}', '\u{2060}', '\u{2064}', '\u{00AD}', '\u{034F}', '\u{180E}', '\u{3164}',
            '\u{FE0F}', '\u{FFA0}', '\u{E0041}', '\u{E0100}', '\u{1D173}', '\u{1BCA0}',
        ]),
        2 => prop::char::range('a', 'z'),
    ]
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..80).prop_map(|v| v.into_iter().collect())
}

/// What must never reach the terminal: controls, line and paragraph separators, flag halves,
/// and Unicode's default-ignorable code points (DerivedCoreProperties.txt), which draw nothing
/// and make look-alike names.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{2028}' | '\u{2029}' | '\u{1F1E6}'..='\u{1F1FF}'
            | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Config-shaped text: keys and values of the real schema with hostile bits in between.
fn configish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "theme = ",
        "read_only = ",
        "[poll]\n",
        "fast_secs = ",
        "[[context]]\n",
        "name = ",
        "accent = ",
        "region = ",
        "[budget]\n",
        "\"ecs:X\" = ",
        "[logs]\n",
        "max_bytes = ",
        "\"",
        "\n",
        "0",
        "-1",
        "1e400",
        "true",
        "[",
        "]",
        "=",
        "#",
        "'''",
        "\\u{0}",
        "inf",
        "nan",
        "{",
        "}",
        ",",
        "default_context = ",
        "endpoint_url = ",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_string), hostile_string()],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_sanitiser_leaves_nothing_unsafe(s in hostile_string()) {
        let out = clean(&s);
        prop_assert!(!out.chars().any(unsafe_char), "{out:?}");
        prop_assert!(out.chars().all(is_safe));
        // Cleaning twice changes nothing, and what was safe stays as it was.
        prop_assert_eq!(clean(&out), out.clone());
        let multi = clean_with(&s, true);
        prop_assert!(!multi.chars().any(|c| c != '\n' && unsafe_char(c)), "{multi:?}");
    }

    #[test]
    fn a_log_line_what_save_writes_and_what_y_copies_hold_nothing_unsafe(s in hostile_string()) {
        let mut chunk = LogChunk::default();
        let tag = chunk.tag_index(&Default::default());
        chunk.push(At(1_790_000_000_000), tag, &s);
        let mut buf = LogBuffer::new(100, 1 << 20);
        let seqs = buf.append(&chunk);
        let line = buf.get(seqs.start).expect("the line");
        prop_assert!(!line.message.chars().any(|c| c != '\n' && unsafe_char(c)), "{:?}", line.message);
        // `:save` writes, and `y` copies, this text.
        let exported = export_line(&line);
        prop_assert!(!exported.chars().any(|c| c != '\n' && unsafe_char(c)), "{exported:?}");
        // The same rule as every other string: one line cleaned the same way.
        prop_assert_eq!(line.message.replace('\n', ""), clean(&s.replace('\n', "")));
    }

    #[test]
    fn a_cleaned_alarm_holds_nothing_unsafe(name in hostile_string(), reason in hostile_string()) {
        let a = Alarm {
            name,
            kind: AlarmKind::Metric,
            state: AlarmState::parse("ALARM"),
            reason,
            updated_at: At(0),
            spec: Default::default(),
        }
        .cleaned();
        prop_assert!(!a.name.chars().chain(a.reason.chars()).any(unsafe_char));
    }

    #[test]
    fn an_unknown_wire_value_is_cleaned_as_it_is_parsed(s in hostile_string()) {
        let state = AlarmState::parse(&s);
        prop_assert!(!state.as_str().chars().any(unsafe_char));
    }

    #[test]
    fn config_parsing_never_panics_on_text(text in configish()) {
        let _ = Config::parse("p.toml", &text);
    }

    #[test]
    fn config_reading_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = textfile::text(bytes) {
            let _ = Config::parse("p.toml", &text);
        }
    }
}

proptest! {
    // Each case writes files: fewer cases.
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn theme_loading_never_panics(
        a in prop::collection::vec(any::<u8>(), 0..200),
        b in configish(),
        parent in prop::sample::select(vec!["a", "b", "dark", "nope", ""]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), &a).unwrap();
        let b = format!("inherits = \"{parent}\"\n[colors]\nok = \"red\"\n{b}");
        std::fs::write(dir.path().join("b.toml"), b).unwrap();
        let t = Themes::load(Some(dir.path())).unwrap();
        // The built-in themes always stay.
        prop_assert!(t.get("dark").is_some());
        for w in t.warnings() {
            prop_assert!(!w.chars().any(unsafe_char), "{w:?}");
        }
    }
}
