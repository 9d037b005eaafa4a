//! The keys as a user presses them: a start state, a key string through the keymap, the state
//! afterwards (helix's integration tests work the same way). `<…>` is one key by its name
//! (`<enter>`, `<shift-right>`, `<ctrl-u>`); any other character is that key.

use super::*;
use crate::editor::keymap;
use ratatui::crossterm::event::KeyEvent;

fn step(app: &mut App, action: Action) {
    crate::editor::apply(app, action);
}

fn app(name: &str) -> App {
    let mut a = App::new(crate::templates::template(name).expect("template"), None);
    step(&mut a, Action::Resize(160, 48));
    a
}

/// Presses the keys of `keys` in turn, each read against the mode it finds.
fn keys(app: &mut App, keys: &str) {
    let mut rest = keys;
    while let Some(ch) = rest.chars().next() {
        let (key, len) = if ch == '<'
            && let Some(end) = rest.find('>')
            && end > 1
        {
            (
                keymap::parse_key(&rest[1..end]).expect("a key name"),
                end + 1,
            )
        } else {
            (
                keymap::parse_key(&ch.to_string()).expect("a key"),
                ch.len_utf8(),
            )
        };
        rest = &rest[len..];
        let ev = KeyEvent::new(key.code, key.mods);
        if let Some(a) = keymap::action_for_key(app, ev) {
            step(app, a);
        }
    }
}

fn select(app: &mut App, id: &str) {
    app.selection = Selection::Component(id.to_string());
}

#[test]
fn slash_finds_anything_and_enter_jumps_to_it() {
    let mut a = app("secured-monitored");
    keys(&mut a, "/replica<enter>");
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(a.selection, Selection::Component("mysql-replica".into()));
    keys(&mut a, "/web-02<enter>");
    assert_eq!(a.selection, Selection::Server("web-02".into()));
    // A finding by its rule: selected as `n` would.
    let rule = a.derived.findings[0].rule;
    keys(&mut a, &format!("/{rule}<enter>"));
    assert!(a.finding.is_some());
    assert_eq!(a.finding.map(|i| a.derived.findings[i].rule), Some(rule));
    // Esc leaves everything as it was.
    let before = a.selection.clone();
    keys(&mut a, "/nginx<esc>");
    assert_eq!(
        (a.mode.clone(), a.selection.clone()),
        (Mode::Normal, before)
    );
}

#[test]
fn arrows_move_the_selection_and_shift_arrows_move_the_box() {
    let mut a = app("secured-monitored");
    select(&mut a, "user");
    let design = a.design.clone();
    keys(&mut a, "<right>");
    assert_eq!(a.selection, Selection::Component("haproxy".into()));
    keys(&mut a, "l");
    assert_ne!(a.selection, Selection::Component("haproxy".into()));
    assert_eq!(a.design, design, "selecting moves nothing");
    select(&mut a, "haproxy");
    let x = a.design.component("haproxy").and_then(|c| c.x);
    keys(&mut a, "<shift-right><shift-right>");
    assert_eq!(
        a.design.component("haproxy").and_then(|c| c.x),
        x.map(|x| x + 2)
    );
    assert_eq!(a.undo_steps(), 1, "a run of moves is one undo step");
}

#[test]
fn duplicating_a_firewall_and_an_agent_onto_a_new_server() {
    let mut a = app("secured-monitored");
    select(&mut a, "fw-lb-01");
    // D opens the choice; the new server is the first choice made.
    keys(&mut a, "D<enter>");
    assert_eq!(a.selection, Selection::Component("fw-lb-02".into()));
    assert_eq!(
        a.design
            .component("fw-lb-02")
            .and_then(|c| c.server.clone()),
        Some("lb-02".into())
    );
    // The agent onto that server, with its link to the monitoring service.
    select(&mut a, "agent-lb-01");
    keys(&mut a, "D");
    let Mode::Duplicate { .. } = a.mode else {
        panic!("the duplicate menu: {:?}", a.mode)
    };
    let entries = a.menu_items();
    let lb02 = entries
        .iter()
        .position(|e| e.starts_with("lb-02"))
        .expect("lb-02 listed");
    keys(&mut a, &"<down>".repeat(lb02 - 2));
    keys(&mut a, "<enter>");
    assert!(
        a.design
            .links
            .iter()
            .any(|l| l.from == "agent-lb-02" && l.to == "sumologic")
    );
    assert_eq!(a.undo_steps(), 2);
    keys(&mut a, "u");
    assert!(a.design.component("agent-lb-02").is_none());
    // ←/→ on the menu: the copy comes without links.
    select(&mut a, "agent-web-01");
    keys(&mut a, "D<left><enter>");
    let copy = match &a.selection {
        Selection::Component(id) => id.clone(),
        s => panic!("the copy is selected: {s:?}"),
    };
    assert!(
        !a.design
            .links
            .iter()
            .any(|l| l.from == copy || l.to == copy)
    );
}

