//! `:describe`: what the console asks to see as the API returned it, and the answer's body
//! laid out for reading. The layout only adds line breaks and indentation between tokens: keys
//! keep their order and numbers their digits, so what is shown is what was sent. Every line is
//! cleaned (no control or escape character reaches the screen) and the document is bounded.

use crate::model::text::clean;
use crate::model::{Op, RunRef, ServiceKey, TaskDefRef};

/// The most of a body the view keeps; the rest is left out, and the view says so.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// The most lines the view keeps.
pub const MAX_LINES: usize = 20_000;

/// What `:describe` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DescribeTarget {
    Service(ServiceKey),
    Task { cluster: String, arn: String },
    TaskDef(TaskDefRef),
    Image { repository: String, digest: String },
    Alarm(String),
    Run(RunRef),
}

impl DescribeTarget {
    /// What the view's title calls it.
    pub fn label(&self) -> String {
        match self {
            DescribeTarget::Service(k) => format!("service {k}"),
            DescribeTarget::Task { arn, .. } => {
                format!("task {}", arn.rsplit('/').next().unwrap_or(arn))
            }
            DescribeTarget::TaskDef(td) => format!("task definition {td}"),
            DescribeTarget::Image { repository, digest } => format!("image {repository}@{digest}"),
            DescribeTarget::Alarm(name) => format!("alarm {name}"),
            DescribeTarget::Run(r) => format!("run {} of {}", r.id, r.repo),
        }
    }
}

/// The wire format of the body, as the API sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawFormat {
    Json,
    /// awsQuery APIs (CloudWatch, Elastic Load Balancing) answer in XML.
    Xml,
}

impl RawFormat {
    pub fn name(self) -> &'static str {
        match self {
            RawFormat::Json => "JSON",
            RawFormat::Xml => "XML",
        }
    }
}

/// A describe call's answer, laid out, cleaned and bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDoc {
    /// The call that answered, as the budget names it (`ecs:DescribeServices`).
    pub operation: String,
    pub format: RawFormat,
    pub lines: Vec<String>,
    /// The body's size as returned.
    pub bytes: usize,
    /// Part of the body was left out (over [`MAX_BODY_BYTES`] or [`MAX_LINES`]).
    pub cut: bool,
}

impl RawDoc {
    /// Lays out `body` as `format` says, cleaning and bounding it.
    pub fn from_body(operation: Op, format: RawFormat, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let mut end = text.len().min(MAX_BODY_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let kept = &text[..end];
        let laid = match format {
            RawFormat::Json => layout_json(kept),
            RawFormat::Xml => layout_xml(kept),
        };
        let mut lines: Vec<String> = laid.lines().map(clean).collect();
        let mut cut = end < text.len();
        if lines.len() > MAX_LINES {
            lines.truncate(MAX_LINES);
            cut = true;
        }
        Self {
            operation: operation.name().to_string(),
            format,
            lines,
            bytes: body.len(),
            cut,
        }
    }
}

/// JSON with a line per member and two spaces per level. Only whitespace outside strings is
/// changed; a body that is not JSON comes out broken at its brackets, not rewritten.
pub fn layout_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                skip_space(&mut chars);
                if matches!(chars.peek(), Some('}' | ']')) {
                    continue; // an empty object or array stays on its line
                }
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                if !out.ends_with(['{', '[']) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_space(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n("  ", depth));
}

