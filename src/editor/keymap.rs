//! The keymap as data: every binding with the modes it works in and what it does. The help
//! overlay, the status-bar hints and `docs/editor.md` are generated from this table.

use super::action::Action;
use super::state::{App, ModeKind};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key as the table spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn c(ch: char) -> Key {
    k(KeyCode::Char(ch))
}
const fn ctrl(ch: char) -> Key {
    Key {
        code: KeyCode::Char(ch),
        mods: KeyModifiers::CONTROL,
    }
}
const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::SHIFT,
    }
}
const fn ctrl_k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::CONTROL,
    }
}

/// One binding: its keys, the modes, the action, the words shown to the user.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The name a keymap file uses for it: `save`, `move-left`.
    pub name: &'static str,
    pub modes: Vec<ModeKind>,
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: &'static str,
    /// Shown in the status bar's hints.
    pub hint: bool,
}

use ModeKind::*;
const ALL: &[ModeKind] = &[
    Start, Canvas, Menu, Connect, Form, Text, Confirm, Help, Pick,
];
const TYPING: &[ModeKind] = &[Text, Pick];
const CANVAS: &[ModeKind] = &[Canvas];
const MOVE: &[ModeKind] = &[Canvas, Connect];
const LISTS: &[ModeKind] = &[Start, Menu, Form, Help];

const STEP: i32 = 1;
const BIG_X: i32 = 8;
const BIG_Y: i32 = 4;

fn b(
    name: &'static str,
    modes: &[ModeKind],
    keys: &[Key],
    action: Action,
    desc: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        name,
        modes: modes.to_vec(),
        keys: keys.to_vec(),
        action,
        desc,
        hint,
    }
}

static DEFAULTS: std::sync::LazyLock<Vec<Binding>> = std::sync::LazyLock::new(table);
/// The keymap with the user's keymap file applied, once it is read at start.
static ACTIVE: std::sync::OnceLock<Vec<Binding>> = std::sync::OnceLock::new();

/// The whole keymap in force, in the order the help shows it.
pub fn bindings() -> &'static [Binding] {
    ACTIVE.get().unwrap_or(&DEFAULTS)
}

/// The built-in keymap, as the documentation lists it.
pub fn defaults() -> &'static [Binding] {
    &DEFAULTS
}

/// Puts a keymap (the defaults with a keymap file applied) in force for the rest of the
/// run; false when one already is.
pub fn install(table: Vec<Binding>) -> bool {
    ACTIVE.set(table).is_ok()
}