#[test]
fn o_walks_every_link_of_the_component_whichever_way_they_go() {
    let mut a = app("secured-monitored");
    select(&mut a, "sumologic");
    let touching: Vec<usize> = a
        .design
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.to == "sumologic" || l.from == "sumologic")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(touching.len(), 3, "three agents report to it");
    let mut seen = Vec::new();
    for _ in 0..touching.len() {
        keys(&mut a, "o");
        let Selection::Link(i) = a.selection else {
            panic!("a link is selected: {:?}", a.selection)
        };
        seen.push(i);
    }
    assert_eq!(seen, touching);
    keys(&mut a, "o");
    assert_eq!(a.selection, Selection::Link(touching[0]), "and round again");
    let m = a.message.clone().expect("a message");
    assert!(m.text.starts_with("link 1 of 3 of `sumologic`"), "{m:?}");
}

#[test]
fn link_targets_and_form_values_come_from_pickers() {
    let mut a = app("secured-monitored");
    select(&mut a, "agent-web-01");
    let before = a.design.links.len();
    // c, then / to find the target by name, then the protocol menu.
    keys(&mut a, "c/sumo<enter>");
    let Mode::Protocol { to, .. } = &a.mode else {
        panic!("the protocol menu: {:?}", a.mode)
    };
    assert_eq!(to, "sumologic");
    keys(&mut a, "<enter>");
    assert_eq!(a.design.links.len(), before + 1);
    // A server in the form: Enter opens the picker, typing narrows it.
    select(&mut a, "app");
    keys(&mut a, "e");
    let Mode::Form(f) = &a.mode else {
        panic!("the form")
    };
    let server = f
        .fields
        .iter()
        .position(|f| f.name == "server")
        .expect("field");
    keys(&mut a, &"<down>".repeat(server));
    keys(&mut a, "<enter>web-02<enter>");
    assert_eq!(
        a.design.component("app").and_then(|c| c.server.clone()),
        Some("web-02".into())
    );
    // A new cluster is typed into the cluster picker.
    let Mode::Form(f) = &a.mode else {
        panic!("back in the form")
    };
    let cluster = f
        .fields
        .iter()
        .position(|f| f.name == "cluster")
        .expect("field");
    let here = f.sel;
    keys(&mut a, &"<down>".repeat(cluster - here));
    keys(&mut a, "<enter>app-pool<enter>");
    assert_eq!(
        a.design.component("app").and_then(|c| c.cluster.clone()),
        Some("app-pool".into())
    );
    let Mode::Form(f) = &a.mode else {
        panic!("back in the form")
    };
    assert_eq!(
        f.fields[f.sel].name, "cluster",
        "the cursor stays on the field though the cluster's fields appeared"
    );
    // A VIP must be an IP.
    keys(&mut a, "<down><down><enter>not-an-ip<enter>");
    assert!(
        a.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.contains("not an IP"))
    );
    assert_eq!(
        a.design.cluster("app-pool").and_then(|c| c.vip.clone()),
        None
    );
    keys(&mut a, "<enter><ctrl-u>10.0.0.9<enter>");
    assert_eq!(
        a.design.cluster("app-pool").and_then(|c| c.vip.clone()),
        Some("10.0.0.9".into())
    );
}

