//! Words for people, in one place for the editor, the CLI and the exporters: counts with the
//! right plural ("1 server", "2 servers"), lists ("a, b and c"), text cut to a display width
//! with an ellipsis, and wrapping by display width.
//!
//! Widths are terminal cells (`unicode-width`), so a wide character counts twice and a
//! combining mark not at all.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The ellipsis that ends cut text.
pub const ELLIPSIS: char = '…';

/// `n` with the noun in the right number: `count(1, "server")` is "1 server",
/// `count(2, "server")` is "2 servers". Nouns whose plural is not "+s" go through
/// [`count_as`].
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// `n` with the given singular or plural word: `count_as(2, "entry", "entries")`.
pub fn count_as(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The noun as it goes with `n`: "server" for 1, "servers" otherwise. English "+s", "+es"
/// after s/x/z/ch/sh, and consonant + y → "ies"; irregular nouns use [`count_as`].
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        return noun.to_string();
    }
    let lower = noun.to_ascii_lowercase();
    let ends = |s: &str| lower.ends_with(s);
    if ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
        && !stem.is_empty()
    {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

/// Items as a sentence lists them: "a", "a and b", "a, b and c"; "" for none.
pub fn list<S: AsRef<str>>(items: &[S]) -> String {
    list_with(items, "and")
}

/// As [`list`] with another last word ("or").
pub fn list_with<S: AsRef<str>>(items: &[S], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., tail] => {
            let head: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {last} {}", head.join(", "), tail.as_ref())
        }
    }
}

/// The display width of `text` in terminal cells.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` as it fits `max` cells: whole, or cut and ended with `…` (which takes one cell).
/// Nothing is left when `max` is 0.
pub fn ellipsize(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(ch);
    }
    // A cut that ends on a space or a separator reads as a gap or a list, not as cut text.
    let trimmed = out
        .trim_end_matches(|c: char| c.is_whitespace() || "·,;:".contains(c))
        .len();
    out.truncate(trimmed);
    out.push(ELLIPSIS);
    out
}

/// `text` wrapped at `max` cells, on spaces; a word longer than a line is broken. No lines
/// for empty text.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let options = textwrap::Options::new(max.max(1))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .break_words(true);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect()
}

