//! Escaping for the DOT language and for XML. graphviz-rust prints ids and attribute values
//! exactly as given, so every string that comes from a design goes through one of these.

/// Characters that no renderer can show, that XML 1.0 forbids or Graphviz's XML parser refuses
/// (controls, U+FFFE and U+FFFF), and the other noncharacters (U+FDD0 to U+FDEF, the last two of
/// every plane), which Unicode reserves for a program's own use; they become U+FFFD so the
/// output stays well-formed and the reader sees that something was there.
fn visible(c: char) -> bool {
    let n = u32::from(c);
    let noncharacter = (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE;
    (!c.is_control() || c == '\n' || c == '\t') && !noncharacter
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
    ascii_ok && (s.is_ascii() || s.chars().all(visible))
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

/// A DOT string for a `tooltip`, quotes included. Graphviz reads a tooltip's backslashes
/// twice, once before it expands `\G`, `\N`, `\E`, `\T`, `\H` and `\L` and once after, so a
/// backslash of the text is written as four: the text shows as written and never expands.
pub fn tooltip(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    out.push('"');
    if plain(s) {
        out.push_str(s);
    } else {
        for c in clean(s) {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\\\\\"),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    out
}

/// Text inside an HTML-like label: `& < > " ]` as entities, line breaks as `<BR/>`, tabs as
/// spaces, a backslash doubled (so `\N` in the text is no escape). Empty text becomes a space: Graphviz rejects an empty `<B></B>` or `<FONT>` element,
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
        // Graphviz expands `\G`, `\N`… in an HTML label too, and reads `\\` as a backslash.
        '\\' => Some("\\\\"),
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
    fn noncharacters_are_replaced_visibly_everywhere() {
        for bad in [
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{FDD0}',
            '\u{FDEF}',
            '\u{1FFFE}',
            '\u{10FFFF}',
        ] {
            let s = format!("a{bad}b");
            assert_eq!(quoted(&s), "\"a\u{FFFD}b\"", "{:X}", bad as u32);
            assert_eq!(html(&s), "a\u{FFFD}b", "{:X}", bad as u32);
            assert_eq!(xml(&s), "a\u{FFFD}b", "{:X}", bad as u32);
            assert_eq!(tooltip(&s), "\"a\u{FFFD}b\"", "{:X}", bad as u32);
        }
        // Their neighbours are ordinary characters.
        assert_eq!(
            xml("\u{FFFD}\u{FDCF}\u{FDF0}\u{1FFFD}"),
            "\u{FFFD}\u{FDCF}\u{FDF0}\u{1FFFD}"
        );
    }

    #[test]
    fn graphviz_escapes_in_user_text_stay_as_written() {
        // In an HTML label Graphviz expands `\G`, `\N`… and reads `\\` as one backslash.
        assert_eq!(html(r"\G \N\"), r"\\G \\N\\");
        // A tooltip is unescaped once more before the expansion.
        assert_eq!(tooltip(r"a\Gb"), r#""a\\\\Gb""#);
        assert_eq!(tooltip("x\"y\nz"), r#""x\"y\nz""#);
    }

    #[test]
    fn record_fields_escape_record_syntax() {
        assert_eq!(record_field("{a|<b>}"), r"\{a\|\<b\>\}");
    }
}