#[test]
fn text_fields_have_a_cursor() {
    let mut a = app("simple");
    select(&mut a, "app");
    keys(&mut a, "e");
    let Mode::Form(f) = &a.mode else {
        panic!("the form")
    };
    let label = f
        .fields
        .iter()
        .position(|f| f.name == "label")
        .expect("field");
    let old = a
        .design
        .component("app")
        .and_then(|c| c.label.clone())
        .unwrap_or_default();
    keys(&mut a, &"<down>".repeat(label));
    keys(&mut a, "<enter><home>Main <end>!<left><backspace><enter>");
    let mut want = format!("Main {old}!");
    want.remove(want.len() - 2);
    assert_eq!(
        a.design.component("app").and_then(|c| c.label.clone()),
        Some(want)
    );
    keys(&mut a, "<enter><ctrl-w><ctrl-u>Two words<ctrl-w>w<enter>");
    assert_eq!(
        a.design.component("app").and_then(|c| c.label.clone()),
        Some("Two w".into())
    );
}

#[test]
fn a_refused_rename_keeps_the_prompt_open_with_the_reason() {
    let mut a = app("simple");
    select(&mut a, "app");
    keys(&mut a, "r<ctrl-u>nginx<enter>");
    let Mode::Prompt { input, .. } = &a.mode else {
        panic!("the prompt stays: {:?}", a.mode)
    };
    assert_eq!(input.text(), "nginx");
    assert!(
        a.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.contains("already used"))
    );
    keys(&mut a, "<backspace><backspace>-2<enter>");
    assert_eq!(a.mode, Mode::Normal);
    assert!(a.design.component("ngi-2").is_some());
}

#[test]
fn save_and_quit_on_a_new_design_quits_after_the_save_as() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app("simple");
    a.path = None;
    keys(&mut a, "a<enter><esc>");
    assert!(a.dirty());
    keys(&mut a, "q");
    assert_eq!(a.mode, Mode::Confirm(Confirm::Quit));
    keys(&mut a, "y");
    let file = dir.path().join("site.toml");
    keys(&mut a, &format!("<ctrl-u>{}<enter>", file.display()));
    assert!(file.exists(), "saved");
    assert!(a.quit, "and quit");
}

#[test]
fn tab_completes_file_names_in_prompts() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("shop.toml"), "").expect("write");
    std::fs::write(dir.path().join("shop-old.toml"), "").expect("write");
    let mut a = app("simple");
    keys(&mut a, &format!("<ctrl-o>{}/sh<tab>", dir.path().display()));
    let Mode::Prompt { input, .. } = &a.mode else {
        panic!("the prompt")
    };
    assert_eq!(input.text(), format!("{}/shop", dir.path().display()));
    let m = a.message.clone().expect("the matches are listed");
    assert!(
        m.text.contains("shop-old.toml") && m.text.contains("shop.toml"),
        "{m:?}"
    );
    keys(&mut a, ".<tab>");
    let Mode::Prompt { input, .. } = &a.mode else {
        panic!("the prompt")
    };
    assert_eq!(input.text(), format!("{}/shop.toml", dir.path().display()));
}

#[test]
fn zero_fits_the_design_and_m_lets_go_of_the_mouse() {
    let mut a = app("resilient");
    keys(&mut a, "<ctrl-right><ctrl-right><ctrl-down>");
    let panned = a.view;
    keys(&mut a, "0");
    assert_ne!(a.view, panned);
    let mut fitted = a.clone();
    fitted.fit_view();
    assert_eq!(a.view, fitted.view);
    assert!(a.mouse);
    keys(&mut a, "M");
    assert!(!a.mouse);
    keys(&mut a, "M");
    assert!(a.mouse);
}

/// A design's shape as design 4 defines it: ids, kinds, servers, clusters, roles, links, the
/// DNS record; not labels, software, addresses or positions.
fn shape(d: &Design) -> Vec<String> {
    let mut out: Vec<String> = d
        .servers
        .iter()
        .map(|s| format!("server {}", s.id))
        .collect();
    out.extend(
        d.clusters
            .iter()
            .map(|c| format!("cluster {} {} {:?}", c.id, c.mode.as_str(), c.vip)),
    );
    out.extend(d.components.iter().map(|c| {
        format!(
            "component {} {} on {:?} in {:?} as {:?}",
            c.id,
            c.kind.as_str(),
            c.server,
            c.cluster,
            c.role
        )
    }));
    out.extend(
        d.links
            .iter()
            .map(|l| format!("link {} → {} {}", l.from, l.to, l.protocol.as_str())),
    );
    out.extend(
        d.dns
            .iter()
            .map(|r| format!("dns {} → {}", r.name, r.target)),
    );
    out.sort();
    out
}

/// The keys of a key file: its lines without comments, joined.
pub(crate) fn key_file(path: &str) -> String {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect("key file");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect()
}