fn table() -> Vec<Binding> {
    use super::textinput::Edit;
    use KeyCode::{
        BackTab, Backspace, Delete, Down, End, Enter, Esc, F, Home, Left, PageDown, PageUp, Right,
        Tab, Up,
    };
    vec![
        b(
            "quit-anywhere",
            ALL,
            &[ctrl('c'), ctrl('q')],
            Action::Quit,
            "quit (asks when there are unsaved changes)",
            false,
        ),
        b(
            "quit",
            &[Canvas, Start],
            &[c('q')],
            Action::Quit,
            "quit",
            true,
        ),
        b(
            "save",
            &[Canvas, Form],
            &[ctrl('s')],
            Action::Save,
            "save",
            true,
        ),
        b(
            "save-as",
            CANVAS,
            &[c('S')],
            Action::SaveAs,
            "save as…",
            false,
        ),
        b(
            "open",
            &[Canvas, Start],
            &[ctrl('o')],
            Action::Open,
            "open a file",
            false,
        ),
        b(
            "export",
            CANVAS,
            &[c('E')],
            Action::Export,
            "export to SVG or DOT",
            false,
        ),
        b(
            "undo",
            &[Canvas, Form],
            &[ctrl('z'), c('u')],
            Action::Undo,
            "undo",
            true,
        ),
        b(
            "redo",
            CANVAS,
            &[ctrl('y'), ctrl('r'), c('U')],
            Action::Redo,
            "redo",
            false,
        ),
        b(
            "help",
            &[Canvas, Start, Help],
            &[c('?'), k(F(1))],
            Action::Help,
            "help: every key",
            true,
        ),
        b(
            "add",
            CANVAS,
            &[c('a')],
            Action::Add,
            "add a component or a zone (palette)",
            true,
        ),
        b(
            "connect",
            CANVAS,
            &[c('c')],
            Action::Connect,
            "connect the selected component to another",
            true,
        ),
        b(
            "edit",
            CANVAS,
            &[c('e'), k(Enter)],
            Action::Edit,
            "edit properties (form)",
            true,
        ),
        b(
            "rename",
            CANVAS,
            &[c('r')],
            Action::Rename,
            "rename (change the id)",
            false,
        ),
        b(
            "place-on-server",
            CANVAS,
            &[c('s')],
            Action::PlaceOnServer,
            "put the component on a server (new or existing)",
            false,
        ),
        b(
            "delete",
            &[Canvas, Form],
            &[c('d'), k(Delete)],
            Action::Delete,
            "delete the selection (a component with its links); in a form, what it edits",
            true,
        ),
        b(
            "fail",
            CANVAS,
            &[c('x')],
            Action::ToggleFailed,
            "fail or restore the selected component or server (simulation)",
            true,
        ),
        b(
            "restore-all",
            CANVAS,
            &[c('X')],
            Action::ClearFailures,
            "restore every failed component",
            false,
        ),
        b(
            "next-finding",
            CANVAS,
            &[c('n')],
            Action::NextFinding,
            "next finding (highlights it)",
            true,
        ),
        b(
            "prev-finding",
            CANVAS,
            &[c('N')],
            Action::PrevFinding,
            "previous finding",
            false,
        ),
        b(
            "toggle-panel",
            CANVAS,
            &[c('f')],
            Action::TogglePanel,
            "show / hide the findings panel",
            false,
        ),
        b(
            "select-next",
            &[Canvas, Connect],
            &[k(Tab)],
            Action::SelectNext,
            "select the next item",
            false,
        ),
        b(
            "select-prev",
            &[Canvas, Connect],
            &[shift(BackTab), k(BackTab)],
            Action::SelectPrev,
            "select the previous item",
            false,
        ),
        b(
            "select-server",
            CANVAS,
            &[c('p')],
            Action::SelectServer,
            "select the server of the component",
            false,
        ),
        b(
            "next-link",
            CANVAS,
            &[c('o')],
            Action::SelectLink,
            "select the next link of the component",
            false,
        ),
        b(
            "select-left",
            MOVE,
            &[k(Left), c('h')],
            Action::SelectToward(-1, 0),
            "select the nearest box to the left (pan when nothing is selected)",
            false,
        ),
        b(
            "select-right",
            MOVE,
            &[k(Right), c('l')],
            Action::SelectToward(1, 0),
            "select the nearest box to the right",
            false,
        ),
        b(
            "select-up",
            MOVE,
            &[k(Up), c('k')],
            Action::SelectToward(0, -1),
            "select the nearest box above",
            false,
        ),
        b(
            "select-down",
            MOVE,
            &[k(Down), c('j')],
            Action::SelectToward(0, 1),
            "select the nearest box below",
            false,
        ),
        b(
            "move-left",
            CANVAS,
            &[shift(Left)],
            Action::Nudge(-STEP, 0),
            "move the selected box left (pan when none)",
            false,
        ),
        b(
            "move-right",
            CANVAS,
            &[shift(Right)],
            Action::Nudge(STEP, 0),
            "move the selected box right",
            false,
        ),
        b(
            "move-up",
            CANVAS,
            &[shift(Up)],
            Action::Nudge(0, -STEP),
            "move the selected box up",
            false,
        ),
        b(
            "move-down",
            CANVAS,
            &[shift(Down)],
            Action::Nudge(0, STEP),
            "move the selected box down",
            false,
        ),
        b(
            "move-far-left",
            CANVAS,
            &[c('H')],
            Action::Nudge(-BIG_X, 0),
            "move the selected box left, a big step",
            false,
        ),
        b(
            "move-far-right",
            CANVAS,
            &[c('L')],
            Action::Nudge(BIG_X, 0),
            "move the selected box right, a big step",
            false,
        ),
        b(
            "move-far-up",
            CANVAS,
            &[c('K')],
            Action::Nudge(0, -BIG_Y),
            "move the selected box up, a big step",
            false,
        ),
        b(
            "move-far-down",
            CANVAS,
            &[c('J')],
            Action::Nudge(0, BIG_Y),
            "move the selected box down, a big step",
            false,
        ),
        b(
            "pan-left",
            CANVAS,
            &[ctrl_k(Left)],
            Action::Pan(-BIG_X, 0),
            "pan left",
            false,
        ),
        b(
            "pan-right",
            CANVAS,
            &[ctrl_k(Right)],
            Action::Pan(BIG_X, 0),
            "pan right",
            false,
        ),
        b(
            "pan-up",
            CANVAS,
            &[ctrl_k(Up), k(PageUp)],
            Action::Pan(0, -BIG_Y),
            "pan up",
            false,
        ),
        b(
            "pan-down",
            CANVAS,
            &[ctrl_k(Down), k(PageDown)],
            Action::Pan(0, BIG_Y),
            "pan down",
            false,
        ),
        b(
            "center",
            CANVAS,
            &[c('z'), c('.')],
            Action::Center,
            "centre on the selection (fit when none)",
            false,
        ),
        b(
            "arrange",
            CANVAS,
            &[c('A')],
            Action::Arrange,
            "arrange automatically (clients → tiers → data)",
            false,
        ),
        b(
            "go-to",
            &[Canvas, Connect],
            &[c('/')],
            Action::GoTo,
            "go to anything: a fuzzy search over components, servers, clusters, links and findings (connecting: over link targets)",
            true,
        ),
        b(
            "fit",
            CANVAS,
            &[c('0')],
            Action::Fit,
            "fit: the whole design in view (overview)",
            false,
        ),
        b(
            "duplicate",
            CANVAS,
            &[c('D')],
            Action::Duplicate,
            "duplicate the component onto its server, another or a new one (with its links or not)",
            true,
        ),
        b(
            "toggle-mouse",
            CANVAS,
            &[c('M')],
            Action::ToggleMouse,
            "mouse off / on (off: the terminal's own text selection works)",
            false,
        ),
        b(
            "cancel",
            &[Canvas, Menu, Connect, Form, Text, Start, Pick],
            &[k(Esc)],
            Action::Cancel,
            "cancel, close, deselect",
            false,
        ),
        b(
            "list-up",
            LISTS,
            &[k(Up), c('k')],
            Action::Up,
            "previous entry",
            false,
        ),
        b(
            "list-down",
            LISTS,
            &[k(Down), c('j')],
            Action::Down,
            "next entry",
            false,
        ),
        b(
            "choice-prev",
            &[Menu, Form],
            &[k(Left)],
            Action::Left,
            "previous choice",
            false,
        ),
        b(
            "choice-next",
            &[Menu, Form],
            &[k(Right)],
            Action::Right,
            "next choice",
            false,
        ),
        b(
            "accept",
            &[Start, Menu, Connect, Form, Text, Pick],
            &[k(Enter)],
            Action::Accept,
            "choose, edit the field, commit",
            true,
        ),
        b(
            "close-help",
            &[Help],
            &[k(Esc), c('q'), k(Enter)],
            Action::Cancel,
            "close the help",
            true,
        ),
        b("yes", &[Confirm], &[c('y')], Action::Yes, "yes", true),
        b("no", &[Confirm], &[c('n')], Action::No, "no", true),
        b(
            "cancel-question",
            &[Confirm],
            &[k(Esc)],
            Action::Cancel,
            "cancel",
            true,
        ),
        b(
            "backspace",
            TYPING,
            &[k(Backspace)],
            Action::Backspace,
            "delete the character before the cursor",
            false,
        ),
        b(
            "delete-char",
            TYPING,
            &[k(Delete)],
            Action::TextEdit(Edit::Delete),
            "delete the character under the cursor",
            false,
        ),
        b(
            "cursor-left",
            TYPING,
            &[k(Left)],
            Action::TextEdit(Edit::Left),
            "cursor left",
            false,
        ),
        b(
            "cursor-right",
            TYPING,
            &[k(Right)],
            Action::TextEdit(Edit::Right),
            "cursor right",
            false,
        ),
        b(
            "line-start",
            TYPING,
            &[k(Home), ctrl('a')],
            Action::TextEdit(Edit::Home),
            "cursor to the start",
            false,
        ),
        b(
            "line-end",
            TYPING,
            &[k(End), ctrl('e')],
            Action::TextEdit(Edit::End),
            "cursor to the end",
            false,
        ),
        b(
            "delete-to-start",
            TYPING,
            &[ctrl('u')],
            Action::TextEdit(Edit::DeleteToStart),
            "delete to the start",
            false,
        ),
        b(
            "delete-word",
            TYPING,
            &[ctrl('w')],
            Action::TextEdit(Edit::DeleteWord),
            "delete the word before the cursor",
            false,
        ),
        b(
            "complete",
            &[Text],
            &[k(Tab)],
            Action::Complete,
            "complete the file name (file prompts)",
            false,
        ),
        b(
            "pick-up",
            &[Pick],
            &[k(Up), ctrl('p')],
            Action::Up,
            "previous match",
            false,
        ),
        b(
            "pick-down",
            &[Pick],
            &[k(Down), ctrl('n')],
            Action::Down,
            "next match",
            false,
        ),
    ]
}

