//! Decoding a FilterLogEvents answer the SDK could not: a lone UTF-16 surrogate escape in one
//! message (`"\ud800"`, which some loggers write) is replaced by U+FFFD, bytes that are not
//! UTF-8 likewise, and an event that still makes no sense is left out and counted; the rest
//! of the page is kept.

use crate::model::At;
use crate::model::{LogPage, RawEvent};
use serde_json::Value;

/// The page in `body`, or None when it is not a FilterLogEvents answer at all.
pub fn page(group: &str, body: &[u8]) -> Option<LogPage> {
    let text = String::from_utf8_lossy(body);
    let (fixed, _) = fix_surrogates(&text);
    let v: Value = serde_json::from_str(&fixed).ok()?;
    let events = v.get("events")?.as_array()?;
    let mut page = LogPage {
        next: v
            .get("nextToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        ..LogPage::default()
    };
    for e in events {
        let event = (|| {
            Some(RawEvent {
                group: group.to_string(),
                stream: e.get("logStreamName")?.as_str()?.to_string(),
                at: At(e.get("timestamp")?.as_i64()?),
                ingested: At(e.get("ingestionTime").and_then(Value::as_i64).unwrap_or(0)),
                message: e.get("message")?.as_str()?.to_string(),
            })
        })();
        match event {
            Some(ev) => {
                if ev.message.contains('\u{fffd}') {
                    page.undecodable.push(ev.id());
                }
                page.events.push(ev);
            }
            None => page.undecodable.push(left_out_id(e)),
        }
    }
    Some(page)
}

/// The id of an event left out: its JSON text, the same on every read of it.
fn left_out_id(e: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    e.to_string().hash(&mut h);
    h.finish()
}

/// `text` with every `\uXXXX` escape of an unpaired surrogate replaced by `\ufffd` (the same
/// length), and how many were.
pub fn fix_surrogates(text: &str) -> (String, usize) {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut fixed = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        if b[i + 1] != b'u' {
            i += 2; // an escaped character, `\\` included
            continue;
        }
        let Some(unit) = hex4(b, i + 2) else {
            i += 2;
            continue;
        };
        let low_next = || b.get(i + 6) == Some(&b'\\') && b.get(i + 7) == Some(&b'u');
        match unit {
            0xD800..=0xDBFF if low_next() && hex4(b, i + 8).is_some_and(is_low) => i += 12,
            0xD800..=0xDFFF => {
                out[i..i + 6].copy_from_slice(b"\\ufffd");
                fixed += 1;
                i += 6;
            }
            _ => i += 6,
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes of the same length.
    (String::from_utf8(out).unwrap_or_default(), fixed)
}

fn is_low(u: u32) -> bool {
    (0xDC00..=0xDFFF).contains(&u)
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let s = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        let (t, n) = fix_surrogates(r#"{"m":"a\ud800b \ud83d\ude00 \udc00 \\ud800"}"#);
        assert_eq!(n, 2);
        assert_eq!(t, r#"{"m":"a\ufffdb \ud83d\ude00 \ufffd \\ud800"}"#);
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v["m"], "a\u{fffd}b 😀 \u{fffd} \\ud800");
    }

    #[test]
    fn one_bad_event_is_kept_marked_and_a_broken_one_is_skipped() {
        let body = br#"{"events":[
            {"logStreamName":"ecs/app/t1","timestamp":1,"ingestionTime":2,"message":"ok","eventId":"1"},
            {"logStreamName":"ecs/app/t1","timestamp":2,"message":"bad \ud800 here","eventId":"2"},
            {"logStreamName":"ecs/app/t1","message":"no time","eventId":"3"}
        ],"nextToken":"n1"}"#;
        let p = page("g", body).unwrap();
        let msgs: Vec<&str> = p.events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs, vec!["ok", "bad \u{fffd} here"]);
        assert_eq!(p.undecodable.len(), 2);
        // The same event read again has the same id.
        assert_eq!(page("g", body).unwrap().undecodable, p.undecodable);
        assert_eq!(p.next.as_deref(), Some("n1"));
        assert!(page("g", b"<html>").is_none());
    }
}
