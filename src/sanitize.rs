//! Text from a design (or from another program, such as `dot`'s messages) made safe to print
//! on a terminal: a control character could retitle the window (`ESC ] 0 ; … BEL`), clear the
//! screen (`ESC [ 2 J`), move the cursor over what was printed (`CR`, `BS`) or reorder a line
//! (the bidirectional overrides). Each such character is shown as its JSON escape (`\u001b`),
//! which a reader recognises and which, inside a JSON string, still reads as the character
//! itself: JSON and SARIF that pass through here keep every character.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters a terminal acts on instead of showing: C0 controls but the line break and the
/// tab, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates.
fn acts(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

fn push_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{:04x}", u32::from(c));
}

/// `s` with every character a terminal would act on shown as its escape (`\u001b`).
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if acts(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`terminal`], for text that infraplan has styled itself: colour and weight sequences
/// (SGR, `ESC [ 1 ; 31 m`) are kept, every other control character is escaped, and so is an
/// SGR sequence that would hide or blink text. User text in styled output should go through
/// [`terminal`] first; what this lets through from it is at most a colour.
pub fn styled(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && let Some(len) = colour_len(rest)
        {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if acts(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the SGR sequence `s` starts with (`ESC [`, numbers split by `;` or `:`, `m`)
/// when it sets only weight, italics, underline, strike-through or colours.
fn colour_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let n = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';' || *b == b':')
        .count();
    if body.as_bytes().get(n) != Some(&b'm') {
        return None;
    }
    let mut params = body[..n]
        .split([';', ':'])
        .map(|p| p.parse::<u16>().unwrap_or(0));
    while let Some(p) = params.next() {
        match p {
            // 256 colours (`38;5;n`) or RGB (`38;2;r;g;b`): the numbers after are colours.
            38 | 48 | 58 => match params.next() {
                Some(5) => {
                    params.next();
                }
                Some(2) => {
                    params.nth(2);
                }
                _ => return None,
            },
            0..=4 | 9 | 21..=24 | 29..=37 | 39..=47 | 49 | 59 | 90..=97 | 100..=107 => {}
            // Blink, reverse, conceal and anything unknown.
            _ => return None,
        }
    }
    Some(2 + n + 1)
}

/// At most `max_lines` lines of `s`, each neutralised with [`terminal`] and cut to `max_line`
/// characters, with a count of what was left out: for messages of other programs, which may
/// be of any size (read them bounded in bytes too).
pub fn bounded(s: &str, max_lines: usize, max_line: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let mut out = String::new();
    for line in lines.iter().take(max_lines) {
        if !out.is_empty() {
            out.push('\n');
        }
        let mut chars = line.chars();
        let head: String = chars.by_ref().take(max_line).collect();
        out.push_str(&terminal(&head));
        let cut = chars.count();
        if cut > 0 {
            let _ = write!(out, "… ({cut} more characters)");
        }
    }
    if lines.len() > max_lines {
        let _ = write!(out, "\n… ({} more lines)", lines.len() - max_lines);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "web\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{8}\u{7f}\u{9b}2J\u{202e}x";

    #[test]
    fn terminal_escapes_every_control_character_and_keeps_the_rest() {
        assert_eq!(
            terminal(HOSTILE),
            "web\\u001b]0;pwned\\u0007\\u001b[2J\\u000d\\u0008\\u007f\\u009b2J\\u202ex"
        );
        assert!(matches!(terminal("plain ünï ☃\tok\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn an_escaped_json_string_reads_back_as_the_original() {
        let json = serde_json::to_string(&serde_json::json!({ "id": HOSTILE })).expect("json");
        let shown = styled(&json);
        let back: serde_json::Value = serde_json::from_str(&shown).expect("still JSON");
        assert_eq!(back["id"], HOSTILE);
    }

    #[test]
    fn styled_keeps_colour_sequences_only() {
        let s =
            "\u{1b}[1;31mred\u{1b}[0m \u{1b}[2J \u{1b}]0;t\u{7} \u{1b}[38:5:1m \u{1b}[8m \u{1b}[m";
        assert_eq!(
            styled(s),
            "\u{1b}[1;31mred\u{1b}[0m \\u001b[2J \\u001b]0;t\\u0007 \u{1b}[38:5:1m \\u001b[8m \u{1b}[m"
        );
    }

    #[test]
    fn bounded_cuts_lines_and_their_length_and_neutralises() {
        let long = "x".repeat(1000);
        let text = format!("one\u{1b}[2J\n{long}\nthree\nfour");
        let out = bounded(&text, 2, 10);
        assert_eq!(
            out,
            "one\\u001b[2J\nxxxxxxxxxx… (990 more characters)\n… (2 more lines)"
        );
    }
}