/// "Capitalized" first letter.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Lines for a list `max` cells wide in which no two entries look the same: each is cut
/// with an ellipsis as [`ellipsize`] does, except where two cuts would read alike; those
/// keep their first word and show, after an ellipsis, the part where they differ
/// ("NO-FIREWALL lb-01,web-01,web-02" and "…web-03" in a narrow panel). Entries that are
/// the same whole get a number ("#2").
pub fn tell_apart<S: AsRef<str>>(entries: &[S], max: usize) -> Vec<String> {
    let cut: Vec<String> = entries.iter().map(|e| ellipsize(e.as_ref(), max)).collect();
    let mut out = cut.clone();
    for (i, e) in entries.iter().enumerate() {
        let e = e.as_ref();
        let alike: Vec<&str> = entries
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i && cut[*j] == cut[i])
            .map(|(_, o)| o.as_ref())
            .collect();
        if alike.is_empty() {
            continue;
        }
        if alike.iter().all(|o| *o == e) {
            // Identical entries: number them in order.
            let nth = entries[..i].iter().filter(|o| o.as_ref() == e).count() + 1;
            let tag = format!(" #{nth}");
            out[i] = format!("{}{tag}", ellipsize(e, max.saturating_sub(width(&tag))));
            continue;
        }
        // Where this entry parts from the one most like it, in characters.
        let chars: Vec<char> = e.chars().collect();
        let parts_at = alike
            .iter()
            .map(|o| {
                chars
                    .iter()
                    .zip(o.chars())
                    .take_while(|(a, b)| **a == *b)
                    .count()
            })
            .max()
            .unwrap_or(0);
        // Back to the start of the id it parts in (ids hold dashes), so the tail reads whole.
        let mut from = parts_at.min(chars.len());
        while from > 0 && !matches!(chars[from - 1], ' ' | ',') {
            from -= 1;
        }
        let head: String = chars.iter().take_while(|c| **c != ' ').collect();
        let tail: String = chars[from..].iter().collect();
        let head_room = max.saturating_sub(width(&tail) + 1);
        let shown_head = if from <= head.chars().count() {
            String::new()
        } else if width(&head) <= head_room {
            head
        } else {
            ellipsize(&head, head_room.max(1))
                .trim_end_matches(ELLIPSIS)
                .to_string()
        };
        let joined = if shown_head.is_empty() {
            format!("{ELLIPSIS}{tail}")
        } else {
            format!("{shown_head} {ELLIPSIS}{tail}")
        };
        out[i] = ellipsize(&joined, max);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_right_number() {
        assert_eq!(count(0, "server"), "0 servers");
        assert_eq!(count(1, "server"), "1 server");
        assert_eq!(count(2, "link"), "2 links");
        assert_eq!(count(3, "match"), "3 matches");
        assert_eq!(count(2, "proxy"), "2 proxies");
        assert_eq!(count(2, "key"), "2 keys");
        assert_eq!(count(2, "address"), "2 addresses");
        assert_eq!(count_as(1, "entry", "entries"), "1 entry");
        assert_eq!(count_as(5, "entry", "entries"), "5 entries");
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(list::<&str>(&[]), "");
        assert_eq!(list(&["a"]), "a");
        assert_eq!(list(&["a", "b"]), "a and b");
        assert_eq!(list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(list_with(&["x", "y"], "or"), "x or y");
    }

    #[test]
    fn cut_text_ends_in_an_ellipsis_within_the_width() {
        assert_eq!(ellipsize("application server", 30), "application server");
        assert_eq!(ellipsize("application server", 14), "application s…");
        assert_eq!(width(&ellipsize("application server", 14)), 14);
        // Not "application …": the space before the cut goes.
        assert_eq!(ellipsize("application server", 13), "application…");
        // A cut right after a separator drops it: "a, b…", not "a, b,…".
        assert_eq!(
            ellipsize("opened a.toml · ? for help", 16),
            "opened a.toml…"
        );
        assert_eq!(ellipsize("a, b, c, d", 6), "a, b…");
        assert_eq!(ellipsize("abcdef", 4), "abc…");
        assert_eq!(ellipsize("abcdef", 1), "…");
        assert_eq!(ellipsize("abcdef", 0), "");
        // Wide characters count two cells.
        let cut = ellipsize("数据库服务器", 7);
        assert_eq!(cut, "数据库…");
        assert!(width(&cut) <= 7);
    }

    #[test]
    fn wrapping_breaks_on_spaces_by_display_width() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("", 5), Vec::<String>::new());
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        for line in wrap("数据 库服务器 数据库 服务器", 6) {
            assert!(width(&line) <= 6, "{line}");
        }
    }

    #[test]
    fn capitalize_the_first_letter() {
        assert_eq!(capitalize("canvas"), "Canvas");
        assert_eq!(capitalize(""), "");
    }

    #[test]
    fn entries_that_would_look_alike_show_where_they_differ() {
        let e = [
            "NO-FIREWALL lb-01,web-01,web-02",
            "NO-FIREWALL lb-01,web-01,web-03",
            "SPOF-COMPONENT app",
        ];
        let shown = tell_apart(&e, 22);
        assert_eq!(shown[2], "SPOF-COMPONENT app");
        assert_ne!(shown[0], shown[1]);
        assert!(
            shown[0].starts_with("NO-FIREWALL") && shown[0].ends_with("web-02"),
            "{}",
            shown[0]
        );
        assert!(shown[1].ends_with("web-03"), "{}", shown[1]);
        for s in &shown {
            assert!(width(s) <= 22, "{s}");
        }
        // Entries that fit are left alone.
        assert_eq!(tell_apart(&e, 40), e.map(String::from).to_vec());
        // The same entry twice is numbered.
        let twice = tell_apart(&["NO-HTTPS a", "NO-HTTPS a"], 30);
        assert_eq!(twice, vec!["NO-HTTPS a #1", "NO-HTTPS a #2"]);
    }
}