/// How many keys a key string presses.
fn count_keys(keys: &str) -> usize {
    let mut n = 0;
    let mut rest = keys;
    while let Some(ch) = rest.chars().next() {
        let len = match rest.find('>') {
            Some(end) if ch == '<' && end > 1 => end + 1,
            _ => ch.len_utf8(),
        };
        rest = &rest[len..];
        n += 1;
    }
    n
}

#[test]
fn design_3_becomes_design_4_with_the_picker_and_duplicate() {
    let load = |p: &str| {
        crate::io::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
            .expect("a reference design")
    };
    let mut a = App::new(load("designs/03-secured-monitored.toml"), None);
    step(&mut a, Action::Resize(160, 48));
    let script = key_file("tests/fixtures/design3-to-4.keys");
    keys(&mut a, &script);
    assert_eq!(a.mode, Mode::Normal);
    let want = load("designs/04-scale-up.toml");
    assert_eq!(shape(&a.design), shape(&want));
    // It took about 100 keys before the picker and duplicate, not counting typed names.
    let n = count_keys(&script);
    assert!(n <= 330, "{n} keys");
    println!("design 3 → design 4: {n} keys");
}

/// The rules of the findings the editor shows now.
fn rules(app: &App) -> Vec<&'static str> {
    app.derived.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn zones_are_created_placed_renamed_and_deleted_with_keys() {
    let mut a = app("distributed");
    // `a`, `z` jumps to the palette's zone entry; a new id typed creates the zone and opens
    // its form on the region.
    keys(&mut a, "az<enter>eu-west-1a<enter>");
    assert!(
        matches!(&a.mode, Mode::Form(f) if f.target == Target::Zone("eu-west-1a".into()) && f.sel == 1),
        "{:?}",
        a.mode
    );
    keys(
        &mut a,
        "<enter>eu-west-1<enter><down><down><enter>0.9995<enter><esc>",
    );
    keys(
        &mut a,
        // The region is chosen from the regions the zones name already (or typed anew).
        "az<enter>eu-west-1b<enter><enter>eu<enter><esc>",
    );
    let zones: Vec<(&str, Option<&str>)> = a
        .design
        .zones
        .iter()
        .map(|z| (z.id.as_str(), z.region.as_deref()))
        .collect();
    assert_eq!(
        zones,
        [
            ("eu-west-1a", Some("eu-west-1")),
            ("eu-west-1b", Some("eu-west-1"))
        ]
    );
    assert_eq!(a.design.zones[0].availability.map(|n| n.0), Some(0.9995));
    // A bad availability is refused in the form, with the reason, and changes nothing.
    keys(
        &mut a,
        "az<enter>eu-west-1b<enter><down><down><enter>1.5<enter>",
    );
    assert!(
        a.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.contains("outside (0, 1]")),
        "{:?}",
        a.message
    );
    assert_eq!(a.design.zones[1].availability, None);
    keys(&mut a, "<esc>");
    // Each web server in its own zone, chosen in its form's zone picker.
    for (server, zone) in [("web-01", "eu-west-1a"), ("web-02", "eu-west-1b")] {
        a.selection = Selection::Server(server.into());
        keys(
            &mut a,
            &format!("e<down><down><down><enter>{zone}<enter><esc>"),
        );
        assert_eq!(
            a.design.server(server).and_then(|s| s.zone.as_deref()),
            Some(zone)
        );
    }
    assert!(!rules(&a).contains(&"SPOF-ZONE"), "{:?}", rules(&a));
    // The last server leaving zone b for zone a makes zone a a single point of failure; undo
    // takes it back.
    a.selection = Selection::Server("web-02".into());
    keys(&mut a, "e<down><down><down><left><esc>");
    assert_eq!(
        a.design.server("web-02").and_then(|s| s.zone.as_deref()),
        Some("eu-west-1a")
    );
    assert!(rules(&a).contains(&"SPOF-ZONE"), "{:?}", rules(&a));
    keys(&mut a, "u");
    assert!(!rules(&a).contains(&"SPOF-ZONE"), "{:?}", rules(&a));
    // A new zone typed into a server's zone picker is created with it.
    keys(&mut a, "e<down><down><down><enter>eu-west-1c<enter>");
    assert_eq!(a.design.zones.len(), 3);
    assert_eq!(
        a.design.server("web-02").and_then(|s| s.zone.as_deref()),
        Some("eu-west-1c")
    );
    keys(&mut a, "u<esc>");
    assert_eq!(a.design.zones.len(), 2);
    // Renaming a zone in its form renames it in every server that names it.
    keys(
        &mut a,
        "az<enter>eu-west-1a<enter><up><enter><ctrl-u>dub-a<enter>",
    );
    assert_eq!(a.design.zones[0].id, "dub-a");
    assert_eq!(
        a.design.server("web-01").and_then(|s| s.zone.as_deref()),
        Some("dub-a")
    );
    // A taken id is refused with the reason.
    keys(&mut a, "<enter><ctrl-u>eu-west-1b<enter>");
    assert_eq!(a.design.zones[0].id, "dub-a");
    assert!(
        a.message.as_ref().is_some_and(|m| m.error),
        "{:?}",
        a.message
    );
    // `d` in a zone's form deletes the zone; its server stays, in no zone; undo brings both.
    keys(&mut a, "d");
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(a.design.zones.len(), 1);
    assert_eq!(
        a.design.server("web-01").and_then(|s| s.zone.as_deref()),
        None
    );
    assert!(
        a.message
            .as_ref()
            .is_some_and(|m| m.text.contains("`web-01` is in no zone now")),
        "{:?}",
        a.message
    );
    keys(&mut a, "u");
    assert!(
        a.message
            .as_ref()
            .is_some_and(|m| m.text.starts_with("undid: delete zone `dub-a`")),
        "{:?}",
        a.message
    );
    assert_eq!(a.design.zones[0].id, "dub-a");
    assert_eq!(
        a.design.server("web-01").and_then(|s| s.zone.as_deref()),
        Some("dub-a")
    );
    keys(&mut a, "<ctrl-y>");
    assert_eq!(a.design.zones.len(), 1);
}

