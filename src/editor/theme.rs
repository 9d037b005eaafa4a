//! The editor's colours as a palette of roles. The view draws in eleven named colours, each
//! one role (red is danger, cyan the accent…); a theme says which colour each role shows in,
//! and is applied to the finished frame, so the view stays one simple thing to read. A theme
//! file (`theme.toml` in the config folder) sets roles (`accent = "#5fafff"`), and `NO_COLOR`
//! (or `monochrome = true`) draws without colour: what colour told is then told by bold,
//! dim and reversed text.

use super::keymap::{FileError, closest};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::str::FromStr;

/// The roles, each with the colour the view draws it in and what it is for.
pub const ROLES: &[(&str, Color, &str)] = &[
    (
        "danger",
        Color::Red,
        "single points of failure, plain-text links, critical findings, errors",
    ),
    ("high", Color::LightRed, "high findings"),
    (
        "warning",
        Color::Yellow,
        "the selected finding, medium findings, unsaved changes, public networks",
    ),
    (
        "accent",
        Color::Cyan,
        "the selection, keys in the help, popup borders",
    ),
    ("ok", Color::Green, "encrypted links, good news"),
    ("info", Color::Blue, "clients, low findings"),
    ("special", Color::Magenta, "replication links, drop targets"),
    ("muted", Color::Gray, "secondary text, private networks"),
    ("faint", Color::DarkGray, "borders, unreachable components"),
    ("text", Color::White, "boxes and main text"),
    ("on-accent", Color::Black, "text on a coloured background"),
];

/// Which colour each role shows in, or no colour at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// The colour for each of [`ROLES`], in order.
    colors: Vec<Color>,
    pub monochrome: bool,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            colors: ROLES.iter().map(|(_, c, _)| *c).collect(),
            monochrome: false,
        }
    }
}

fn role_of(c: Color) -> Option<usize> {
    ROLES.iter().position(|(_, drawn, _)| *drawn == c)
}

impl Theme {
    /// The theme without colour.
    pub fn monochrome() -> Theme {
        Theme {
            monochrome: true,
            ..Theme::default()
        }
    }

    /// Whether the theme changes nothing (the built-in colours).
    pub fn is_default(&self) -> bool {
        *self == Theme::default()
    }

    /// The colour a role shows in.
    pub fn color(&self, role: &str) -> Option<Color> {
        let i = ROLES.iter().position(|(n, _, _)| *n == role)?;
        Some(self.colors[i])
    }

    /// Repaints a drawn frame in the theme's colours.
    pub fn apply(&self, buf: &mut Buffer) {
        if self.is_default() {
            return;
        }
        for cell in buf.content.iter_mut() {
            if self.monochrome {
                let mut add = Modifier::empty();
                if cell.bg != Color::Reset {
                    add |= Modifier::REVERSED;
                }
                match role_of(cell.fg).map(|i| ROLES[i].0) {
                    Some("danger" | "high" | "warning" | "accent") => add |= Modifier::BOLD,
                    Some("faint") => add |= Modifier::DIM,
                    _ => {}
                }
                cell.fg = Color::Reset;
                cell.bg = Color::Reset;
                cell.modifier |= add;
            } else {
                if let Some(i) = role_of(cell.fg) {
                    cell.fg = self.colors[i];
                }
                if let Some(i) = role_of(cell.bg) {
                    cell.bg = self.colors[i];
                }
            }
        }
    }

    /// The theme a theme file's text describes, over the built-in one: `role = "colour"`
    /// (a name such as `lightblue`, `#rrggbb` or a 0–255 index) and `monochrome = true`.
    pub fn from_file(text: &str) -> Result<Theme, FileError> {
        let doc = toml_edit::Document::parse(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let first = e.message().lines().next().unwrap_or("not TOML").to_string();
            FileError::at(text, offset, first)
        })?;
        let mut theme = Theme::default();
        for (key, item) in doc.as_table().iter() {
            let key_at = doc
                .as_table()
                .key(key)
                .and_then(|k| k.span())
                .map_or(0, |s| s.start);
            let value_at = item.span().map_or(key_at, |s| s.start);
            if key == "monochrome" {
                theme.monochrome = item.as_bool().ok_or_else(|| {
                    FileError::at(text, value_at, "`monochrome` is true or false".into())
                })?;
                continue;
            }
            let Some(i) = ROLES.iter().position(|(n, _, _)| *n == key) else {
                let names = ROLES.iter().map(|(n, _, _)| *n).chain(["monochrome"]);
                let hint = closest(key, names)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                let all: Vec<&str> = ROLES.iter().map(|(n, _, _)| *n).collect();
                return Err(FileError::at(
                    text,
                    key_at,
                    format!(
                        "no colour is called `{key}`{hint}; the colours are {}",
                        crate::text::list(&all)
                    ),
                ));
            };
            let spelled = item.as_str().ok_or_else(|| {
                FileError::at(
                    text,
                    value_at,
                    format!("`{key}` takes a colour, like \"lightblue\" or \"#5fafff\""),
                )
            })?;
            theme.colors[i] = Color::from_str(spelled).map_err(|_| {
                FileError::at(
                    text,
                    value_at,
                    format!("`{spelled}` is no colour (a name, #rrggbb or 0–255)"),
                )
            })?;
        }
        Ok(theme)
    }
}

