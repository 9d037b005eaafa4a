//! Escaping for the DOT language and for XML. graphviz-rust prints ids and attribute values
//! exactly as given, so every string that comes from a design goes through one of these.

/// Characters that no renderer can show and that XML 1.0 forbids; they become U+FFFD so the
/// output stays well-formed and the reader sees that something was there.
fn visible(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// Line breaks normalised to `\n`, other control characters replaced.
fn clean(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = s.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        Some(match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                '\n'
            }
            c if visible(c) => c,
            _ => '\u{FFFD}',
        })
    })
}

/// The body of a DOT double-quoted string: `"` and `\` escaped, so Graphviz sees the text as
/// written (a lone `\` would start an escape such as `\N` or `\l`), line breaks as `\n`.
pub fn quoted_body(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted_body(&mut out, s);
    out
}

/// Whether `s` holds nothing that any of the escapes here would change (most labels), so the
/// escapes can copy it whole instead of going character by character.
fn plain(s: &str) -> bool {
    let ascii_ok = !s
        .bytes()
        .any(|b| matches!(b, b'"' | b'\\' | b'&' | b'<' | b'>' | b'\'' | b']' | 0x7f) || b < 0x20);
    ascii_ok && (s.is_ascii() || !s.chars().any(char::is_control))
}

fn push_quoted_body(out: &mut String, s: &str) {
    if plain(s) {
        out.push_str(s);
        return;
    }
    for c in clean(s) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// A DOT double-quoted string, quotes included.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    out.push('"');
    push_quoted_body(&mut out, s);
    out.push('"');
    out
}

/// Text inside an HTML-like label: `& < > " ]` as entities, line breaks as `<BR/>`, tabs as
/// spaces. Empty text becomes a space: Graphviz rejects an empty `<B></B>` or `<FONT>` element,
/// and an empty label.
pub fn html(s: &str) -> String {
    if s.is_empty() {
        return " ".to_string();
    }
    entities(s, |c| match c {
        '\n' => Some("<BR/>"),
        // Graphviz's HTML lexer rejects a text of only tabs; a tab shows as a space anyway.
        '\t' => Some(" "),
        // Graphviz 2.43's HTML lexer rejects a text that starts with `]` (`<B>]</B>`).
        ']' => Some("&#93;"),
        _ => None,
    })
}

/// Text or an attribute value in XML (the built-in SVG renderer); line breaks are kept for the
/// caller to split on.
pub fn xml(s: &str) -> String {
    entities(s, |c| (c == '\'').then_some("&apos;"))
}

/// `& < > "` as entities, and what `also` says for the characters it knows.
fn entities(s: &str, also: impl Fn(char) -> Option<&'static str>) -> String {
    if plain(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in clean(s) {
        match (also(c), c) {
            (Some(text), _) => out.push_str(text),
            (None, '&') => out.push_str("&amp;"),
            (None, '<') => out.push_str("&lt;"),
            (None, '>') => out.push_str("&gt;"),
            (None, '"') => out.push_str("&quot;"),
            (None, c) => out.push(c),
        }
    }
    out
}

/// A field of a `shape=record` label: record syntax characters escaped as well as quoting.
/// (The exporter draws no records today; this is here so a future one cannot forget.)
pub fn record_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in quoted_body(s).chars() {
        if matches!(c, '<' | '>' | '{' | '}' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_escape_quotes_backslashes_and_newlines() {
        assert_eq!(quoted(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(
            quoted("one\ntwo\r\nthree\rfour"),
            r#""one\ntwo\nthree\nfour""#
        );
        assert_eq!(quoted("web-1"), "\"web-1\"");
        assert_eq!(quoted("10.0.0.1"), "\"10.0.0.1\"");
        assert_eq!(quoted("bell\u{7}"), "\"bell\u{FFFD}\"");
        assert_eq!(quoted("ünï ☺"), "\"ünï ☺\"");
    }

    #[test]
    fn html_of_nothing_is_a_space_graphviz_accepts() {
        assert_eq!(html(""), " ");
    }

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            html("R&D <b> \"x\"\ny"),
            "R&amp;D &lt;b&gt; &quot;x&quot;<BR/>y"
        );
    }

    #[test]
    fn xml_escapes_markup_and_drops_controls() {
        assert_eq!(xml("a<&>'\"\u{0}"), "a&lt;&amp;&gt;&apos;&quot;\u{FFFD}");
    }

    #[test]
    fn record_fields_escape_record_syntax() {
        assert_eq!(record_field("{a|<b>}"), r"\{a\|\<b\>\}");
    }
}