/// "Ctrl-S", "Shift-←", "a".
pub fn key_name(key: &Key) -> String {
    use KeyCode::*;
    let base = match key.code {
        Char(' ') => "Space".to_string(),
        Char(ch) if key.mods.contains(KeyModifiers::CONTROL) => ch.to_ascii_uppercase().to_string(),
        Char(ch) => ch.to_string(),
        Left => "←".into(),
        Right => "→".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Tab => "Tab".into(),
        BackTab => "Shift-Tab".into(),
        Delete => "Del".into(),
        Backspace => "Backspace".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    let mut s = String::new();
    if key.mods.contains(KeyModifiers::CONTROL) {
        s.push_str("Ctrl-");
    }
    if key.mods.contains(KeyModifiers::SHIFT) && key.code != BackTab {
        s.push_str("Shift-");
    }
    s.push_str(&base);
    s
}

pub fn keys_text(b: &Binding) -> String {
    let mut names: Vec<String> = b.keys.iter().map(key_name).collect();
    names.dedup();
    names.join(" ")
}

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    if key.code != ev.code {
        return false;
    }
    let mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::SHIFT | KeyModifiers::ALT);
    match key.code {
        // Terminals report an upper-case letter with or without Shift.
        KeyCode::Char(_) => mods - KeyModifiers::SHIFT == key.mods - KeyModifiers::SHIFT,
        KeyCode::BackTab => true,
        _ => mods == key.mods,
    }
}

