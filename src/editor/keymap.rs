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
    pub modes: Vec<ModeKind>,
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: &'static str,
    /// Shown in the status bar's hints.
    pub hint: bool,
}

use ModeKind::*;
const ALL: &[ModeKind] = &[Start, Canvas, Menu, Connect, Form, Text, Confirm, Help];
const CANVAS: &[ModeKind] = &[Canvas];
const MOVE: &[ModeKind] = &[Canvas, Connect];
const LISTS: &[ModeKind] = &[Start, Menu, Form, Help];

const STEP: i32 = 1;
const BIG_X: i32 = 8;
const BIG_Y: i32 = 4;

fn b(modes: &[ModeKind], keys: &[Key], action: Action, desc: &'static str, hint: bool) -> Binding {
    Binding {
        modes: modes.to_vec(),
        keys: keys.to_vec(),
        action,
        desc,
        hint,
    }
}

static BINDINGS: std::sync::LazyLock<Vec<Binding>> = std::sync::LazyLock::new(table);

/// The whole keymap, in the order the help shows it.
pub fn bindings() -> &'static [Binding] {
    &BINDINGS
}

fn table() -> Vec<Binding> {
    use KeyCode::{
        BackTab, Backspace, Delete, Down, Enter, Esc, F, Left, PageDown, PageUp, Right, Tab, Up,
    };
    vec![
        b(
            ALL,
            &[ctrl('c'), ctrl('q')],
            Action::Quit,
            "quit (asks when there are unsaved changes)",
            false,
        ),
        b(&[Canvas, Start], &[c('q')], Action::Quit, "quit", true),
        b(&[Canvas, Form], &[ctrl('s')], Action::Save, "save", true),
        b(CANVAS, &[c('S')], Action::SaveAs, "save as…", false),
        b(
            &[Canvas, Start],
            &[ctrl('o')],
            Action::Open,
            "open a file",
            false,
        ),
        b(
            CANVAS,
            &[c('E')],
            Action::Export,
            "export to SVG or DOT",
            false,
        ),
        b(
            &[Canvas, Form],
            &[ctrl('z'), c('u')],
            Action::Undo,
            "undo",
            true,
        ),
        b(
            CANVAS,
            &[ctrl('y'), ctrl('r'), c('U')],
            Action::Redo,
            "redo",
            false,
        ),
        b(
            &[Canvas, Start, Help],
            &[c('?'), k(F(1))],
            Action::Help,
            "help: every key",
            true,
        ),
        b(
            CANVAS,
            &[c('a')],
            Action::Add,
            "add a component (palette)",
            true,
        ),
        b(
            CANVAS,
            &[c('c')],
            Action::Connect,
            "connect the selected component to another",
            true,
        ),
        b(
            CANVAS,
            &[c('e'), k(Enter)],
            Action::Edit,
            "edit properties (form)",
            true,
        ),
        b(
            CANVAS,
            &[c('r')],
            Action::Rename,
            "rename (change the id)",
            false,
        ),
        b(
            CANVAS,
            &[c('s')],
            Action::PlaceOnServer,
            "put the component on a server (new or existing)",
            false,
        ),
        b(
            CANVAS,
            &[c('d'), k(Delete)],
            Action::Delete,
            "delete the selection (a component with its links)",
            true,
        ),
        b(
            CANVAS,
            &[c('x')],
            Action::ToggleFailed,
            "fail or restore the selected component or server (simulation)",
            true,
        ),
        b(
            CANVAS,
            &[c('X')],
            Action::ClearFailures,
            "restore every failed component",
            false,
        ),
        b(
            CANVAS,
            &[c('n')],
            Action::NextFinding,
            "next finding (highlights it)",
            true,
        ),
        b(
            CANVAS,
            &[c('N')],
            Action::PrevFinding,
            "previous finding",
            false,
        ),
        b(
            CANVAS,
            &[c('f')],
            Action::TogglePanel,
            "show / hide the findings panel",
            false,
        ),
        b(
            &[Canvas, Connect],
            &[k(Tab)],
            Action::SelectNext,
            "select the next item",
            false,
        ),
        b(
            &[Canvas, Connect],
            &[shift(BackTab), k(BackTab)],
            Action::SelectPrev,
            "select the previous item",
            false,
        ),
        b(
            CANVAS,
            &[c('p')],
            Action::SelectServer,
            "select the server of the component",
            false,
        ),
        b(
            CANVAS,
            &[c('o')],
            Action::SelectLink,
            "select the next link of the component",
            false,
        ),
        b(
            MOVE,
            &[k(Left), c('h')],
            Action::Nudge(-STEP, 0),
            "move the selection left (pan when none)",
            false,
        ),
        b(
            MOVE,
            &[k(Right), c('l')],
            Action::Nudge(STEP, 0),
            "move right",
            false,
        ),
        b(
            MOVE,
            &[k(Up), c('k')],
            Action::Nudge(0, -STEP),
            "move up",
            false,
        ),
        b(
            MOVE,
            &[k(Down), c('j')],
            Action::Nudge(0, STEP),
            "move down",
            false,
        ),
        b(
            CANVAS,
            &[shift(Left), c('H')],
            Action::Nudge(-BIG_X, 0),
            "move left, a big step",
            false,
        ),
        b(
            CANVAS,
            &[shift(Right), c('L')],
            Action::Nudge(BIG_X, 0),
            "move right, a big step",
            false,
        ),
        b(
            CANVAS,
            &[shift(Up), c('K')],
            Action::Nudge(0, -BIG_Y),
            "move up, a big step",
            false,
        ),
        b(
            CANVAS,
            &[shift(Down), c('J')],
            Action::Nudge(0, BIG_Y),
            "move down, a big step",
            false,
        ),
        b(
            CANVAS,
            &[ctrl_k(Left)],
            Action::Pan(-BIG_X, 0),
            "pan left",
            false,
        ),
        b(
            CANVAS,
            &[ctrl_k(Right)],
            Action::Pan(BIG_X, 0),
            "pan right",
            false,
        ),
        b(
            CANVAS,
            &[ctrl_k(Up), k(PageUp)],
            Action::Pan(0, -BIG_Y),
            "pan up",
            false,
        ),
        b(
            CANVAS,
            &[ctrl_k(Down), k(PageDown)],
            Action::Pan(0, BIG_Y),
            "pan down",
            false,
        ),
        b(
            CANVAS,
            &[c('z'), c('.')],
            Action::Center,
            "centre on the selection (fit when none)",
            false,
        ),
        b(
            CANVAS,
            &[c('A')],
            Action::Arrange,
            "arrange automatically (clients → tiers → data)",
            false,
        ),
        b(
            &[Canvas, Menu, Connect, Form, Text, Start],
            &[k(Esc)],
            Action::Cancel,
            "cancel, close, deselect",
            false,
        ),
        b(LISTS, &[k(Up), c('k')], Action::Up, "previous entry", false),
        b(LISTS, &[k(Down), c('j')], Action::Down, "next entry", false),
        b(
            &[Menu, Form],
            &[k(Left)],
            Action::Left,
            "previous choice",
            false,
        ),
        b(
            &[Menu, Form],
            &[k(Right)],
            Action::Right,
            "next choice",
            false,
        ),
        b(
            &[Start, Menu, Connect, Form, Text],
            &[k(Enter)],
            Action::Accept,
            "choose, edit the field, commit",
            true,
        ),
        b(
            &[Help],
            &[k(Esc), c('q'), k(Enter)],
            Action::Cancel,
            "close the help",
            true,
        ),
        b(&[Confirm], &[c('y')], Action::Yes, "yes", true),
        b(&[Confirm], &[c('n')], Action::No, "no", true),
        b(&[Confirm], &[k(Esc)], Action::Cancel, "cancel", true),
        b(
            &[Text],
            &[k(Backspace)],
            Action::Backspace,
            "delete a character",
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
    if mode == ModeKind::Text
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

/// Short hints for the status bar: the bindings marked as hints in this mode.
pub fn hints(mode: ModeKind) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = bindings()
        .iter()
        .filter(|b| b.hint && b.modes.contains(&mode))
        .map(|b| {
            let key = b.keys.first().map(key_name).unwrap_or_default();
            let word = b.desc.split([' ', '(', ',', ':']).next().unwrap_or(b.desc);
            (key, word)
        })
        .collect();
    match mode {
        ModeKind::Menu => out.push(("↑↓".into(), "choose")),
        ModeKind::Connect => out.push(("←↑↓→/Tab".into(), "target")),
        ModeKind::Form => out.push(("←→".into(), "change")),
        ModeKind::Text => out.push(("Esc".into(), "cancel")),
        _ => {}
    }
    out
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
    }
}

/// The key table as Markdown, for the documentation.
pub fn markdown() -> String {
    let mut s = String::from("| Keys | Where | Does |\n|---|---|---|\n");
    for b in bindings() {
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
            Some(Action::Nudge(-BIG_X, 0))
        );
        assert_eq!(
            a(&app, KeyCode::Char('H'), KeyModifiers::SHIFT),
            Some(Action::Nudge(-BIG_X, 0))
        );
        app.mode = super::super::state::Mode::Prompt {
            kind: super::super::state::PromptKind::SaveAs,
            input: String::new(),
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
}
