//! Notifications through the terminal, written between frames like the OSC 52 copy: the bell,
//! OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty) and OSC 777 (rxvt, foot, Ghostty), which
//! raise a desktop notification where the terminal runs, over SSH too. Inside tmux each goes
//! in its DCS passthrough (tmux needs `allow-passthrough on`).

use crate::state::notify::Notice;

/// Text safe inside an OSC string: no control characters (they would end or break it), and
/// no `;` in OSC 777's title (its separator).
fn clean(text: &str, semicolons: bool) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == ';' && !semicolons { ',' } else { c })
        .collect()
}

/// The bytes for `n`: BEL, OSC 9, OSC 777; each wrapped for tmux when `tmux`.
pub fn sequences(n: &Notice, tmux: bool) -> String {
    let title = clean(&n.title, false);
    let body = clean(&n.body, true);
    let osc9 = format!("\u{1b}]9;{}\u{7}", clean(&n.line(), true));
    let osc777 = format!("\u{1b}]777;notify;{title};{body}\u{7}");
    let wrap = |s: String| {
        if tmux {
            format!(
                "\u{1b}Ptmux;{}\u{1b}\\",
                s.replace('\u{1b}', "\u{1b}\u{1b}")
            )
        } else {
            s
        }
    };
    format!("\u{7}{}{}", wrap(osc9), wrap(osc777))
}

/// Writes them to the terminal.
pub fn notify(n: &Notice) {
    use std::io::Write;
    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    let mut out = std::io::stdout();
    if let Err(e) = out
        .write_all(sequences(n, tmux).as_bytes())
        .and_then(|()| out.flush())
    {
        tracing::warn!(error = %e, "could not send the notification to the terminal");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            title: "deckwatch: roll back a/b".into(),
            body: "job 1 stable; ok\u{7}".into(),
        }
    }

    #[test]
    fn bell_then_osc_9_then_osc_777() {
        assert_eq!(
            sequences(&notice(), false),
            "\u{7}\u{1b}]9;deckwatch: roll back a/b: job 1 stable; ok\u{7}\
             \u{1b}]777;notify;deckwatch: roll back a/b;job 1 stable; ok\u{7}"
        );
    }

    #[test]
    fn inside_tmux_each_goes_through_its_passthrough_with_escapes_doubled() {
        let s = sequences(&notice(), true);
        assert!(s.starts_with("\u{7}\u{1b}Ptmux;\u{1b}\u{1b}]9;"), "{s:?}");
        assert!(
            s.contains("\u{7}\u{1b}\\\u{1b}Ptmux;\u{1b}\u{1b}]777;notify;"),
            "{s:?}"
        );
        assert!(s.ends_with("\u{7}\u{1b}\\"), "{s:?}");
    }
}