/// The action a key press means in the app's current mode.
pub fn action_for_key(app: &App, ev: KeyEvent) -> Option<Action> {
    if ev.kind != KeyEventKind::Press {
        return None;
    }
    let mode = app.mode.kind();
    let plain = (ev.modifiers - KeyModifiers::SHIFT).is_empty();
    // Typing goes into the text being edited, before any binding.
    if matches!(mode, ModeKind::Text | ModeKind::Pick)
        && let KeyCode::Char(ch) = ev.code
        && plain
    {
        return Some(Action::Char(ch));
    }
    let found = bindings()
        .iter()
        .find(|b| b.modes.contains(&mode) && b.keys.iter().any(|k| matches(k, &ev)))
        .map(|b| b.action.clone());
    if found.is_some() {
        return found;
    }
    match (mode, ev.code) {
        (ModeKind::Menu | ModeKind::Form, KeyCode::Char(ch)) if plain => Some(Action::Char(ch)),
        _ => None,
    }
}

/// The hints' order of importance: at 80 columns the bar shows what it can from the start
/// of this list, whole, instead of cutting the end off.
const HINT_ORDER: &[&str] = &[
    "help",
    "accept",
    "yes",
    "no",
    "close-help",
    "quit",
    "add",
    "connect",
    "edit",
    "go-to",
    "duplicate",
    "save",
    "undo",
    "delete",
    "fail",
    "next-finding",
    "cancel-question",
];