#[test]
fn networks_are_set_in_server_and_component_forms() {
    let mut a = app("distributed");
    a.selection = Selection::Server("web-01".into());
    keys(&mut a, "e<down><down><down><down><right><esc>");
    assert_eq!(
        a.design.server("web-01").and_then(|s| s.network),
        Some(crate::model::Network::Public)
    );
    select(&mut a, "mysql-primary");
    let last =
        match crate::editor::form::fields(&a.design, &Target::Component("mysql-primary".into()))
            .last()
        {
            Some(f) => f.name,
            None => "",
        };
    assert_eq!(last, "network");
    // The network field is the form's last; going down stops there.
    keys(
        &mut a,
        &format!("e{}<right><right><esc>", "<down>".repeat(12)),
    );
    assert_eq!(
        a.design.component("mysql-primary").and_then(|c| c.network),
        Some(crate::model::Network::Private)
    );
}

#[test]
fn undoing_a_new_zone_closes_its_form() {
    let mut a = app("distributed");
    keys(&mut a, "az<enter>z1<enter>");
    assert_eq!(a.design.zones.len(), 1);
    keys(&mut a, "<ctrl-z>");
    assert!(a.design.zones.is_empty());
    assert_eq!(a.mode, Mode::Normal);
    // Esc in the zone picker adds nothing.
    keys(&mut a, "az<enter>z2<esc>");
    assert!(a.design.zones.is_empty());
    assert_eq!(a.mode, Mode::Normal);
}

#[test]
fn a_zone_id_that_names_something_else_is_refused_with_the_reason() {
    let mut a = app("distributed");
    keys(&mut a, "az<enter>web-01<enter>");
    assert!(a.design.zones.is_empty());
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(
        a.message.as_ref().map(|m| (m.error, m.text.as_str())),
        Some((
            true,
            "`web-01` is already used: choose another id for the zone"
        ))
    );
    // In a server's zone picker, the same: the server keeps its zone and the form stays.
    a.selection = Selection::Server("web-02".into());
    keys(&mut a, "e<down><down><down><enter>app<enter>");
    assert!(a.design.zones.is_empty());
    assert_eq!(a.design.server("web-02").and_then(|s| s.zone.clone()), None);
    assert!(matches!(a.mode, Mode::Form(_)), "{:?}", a.mode);
    assert_eq!(
        a.message.as_ref().map(|m| m.text.as_str()),
        Some("`app` is not a zone: it names something else")
    );
}