/// One piece of an XML body: a tag (with its angle brackets) or the text between tags.
enum Piece<'a> {
    Open(&'a str),
    Close(&'a str),
    /// `<x/>`, `<?xml ...?>`, `<!-- ... -->`.
    Single(&'a str),
    Text(&'a str),
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(start) = rest.find('<') else {
            out.push(Piece::Text(rest));
            break;
        };
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let tag_end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..tag_end];
        out.push(if tag.starts_with("</") {
            Piece::Close(tag)
        } else if tag.ends_with("/>") || tag.starts_with("<?") || tag.starts_with("<!") {
            Piece::Single(tag)
        } else {
            Piece::Open(tag)
        });
        rest = &rest[tag_end..];
    }
    out
}

/// XML with an element per line and two spaces per level; an element holding only text stays
/// on one line (`<State>OK</State>`). Text is kept as sent, entities included.
pub fn layout_xml(text: &str) -> String {
    let pieces = pieces(text);
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut i = 0;
    while i < pieces.len() {
        match (&pieces[i], pieces.get(i + 1), pieces.get(i + 2)) {
            (Piece::Open(o), Some(Piece::Text(t)), Some(Piece::Close(c))) => {
                line(&mut out, depth, &[o, t.trim(), c]);
                i += 3;
                continue;
            }
            (Piece::Open(o), Some(Piece::Close(c)), _) => {
                line(&mut out, depth, &[o, c]);
                i += 2;
                continue;
            }
            (Piece::Open(o), ..) => {
                line(&mut out, depth, &[o]);
                depth += 1;
            }
            (Piece::Close(c), ..) => {
                depth = depth.saturating_sub(1);
                line(&mut out, depth, &[c]);
            }
            (Piece::Single(s), ..) => line(&mut out, depth, &[s]),
            (Piece::Text(t), ..) if !t.trim().is_empty() => line(&mut out, depth, &[t.trim()]),
            (Piece::Text(_), ..) => {}
        }
        i += 1;
    }
    out
}

fn line(out: &mut String, depth: usize, parts: &[&str]) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.extend(std::iter::repeat_n("  ", depth));
    parts.iter().for_each(|p| out.push_str(p));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_laid_out_without_reordering_or_rewriting_values() {
        let body = br#"{"b":1.50,"a":[],"c":{"s":"x,{y}: \"z\""},"d":[1,{"e":null}]}"#;
        let doc = RawDoc::from_body(Op::EcsDescribeServices, RawFormat::Json, body);
        assert_eq!(
            doc.lines,
            vec![
                "{",
                "  \"b\": 1.50,",
                "  \"a\": [],",
                "  \"c\": {",
                "    \"s\": \"x,{y}: \\\"z\\\"\"",
                "  },",
                "  \"d\": [",
                "    1,",
                "    {",
                "      \"e\": null",
                "    }",
                "  ]",
                "}",
            ]
        );
        assert!(!doc.cut);
        assert_eq!(doc.bytes, body.len());
    }

    #[test]
    fn xml_puts_an_element_per_line_and_text_beside_its_tags() {
        let body = br#"<?xml version="1.0"?><R xmlns="x"><A><member><N>a &amp; b</N><E/></member></A><M></M></R>"#;
        let doc = RawDoc::from_body(Op::CloudWatchDescribeAlarms, RawFormat::Xml, body);
        assert_eq!(
            doc.lines,
            vec![
                "<?xml version=\"1.0\"?>",
                "<R xmlns=\"x\">",
                "  <A>",
                "    <member>",
                "      <N>a &amp; b</N>",
                "      <E/>",
                "    </member>",
                "  </A>",
                "  <M></M>",
                "</R>",
            ]
        );
    }

    #[test]
    fn escapes_never_reach_the_lines_and_a_long_body_is_cut_and_says_so() {
        let body = "{\"a\":\"\u{1b}[31mred\u{1b}[0m\"}";
        let doc = RawDoc::from_body(Op::EcsDescribeTasks, RawFormat::Json, body.as_bytes());
        assert!(doc.lines.iter().all(|l| !l.contains('\u{1b}')));
        let long = format!("[{}1]", "1,".repeat(MAX_BODY_BYTES));
        let doc = RawDoc::from_body(Op::EcsDescribeTasks, RawFormat::Json, long.as_bytes());
        assert!(doc.cut);
        assert_eq!(doc.lines.len(), MAX_LINES);
        assert_eq!(doc.bytes, long.len());
    }
}