/// Short hints for the status bar in this mode, most important first: what the mode is
/// about, then the bindings marked as hints in [`HINT_ORDER`]'s order.
pub fn hints(mode: ModeKind) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = match mode {
        ModeKind::Menu => vec![("↑↓".into(), "choose")],
        ModeKind::Connect => vec![("←↑↓→/Tab".into(), "target")],
        ModeKind::Form => vec![("←→".into(), "change")],
        ModeKind::Text => vec![("Esc".into(), "cancel")],
        ModeKind::Pick => vec![("type".into(), "filter"), ("↑↓".into(), "choose")],
        _ => Vec::new(),
    };
    let rank = |b: &Binding| {
        HINT_ORDER
            .iter()
            .position(|n| *n == b.name)
            .unwrap_or(HINT_ORDER.len())
    };
    let mut marked: Vec<&Binding> = bindings()
        .iter()
        .filter(|b| b.hint && b.modes.contains(&mode) && !b.keys.is_empty())
        .collect();
    marked.sort_by_key(|b| rank(b));
    out.extend(marked.into_iter().map(|b| {
        let key = b.keys.first().map(key_name).unwrap_or_default();
        let word = b.desc.split([' ', '(', ',', ':']).next().unwrap_or(b.desc);
        (key, word)
    }));
    out
}

/// The cells a hint takes in the bar: ` key ` then ` word  `.
pub fn hint_width(key: &str, word: &str) -> usize {
    crate::text::width(key) + crate::text::width(word) + 5
}

/// The hints that fit whole in `width` cells, most important first; one that does not fit
/// makes room for shorter, less important ones after it.
pub fn fit_hints(mode: ModeKind, width: usize) -> Vec<(String, &'static str)> {
    let mut used = 0;
    hints(mode)
        .into_iter()
        .filter(|(k, w)| {
            let need = hint_width(k, w);
            let fits = used + need <= width;
            if fits {
                used += need;
            }
            fits
        })
        .collect()
}

/// The mode families as the help names them.
pub fn mode_title(m: ModeKind) -> &'static str {
    match m {
        Start => "start screen",
        Canvas => "canvas",
        Menu => "menus (palette, server, protocol)",
        Connect => "connecting",
        Form => "property form",
        Text => "typing",
        Confirm => "questions",
        Help => "help",
        Pick => "pickers (go to, link targets, form values)",
    }
}

/// The key table as Markdown, for the documentation.
pub fn markdown() -> String {
    let mut s = String::from("| Keys | Where | Does |\n|---|---|---|\n");
    for b in defaults() {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            keys_text(b).replace('|', "\\|"),
            where_text(b),
            b.desc
        ));
    }
    s.push_str(&format!("| mouse | canvas | {MOUSE} |\n"));
    s
}

/// What the mouse does, for the key table and the help screen.
pub const MOUSE: &str = "click selects (a box, a link, a server's frame, a finding); drag moves a box (dropped into another server's frame, it moves onto that server, in one undo step) or pans the empty canvas; wheel pans (Shift: sideways), and over the findings panel walks the findings";