/// The roles as a Markdown table's rows, for the documentation.
pub fn markdown() -> String {
    ROLES
        .iter()
        .map(|(name, c, what)| format!("| `{name}` | {} | {what} |\n", color_name(*c)))
        .collect()
}

fn color_name(c: Color) -> String {
    // ratatui spells them `LightRed`; theme files use the lower-case names it also reads.
    c.to_string().to_ascii_lowercase()
}

static CURRENT: std::sync::OnceLock<Theme> = std::sync::OnceLock::new();

/// Puts a theme in force for the rest of the run; false when one already is.
pub fn install(theme: Theme) -> bool {
    CURRENT.set(theme).is_ok()
}

/// The theme in force: the installed one, else the built-in colours.
pub fn current() -> &'static Theme {
    static DEFAULT: std::sync::LazyLock<Theme> = std::sync::LazyLock::new(Theme::default);
    CURRENT.get().unwrap_or(&DEFAULT)
}

/// Whether `NO_COLOR` asks for no colour: set and not empty (no-color.org).
pub fn no_color(var: Option<&std::ffi::OsStr>) -> bool {
    var.is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn painted() -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.set_string(0, 0, "a", Style::default().fg(Color::Red));
        buf.set_string(1, 0, "b", Style::default().fg(Color::Black).bg(Color::Cyan));
        buf.set_string(2, 0, "c", Style::default().fg(Color::DarkGray));
        buf.set_string(3, 0, "d", Style::default().fg(Color::White));
        buf
    }

    #[test]
    fn every_colour_the_view_draws_in_is_one_role() {
        let mut seen = Vec::new();
        for (name, c, _) in ROLES {
            assert!(!seen.contains(c), "{name} repeats a colour");
            seen.push(*c);
        }
    }

    #[test]
    fn a_theme_file_repaints_roles() {
        let t = Theme::from_file("# mine\naccent = \"#5fafff\"\ndanger = \"lightred\"\n")
            .expect("a valid theme");
        assert_eq!(t.color("accent"), Some(Color::Rgb(0x5f, 0xaf, 0xff)));
        let mut buf = painted();
        t.apply(&mut buf);
        assert_eq!(buf[(0, 0)].fg, Color::LightRed);
        assert_eq!(buf[(1, 0)].bg, Color::Rgb(0x5f, 0xaf, 0xff));
        assert_eq!(buf[(3, 0)].fg, Color::White, "the rest stays");
    }

    #[test]
    fn monochrome_tells_with_bold_dim_and_reversed() {
        let mut buf = painted();
        Theme::monochrome().apply(&mut buf);
        for x in 0..4 {
            assert_eq!(buf[(x, 0)].fg, Color::Reset);
            assert_eq!(buf[(x, 0)].bg, Color::Reset);
        }
        assert!(buf[(0, 0)].modifier.contains(Modifier::BOLD));
        assert!(buf[(1, 0)].modifier.contains(Modifier::REVERSED));
        assert!(buf[(2, 0)].modifier.contains(Modifier::DIM));
        assert_eq!(buf[(3, 0)].modifier, Modifier::empty());
        let t = Theme::from_file("monochrome = true\n").expect("valid");
        assert!(t.monochrome);
    }

    #[test]
    fn mistakes_in_a_theme_file_say_where_they_are() {
        let e = Theme::from_file("accent = \"blue\"\naccnet = \"red\"\n").expect_err("typo");
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("did you mean `accent`"), "{}", e.message);
        let e = Theme::from_file("danger = \"reddish\"\n").expect_err("no colour");
        assert_eq!((e.line, e.column), (1, 10));
        let e = Theme::from_file("monochrome = \"yes\"\n").expect_err("not a bool");
        assert!(e.message.contains("true or false"));
    }

    #[test]
    fn no_color_counts_only_when_set_and_not_empty() {
        assert!(no_color(Some(std::ffi::OsStr::new("1"))));
        assert!(!no_color(Some(std::ffi::OsStr::new(""))));
        assert!(!no_color(None));
    }

    #[test]
    fn the_documentation_lists_every_role() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/editor.md"),
        )
        .expect("docs/editor.md");
        assert!(
            doc.contains(&markdown()),
            "docs/editor.md's colour roles are stale; paste the output of theme::markdown()"
        );
        for (_, c, _) in ROLES {
            assert_eq!(
                Color::from_str(&color_name(*c)),
                Ok(*c),
                "the name reads back"
            );
        }
    }

    #[test]
    #[ignore = "prints the role table for docs/editor.md"]
    fn print_role_table() {
        print!("{}", markdown());
    }
}
