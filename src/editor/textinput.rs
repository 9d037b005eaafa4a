//! A one-line text input with a cursor, as shells and terminal tools have it: ←/→ move,
//! Home/End (Ctrl-A/Ctrl-E) jump, Backspace/Delete delete at the cursor, Ctrl-U deletes to the
//! start, Ctrl-W deletes the word before the cursor. Used by the prompts, the form's text
//! fields and the picker's query.

use unicode_width::UnicodeWidthStr;

/// What a key does to a text input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Insert(char),
    Left,
    Right,
    Home,
    End,
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    /// Delete from the start of the line to the cursor (Ctrl-U).
    DeleteToStart,
    /// Delete the word before the cursor, and the spaces after it (Ctrl-W).
    DeleteWord,
}

/// The text and the cursor, a byte offset on a character boundary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

impl TextInput {
    /// An input holding `text`, the cursor at its end.
    pub fn new(text: impl Into<String>) -> TextInput {
        let text = text.into();
        TextInput {
            cursor: text.len(),
            text,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor as a byte offset into [`TextInput::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The cursor's column in cells from the start of the text.
    pub fn cursor_col(&self) -> usize {
        UnicodeWidthStr::width(&self.text[..self.cursor])
    }

    /// Replaces the whole text; the cursor goes to its end.
    pub fn set(&mut self, text: impl Into<String>) {
        *self = TextInput::new(text);
    }

    /// The text before and after the cursor.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.cursor)
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    /// Applies one edit; whether the text changed.
    pub fn apply(&mut self, edit: Edit) -> bool {
        match edit {
            Edit::Insert(ch) => {
                self.text.insert(self.cursor, ch);
                self.cursor += ch.len_utf8();
                true
            }
            Edit::Left => {
                self.cursor = self.prev_boundary();
                false
            }
            Edit::Right => {
                self.cursor = self.next_boundary();
                false
            }
            Edit::Home => {
                self.cursor = 0;
                false
            }
            Edit::End => {
                self.cursor = self.text.len();
                false
            }
            Edit::Backspace => {
                if self.cursor == 0 {
                    return false;
                }
                let start = self.prev_boundary();
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
                true
            }
            Edit::Delete => {
                let end = self.next_boundary();
                if end == self.cursor {
                    return false;
                }
                self.text.replace_range(self.cursor..end, "");
                true
            }
            Edit::DeleteToStart => {
                if self.cursor == 0 {
                    return false;
                }
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
                true
            }
            Edit::DeleteWord => {
                // Back over separators, then over the word: a word ends at a space or a path
                // separator, so Ctrl-W on a path takes one folder at a time.
                let sep = |c: char| c.is_whitespace() || c == '/';
                let before = &self.text[..self.cursor];
                let word_end = before.trim_end_matches(sep).len();
                let start = before[..word_end]
                    .char_indices()
                    .rev()
                    .find(|(_, c)| sep(*c))
                    .map_or(0, |(i, c)| i + c.len_utf8());
                if start == self.cursor {
                    return false;
                }
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
                true
            }
        }
    }

    /// The text as it shows in `width` cells with the cursor in view: the part to draw and
    /// the cursor's column in it.
    pub fn visible(&self, width: usize) -> (&str, usize) {
        let col = self.cursor_col();
        if width == 0 {
            return ("", 0);
        }
        if col < width {
            return (&self.text, col);
        }
        // Scroll so the cursor is on the last column.
        let mut start = 0;
        for (i, _) in self.text.char_indices() {
            start = i;
            if UnicodeWidthStr::width(&self.text[i..self.cursor]) < width {
                break;
            }
        }
        let shown = &self.text[start..];
        (
            shown,
            UnicodeWidthStr::width(&self.text[start..self.cursor]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Edit::*;

    fn run(start: &str, edits: &[Edit]) -> TextInput {
        let mut t = TextInput::new(start);
        for e in edits {
            t.apply(*e);
        }
        t
    }

    #[test]
    fn typing_goes_in_at_the_cursor() {
        let t = run(
            "websrv",
            &[Left, Left, Left, Insert('-'), Home, Insert('>')],
        );
        assert_eq!(t.text(), ">web-srv");
        assert_eq!(t.cursor(), 1);
        let t = run("ab", &[End, Insert('c')]);
        assert_eq!(t.text(), "abc");
    }

    #[test]
    fn backspace_and_delete_at_the_cursor() {
        let t = run("abcd", &[Left, Backspace]);
        assert_eq!((t.text(), t.cursor()), ("abd", 2));
        let t = run("abcd", &[Home, Delete, Right, Delete]);
        assert_eq!((t.text(), t.cursor()), ("bd", 1));
        let mut t = TextInput::new("");
        assert!(!t.apply(Backspace));
        assert!(!t.apply(Delete));
    }

    #[test]
    fn ctrl_u_and_ctrl_w_delete_before_the_cursor() {
        let t = run("save as here", &[DeleteWord]);
        assert_eq!(t.text(), "save as ");
        let t = run("save as  ", &[DeleteWord]);
        assert_eq!(t.text(), "save ");
        let t = run("/tmp/designs/shop.toml", &[DeleteWord]);
        assert_eq!(t.text(), "/tmp/designs/");
        let t = run("/tmp/designs/", &[DeleteWord]);
        assert_eq!(t.text(), "/tmp/");
        let t = run("one two", &[Left, Left, Left, DeleteToStart]);
        assert_eq!((t.text(), t.cursor()), ("two", 0));
    }

    #[test]
    fn the_cursor_moves_by_characters_not_bytes() {
        let t = run("café", &[Left, Backspace]);
        assert_eq!(t.text(), "caé");
        let t = run("数据", &[Left, Insert('x')]);
        assert_eq!(t.text(), "数x据");
        assert_eq!(t.cursor_col(), 3);
        let t = run("", &[Left, Right, Home, End]);
        assert_eq!(t.cursor(), 0);
    }

    #[test]
    fn long_text_scrolls_to_keep_the_cursor_in_view() {
        let t = TextInput::new("abcdefghij");
        let (shown, col) = t.visible(4);
        assert_eq!((shown, col), ("hij", 3));
        let t = run("abcdefghij", &[Home]);
        assert_eq!(t.visible(4), ("abcdefghij", 0));
    }
}