/// Where a binding works: "everywhere" or the modes' names.
pub fn where_text(b: &Binding) -> String {
    if b.modes.len() == ALL.len() {
        "everywhere".to_string()
    } else {
        b.modes
            .iter()
            .map(|m| mode_title(*m))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A key as a keymap file spells it: `q`, `Q`, `ctrl-s`, `shift-left`, `alt-x`, `enter`,
/// `esc`, `tab`, `shift-tab`, `space`, `f1`, `pgdn`, `del`, `-`. The names the help prints
/// (`Ctrl-S`, `Shift-←`) read back too.
pub fn parse_key(text: &str) -> Result<Key, String> {
    if text == " " {
        return Ok(c(' '));
    }
    let t = text.trim();
    if t.is_empty() {
        return Err("an empty key".into());
    }
    // The last part is the key; the parts before it are modifiers. A key of its own can be
    // `-` (`ctrl--`).
    let (mod_part, base) = if t == "-" {
        ("", "-")
    } else if let Some(rest) = t.strip_suffix("--") {
        (rest, "-")
    } else {
        match t.rsplit_once('-') {
            Some((m, b)) if !b.is_empty() => (m, b),
            _ => ("", t),
        }
    };
    let mut mods = KeyModifiers::NONE;
    for m in mod_part.split('-').filter(|m| !m.is_empty()) {
        mods |= match m.to_ascii_lowercase().as_str() {
            "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
            "shift" | "s" => KeyModifiers::SHIFT,
            "alt" | "meta" | "m" | "a" => KeyModifiers::ALT,
            _ => return Err(format!("`{m}` is no modifier (ctrl, shift or alt)")),
        };
    }
    let mut chars = base.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(ch), None) => match ch {
            '←' => KeyCode::Left,
            '→' => KeyCode::Right,
            '↑' => KeyCode::Up,
            '↓' => KeyCode::Down,
            ch => KeyCode::Char(ch),
        },
        _ => match base.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" | "bs" => KeyCode::Backspace,
            "del" | "delete" => KeyCode::Delete,
            "ins" | "insert" => KeyCode::Insert,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => return Err(format!("`{base}` is no key")),
        },
    };
    Ok(match code {
        // Shift-Tab arrives as BackTab, and Shift with a letter as the upper-case letter.
        KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => Key {
            code: KeyCode::BackTab,
            mods: mods - KeyModifiers::SHIFT,
        },
        KeyCode::Char(ch) if mods.contains(KeyModifiers::CONTROL) => Key {
            code: KeyCode::Char(ch.to_ascii_lowercase()),
            mods: mods - KeyModifiers::SHIFT,
        },
        KeyCode::Char(ch) if mods.contains(KeyModifiers::SHIFT) => Key {
            code: KeyCode::Char(ch.to_ascii_uppercase()),
            mods: mods - KeyModifiers::SHIFT,
        },
        code => Key { code, mods },
    })
}

/// A mistake in a keymap file, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending line, as it is in the file.
    pub source_line: String,
}

impl FileError {
    pub(crate) fn at(text: &str, offset: usize, message: String) -> FileError {
        let (line, column) = crate::io::line_col(text, offset);
        FileError {
            line,
            column,
            message,
            source_line: text
                .lines()
                .nth(line.saturating_sub(1))
                .unwrap_or("")
                .to_string(),
        }
    }

    /// `path:line:column: message`, then the line itself, as the validator reports design
    /// files.
    pub fn render(&self, path: &std::path::Path) -> String {
        format!(
            "{}:{}:{}: {}\n  | {}",
            path.display(),
            self.line,
            self.column,
            self.message,
            self.source_line
        )
    }
}

/// The name closest to `typed`, when one is close enough to be a typo.
pub fn closest<'a>(typed: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    names
        .into_iter()
        .map(|n| (distance(typed, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// The first key that means two things in one mode: the key and the two bindings' indices.
pub fn first_conflict(table: &[Binding]) -> Option<(Key, usize, usize, ModeKind)> {
    for (i, a) in table.iter().enumerate() {
        for (j, b) in table.iter().enumerate().skip(i + 1) {
            for m in a.modes.iter().filter(|m| b.modes.contains(m)) {
                if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                    return Some((*k, i, j, *m));
                }
            }
        }
    }
    None
}

/// The keymap with a keymap file's text applied. Each entry gives one binding (by its
/// name, as the help lists them) its keys: `save = "ctrl-s"` or `undo = ["u", "ctrl-z"]`;
/// `[]` unbinds it. Unknown names, keys that are not keys and a key that would mean two
/// things in one mode are refused with where they are.
pub fn apply_file(base: &[Binding], text: &str) -> Result<Vec<Binding>, FileError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let first = e.message().lines().next().unwrap_or("not TOML").to_string();
        FileError::at(text, offset, first)
    })?;
    let mut table = base.to_vec();
    // Which entry set each binding's keys, for the message about a clash.
    let mut set_at: Vec<Option<usize>> = vec![None; table.len()];
    for (key, item) in doc.as_table().iter() {
        let key_span = doc
            .as_table()
            .key(key)
            .and_then(|k| k.span())
            .map_or(0, |s| s.start);
        let value_at = item.span().map_or(key_span, |s| s.start);
        let Some(i) = table.iter().position(|b| b.name == key) else {
            let hint = closest(key, base.iter().map(|b| b.name))
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(FileError::at(
                text,
                key_span,
                format!("no binding is called `{key}`{hint}; the help (?) lists them"),
            ));
        };
        let spelled: Vec<String> = match item.as_value() {
            Some(toml_edit::Value::String(s)) => vec![s.value().clone()],
            Some(toml_edit::Value::Array(a)) => a
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    FileError::at(text, value_at, format!("`{key}` takes keys as strings"))
                })?,
            _ => {
                return Err(FileError::at(
                    text,
                    value_at,
                    format!(
                        "`{key}` takes a key or a list of keys, like \"ctrl-s\" or [\"u\", \"ctrl-z\"]"
                    ),
                ));
            }
        };
        let mut keys = Vec::new();
        for s in &spelled {
            let k = parse_key(s).map_err(|e| FileError::at(text, value_at, e))?;
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        table[i].keys = keys;
        set_at[i] = Some(value_at);
    }
    if let Some((k, i, j, m)) = first_conflict(&table) {
        let (mine, other) = if set_at[j].is_some() { (j, i) } else { (i, j) };
        let at = set_at[mine].unwrap_or(0);
        return Err(FileError::at(
            text,
            at,
            format!(
                "`{}` would mean both `{}` and `{}` in the {}; give `{}` other keys too",
                key_name(&k),
                table[mine].name,
                table[other].name,
                mode_title(m),
                table[other].name
            ),
        ));
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn no_key_means_two_things_in_one_mode() {
        let all = bindings();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                for m in a.modes.iter().filter(|m| b.modes.contains(m)) {
                    for k in &a.keys {
                        assert!(
                            !b.keys.contains(k),
                            "{} means both `{}` and `{}` in {m:?}",
                            key_name(k),
                            a.desc,
                            b.desc
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn keys_map_to_actions_by_mode() {
        let mut app = App::new(crate::model::Design::new("t"), None);
        let a = |app: &App, code, mods| action_for_key(app, press(code, mods));
        assert_eq!(
            a(&app, KeyCode::Char('a'), KeyModifiers::NONE),
            Some(Action::Add)
        );
        assert_eq!(
            a(&app, KeyCode::Char('s'), KeyModifiers::CONTROL),
            Some(Action::Save)
        );
        assert_eq!(
            a(&app, KeyCode::Left, KeyModifiers::SHIFT),
            Some(Action::Nudge(-STEP, 0)),
            "Shift moves the box"
        );
        assert_eq!(
            a(&app, KeyCode::Left, KeyModifiers::NONE),
            Some(Action::SelectToward(-1, 0)),
            "an arrow moves the selection"
        );
        assert_eq!(
            a(&app, KeyCode::Char('/'), KeyModifiers::NONE),
            Some(Action::GoTo)
        );
        assert_eq!(
            a(&app, KeyCode::Char('H'), KeyModifiers::SHIFT),
            Some(Action::Nudge(-BIG_X, 0))
        );
        app.mode = super::super::state::Mode::Prompt {
            kind: super::super::state::PromptKind::SaveAs,
            input: crate::editor::textinput::TextInput::default(),
        };
        assert_eq!(
            a(&app, KeyCode::Char('a'), KeyModifiers::NONE),
            Some(Action::Char('a'))
        );
        assert_eq!(
            a(&app, KeyCode::Char('q'), KeyModifiers::NONE),
            Some(Action::Char('q')),
            "typing a q into a file name does not quit"
        );
        assert_eq!(
            a(&app, KeyCode::Char('w'), KeyModifiers::CONTROL),
            Some(Action::TextEdit(super::super::textinput::Edit::DeleteWord))
        );
        assert_eq!(
            a(&app, KeyCode::Left, KeyModifiers::NONE),
            Some(Action::TextEdit(super::super::textinput::Edit::Left))
        );
        assert_eq!(
            a(&app, KeyCode::Tab, KeyModifiers::NONE),
            Some(Action::Complete)
        );
        // Releases and repeats of a key are not presses.
        let mut release = press(KeyCode::Char('a'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(action_for_key(&app, release), None);
    }

    #[test]
    #[ignore = "prints the key table for docs/editor.md"]
    fn print_key_table() {
        print!("{}", markdown());
    }

    #[test]
    fn the_documentation_lists_every_key() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/editor.md"),
        )
        .expect("docs/editor.md");
        assert!(
            doc.contains(&markdown()),
            "docs/editor.md's key table is stale; paste the output of keymap::markdown()"
        );
    }

    #[test]
    fn keys_are_spelled_as_people_write_them() {
        let key = |s| parse_key(s).expect(s);
        assert_eq!(key("ctrl-s"), ctrl('s'));
        assert_eq!(key("Ctrl-S"), ctrl('s'));
        assert_eq!(key("q"), c('q'));
        assert_eq!(key("shift-h"), c('H'));
        assert_eq!(key("shift-left"), shift(KeyCode::Left));
        assert_eq!(key("Shift-←"), shift(KeyCode::Left));
        assert_eq!(key("shift-tab"), k(KeyCode::BackTab));
        assert_eq!(key("f1"), k(KeyCode::F(1)));
        assert_eq!(key("space"), c(' '));
        assert_eq!(key("-"), c('-'));
        assert_eq!(key("ctrl--"), ctrl('-'));
        assert!(parse_key("hyper-x").is_err());
        assert!(parse_key("enterr").is_err());
        assert!(parse_key("f99").is_err());
        assert!(parse_key("").is_err());
        // What the help prints reads back as the same key.
        for b in defaults() {
            for key in &b.keys {
                let back = parse_key(&key_name(key)).expect("a printed key reads back");
                let ev = KeyEvent::new(back.code, back.mods);
                assert!(
                    matches(key, &ev),
                    "{} reads back as {back:?}",
                    key_name(key)
                );
            }
        }
    }

    #[test]
    fn every_binding_has_a_unique_name() {
        let mut names: Vec<&str> = defaults().iter().map(|b| b.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
    }

    #[test]
    fn a_keymap_file_gives_bindings_other_keys() {
        let t = apply_file(
            defaults(),
            "# mine\nsave = \"ctrl-w\"\nundo = [\"u\", \"ctrl-z\", \"ctrl-z\"]\nexport = []\n",
        )
        .expect("a valid keymap file");
        let by = |name| t.iter().find(|b| b.name == name).expect("binding");
        assert_eq!(by("save").keys, vec![ctrl('w')]);
        assert_eq!(by("undo").keys, vec![c('u'), ctrl('z')]);
        assert!(by("export").keys.is_empty());
        assert_eq!(by("quit").keys, vec![c('q')], "the rest stays");
    }

    #[test]
    fn mistakes_in_a_keymap_file_say_where_they_are() {
        let e = apply_file(defaults(), "save = \"ctrl-s\"\nsavee = \"w\"\n").expect_err("typo");
        assert_eq!((e.line, e.column), (2, 1));
        assert!(
            e.message.contains("`savee`") && e.message.contains("did you mean `save`"),
            "{}",
            e.message
        );
        assert_eq!(e.source_line, "savee = \"w\"");
        let e = apply_file(defaults(), "\n\nsave = \"ctrl-nope\"\n").expect_err("bad key");
        assert_eq!(e.line, 3);
        let e = apply_file(defaults(), "save = 3\n").expect_err("a number");
        assert!(e.message.contains("takes a key"), "{}", e.message);
        let e = apply_file(defaults(), "save = \"q\"\n").expect_err("a clash");
        assert_eq!(e.line, 1);
        assert!(
            e.message.contains("`quit`") && e.message.contains("`save`"),
            "{}",
            e.message
        );
        let e = apply_file(defaults(), "save = [\n").expect_err("not TOML");
        assert_eq!(e.line, 1);
        let rendered = e.render(std::path::Path::new("/c/keys.toml"));
        assert!(rendered.starts_with("/c/keys.toml:1:"), "{rendered}");
    }

    #[test]
    fn a_narrow_hint_bar_keeps_the_most_important_hints_whole() {
        let all = hints(Canvas);
        assert_eq!(all.first().map(|h| h.1), Some("help"));
        let narrow = fit_hints(Canvas, 40);
        assert!(!narrow.is_empty() && narrow.len() < all.len());
        let used: usize = narrow.iter().map(|(k, w)| hint_width(k, w)).sum();
        assert!(used <= 40);
        assert_eq!(narrow[0], all[0], "help comes first");
        assert_eq!(fit_hints(Canvas, 1000), all);
        assert!(fit_hints(Canvas, 3).is_empty());
        assert_eq!(hints(Form).first().map(|h| h.1), Some("change"));
    }
}
