//! The fuzzy picker: a query typed letter by letter narrows a list of the design's things
//! (components, servers, clusters, links, findings) ranked by how well their ids, labels and
//! software match. `/` uses it to go anywhere; forms use it to choose a link's ends, a DNS
//! record's target, a server or a cluster instead of typing an exact id.

use super::textinput::{Edit, TextInput};
use crate::analyze::Finding;
use crate::model::Design;

/// What a picker entry stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Component(String),
    Server(String),
    Cluster(String),
    /// A zone or a region, by its id or name: choosing it in the go-to picker toggles its
    /// simulated failure, as `f` does for the selected component or server.
    Zone(String),
    /// An index into the design's links.
    Link(usize),
    /// An index into the findings the picker was built from.
    Finding(usize),
    /// A value that is no item: "(none)", "a new server".
    Other(String),
}

impl Pick {
    /// The id the pick stands for in a form field (none for links and findings).
    pub fn id(&self) -> Option<&str> {
        match self {
            Pick::Component(id)
            | Pick::Server(id)
            | Pick::Cluster(id)
            | Pick::Zone(id)
            | Pick::Other(id) => Some(id),
            Pick::Link(_) | Pick::Finding(_) => None,
        }
    }
}

/// One entry: what it is, how it shows and the words it is found by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub pick: Pick,
    /// "component", "server"…, shown beside the entry.
    pub kind: &'static str,
    /// The main words: an id, "web-01 → app".
    pub title: String,
    /// The rest: label, software, IP, a finding's message.
    pub detail: String,
    /// The words matched, best first (a match in an earlier one ranks higher).
    keys: Vec<String>,
}

impl Item {
    pub fn new(pick: Pick, kind: &'static str, title: String, detail: String) -> Item {
        let keys = vec![title.clone(), detail.clone()];
        Item {
            pick,
            kind,
            title,
            detail,
            keys,
        }
    }

    fn with_keys(mut self, keys: impl IntoIterator<Item = String>) -> Item {
        self.keys = keys.into_iter().filter(|k| !k.is_empty()).collect();
        self
    }
}

/// Which families of things a picker lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Families {
    pub components: bool,
    pub servers: bool,
    pub clusters: bool,
    pub links: bool,
    pub findings: bool,
    pub zones: bool,
}

impl Families {
    /// Everything: the go-to picker.
    pub const ALL: Families = Families {
        components: true,
        servers: true,
        clusters: true,
        links: true,
        findings: true,
        zones: true,
    };
    /// What a link can start or end at.
    pub const LINK_ENDS: Families = Families {
        components: true,
        servers: false,
        clusters: true,
        links: false,
        findings: false,
        zones: false,
    };
    /// What a DNS record can point at.
    pub const DNS_TARGETS: Families = Families {
        components: true,
        servers: true,
        clusters: true,
        links: false,
        findings: false,
        zones: false,
    };
    pub const SERVERS: Families = Families {
        components: false,
        servers: true,
        clusters: false,
        links: false,
        findings: false,
        zones: false,
    };
    pub const CLUSTERS: Families = Families {
        components: false,
        servers: false,
        clusters: true,
        links: false,
        findings: false,
        zones: false,
    };
}

fn join_some<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The design's zones to choose one to edit or to place a server in: each with its region,
/// label and servers (the go-to picker's zone entries are failure toggles, and regions too).
pub fn zones(design: &Design) -> Vec<Item> {
    design
        .zones
        .iter()
        .map(|z| {
            let servers: Vec<&str> = design
                .servers
                .iter()
                .filter(|s| s.zone.as_deref() == Some(z.id.as_str()))
                .map(|s| s.id.as_str())
                .collect();
            let servers = match servers.len() {
                0 => "no servers".to_string(),
                _ => crate::text::list(&servers),
            };
            let detail = join_some([z.region.as_deref(), z.label.as_deref(), Some(&servers)]);
            let keys = [Some(z.id.clone()), z.label.clone(), z.region.clone()];
            Item::new(Pick::Zone(z.id.clone()), "zone", z.id.clone(), detail)
                .with_keys(keys.into_iter().flatten())
        })
        .collect()
}

/// The regions the design's zones name, each with its zones: to choose a zone's region.
pub fn regions(design: &Design) -> Vec<Item> {
    design
        .regions()
        .into_iter()
        .map(|r| {
            let zones: Vec<&str> = design
                .zones
                .iter()
                .filter(|z| z.region.as_deref() == Some(r))
                .map(|z| z.id.as_str())
                .collect();
            let detail = format!("zones {}", crate::text::list(&zones));
            Item::new(Pick::Other(r.to_string()), "region", r.to_string(), detail)
        })
        .collect()
}

/// The entries for a design, in the design's order: components, servers, clusters, links,
/// findings.
pub fn items(design: &Design, findings: &[Finding], families: Families) -> Vec<Item> {
    let mut out = Vec::new();
    if families.components {
        for c in &design.components {
            let detail = join_some([
                c.label.as_deref(),
                c.software.as_deref(),
                Some(c.kind.as_str()),
                c.server.as_deref().map(|s| s as &str),
            ]);
            let keys = [
                Some(c.id.clone()),
                c.label.clone(),
                c.software.clone(),
                Some(c.kind.as_str().to_string()),
                c.server.clone(),
            ];
            out.push(
                Item::new(
                    Pick::Component(c.id.clone()),
                    "component",
                    c.id.clone(),
                    detail,
                )
                .with_keys(keys.into_iter().flatten()),
            );
        }
    }
    if families.servers {
        for s in &design.servers {
            let detail = join_some([s.label.as_deref(), s.ip.as_deref()]);
            let keys = [Some(s.id.clone()), s.label.clone(), s.ip.clone()];
            out.push(
                Item::new(Pick::Server(s.id.clone()), "server", s.id.clone(), detail)
                    .with_keys(keys.into_iter().flatten()),
            );
        }
    }
    if families.clusters {
        for cl in &design.clusters {
            let members: Vec<&str> = design
                .components
                .iter()
                .filter(|c| c.cluster.as_deref() == Some(cl.id.as_str()))
                .map(|c| c.id.as_str())
                .collect();
            let members = crate::text::list(&members);
            let detail = join_some([cl.label.as_deref(), cl.vip.as_deref(), Some(&members)]);
            let keys = [Some(cl.id.clone()), cl.label.clone(), cl.vip.clone()];
            out.push(
                Item::new(
                    Pick::Cluster(cl.id.clone()),
                    "cluster",
                    cl.id.clone(),
                    detail,
                )
                .with_keys(keys.into_iter().flatten()),
            );
        }
    }
    if families.zones {
        for z in &design.zones {
            let servers: Vec<&str> = design
                .servers
                .iter()
                .filter(|s| s.zone.as_deref() == Some(z.id.as_str()))
                .map(|s| s.id.as_str())
                .collect();
            let servers = format!("fail: {}", crate::text::list(&servers));
            let detail = join_some([z.label.as_deref(), z.region.as_deref(), Some(&servers)]);
            let keys = [Some(z.id.clone()), z.label.clone(), z.region.clone()];
            out.push(
                Item::new(Pick::Zone(z.id.clone()), "zone", z.id.clone(), detail)
                    .with_keys(keys.into_iter().flatten()),
            );
        }
        for r in design.regions() {
            let zones: Vec<&str> = design
                .zones
                .iter()
                .filter(|z| z.region.as_deref() == Some(r))
                .map(|z| z.id.as_str())
                .collect();
            let detail = format!("fail: {}", crate::text::list(&zones));
            out.push(Item::new(
                Pick::Zone(r.to_string()),
                "region",
                r.to_string(),
                detail,
            ));
        }
    }
    if families.links {
        for (i, l) in design.links.iter().enumerate() {
            let title = format!("{} → {}", l.from, l.to);
            let port = l.port.map(|p| format!(":{p}"));
            let detail = join_some([
                Some(l.protocol.as_str()),
                port.as_deref(),
                l.label.as_deref(),
            ]);
            let keys = [
                Some(format!("{} {}", l.from, l.to)),
                Some(l.protocol.as_str().to_string()),
                l.label.clone(),
            ];
            out.push(
                Item::new(Pick::Link(i), "link", title, detail)
                    .with_keys(keys.into_iter().flatten()),
            );
        }
    }
    if families.findings {
        for (i, f) in findings.iter().enumerate() {
            let about: Vec<&str> = f
                .components
                .iter()
                .chain(&f.servers)
                .map(String::as_str)
                .collect();
            let title = format!("{} {}", f.rule, crate::text::list(&about));
            let message = f.message.replace('`', "");
            out.push(
                Item::new(
                    Pick::Finding(i),
                    "finding",
                    title.trim().to_string(),
                    message,
                )
                .with_keys([
                    f.rule.to_string(),
                    about.join(" "),
                    f.message.clone(),
                ]),
            );
        }
    }
    out
}

/// How well `query` matches `text` as a subsequence, case-insensitively; `None` when some
/// letter of the query is missing. Runs of letters, matches at the start of a word and at
/// the start of the text rank higher, so `ws` finds `web-server` before `stateless`.
pub fn score(query: &str, text: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let t: Vec<char> = text.chars().collect();
    let lower: Vec<char> = t.iter().flat_map(|c| c.to_lowercase()).collect();
    if lower.len() != t.len() {
        // Characters whose lower case is longer: compare as they are.
        return score_chars(&query.chars().collect::<Vec<_>>(), &t, &t);
    }
    let q: Vec<char> = query.chars().flat_map(|c| c.to_lowercase()).collect();
    score_chars(&q, &lower, &t)
}

fn word_start(t: &[char], i: usize) -> bool {
    i == 0
        || matches!(t[i - 1], ' ' | '-' | '_' | '.' | '/' | ':' | '·' | '→')
        || (t[i - 1].is_lowercase() && t[i].is_uppercase())
}

/// The best-scoring alignment of `q` in `lower`, found greedily from every place the first
/// letter occurs (enough for ids and labels, which are short).
fn score_chars(q: &[char], lower: &[char], orig: &[char]) -> Option<i64> {
    let mut best: Option<i64> = None;
    for start in (0..lower.len()).filter(|&i| lower[i] == q[0]) {
        let mut s: i64 = 0;
        let mut qi = 0;
        let mut prev: Option<usize> = None;
        for (i, &c) in lower.iter().enumerate().skip(start) {
            if qi == q.len() {
                break;
            }
            if c != q[qi] {
                continue;
            }
            s += 10;
            if word_start(orig, i) {
                s += 15;
            }
            if prev.is_some_and(|p| p + 1 == i) {
                s += 20;
            } else if let Some(p) = prev {
                s -= (i - p - 1).min(10) as i64;
            }
            prev = Some(i);
            qi += 1;
        }
        if qi < q.len() {
            continue;
        }
        if start == 0 {
            s += 25;
        }
        if q.len() == lower.len() {
            s += 50;
        }
        best = Some(best.map_or(s, |b: i64| b.max(s)));
    }
    best
}

/// How well an item matches a query: every word of the query must match one of the item's
/// keys; an earlier key (the id) counts more than a later one (a message).
fn item_score(query: &str, item: &Item) -> Option<i64> {
    let mut total = 0;
    for word in query.split_whitespace() {
        let best = item
            .keys
            .iter()
            .enumerate()
            .filter_map(|(k, key)| score(word, key).map(|s| s * 4 / (4 + k as i64)))
            .max()?;
        total += best;
    }
    Some(total)
}

/// A picker: the entries, the query and which match is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<Item>,
    pub query: TextInput,
    /// Indices into `items` of the entries that match, best first.
    pub matches: Vec<usize>,
    pub sel: usize,
}

impl Picker {
    pub fn new(title: impl Into<String>, items: Vec<Item>) -> Picker {
        let mut p = Picker {
            title: title.into(),
            items,
            query: TextInput::default(),
            matches: Vec::new(),
            sel: 0,
        };
        p.refilter();
        p
    }

    /// Starts with the entry for `pick` selected (a form field's current value).
    pub fn preselect(mut self, pick: &Pick) -> Picker {
        if let Some(m) = self
            .matches
            .iter()
            .position(|&i| self.items[i].pick == *pick)
        {
            self.sel = m;
        }
        self
    }

    fn refilter(&mut self) {
        let q = self.query.text().trim();
        let mut scored: Vec<(i64, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item_score(q, item).map(|s| (s, i)))
            .collect();
        // Best first; ties keep the design's order.
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.matches = scored.into_iter().map(|(_, i)| i).collect();
        self.sel = 0;
    }

    /// Types into the query (or moves its cursor); the list follows.
    pub fn edit(&mut self, e: Edit) {
        if self.query.apply(e) {
            self.refilter();
        }
    }

    pub fn up(&mut self) {
        let n = self.matches.len();
        if n > 0 {
            self.sel = (self.sel + n - 1) % n;
        }
    }

    pub fn down(&mut self) {
        let n = self.matches.len();
        if n > 0 {
            self.sel = (self.sel + 1) % n;
        }
    }

    /// The selected entry, when anything matches.
    pub fn chosen(&self) -> Option<&Item> {
        self.matches.get(self.sel).map(|&i| &self.items[i])
    }

    /// "3 of 12 match".
    pub fn summary(&self) -> String {
        if self.query.is_empty() {
            crate::text::count(self.items.len(), "entry")
        } else {
            format!("{} of {} match", self.matches.len(), self.items.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Kind, Link, Protocol, Server};

    fn design() -> Design {
        let mut d = Design::new("t");
        let mut comp = |id: &str, kind, label: &str, sw: &str, server: &str| {
            let mut c = Component::new(id, kind);
            c.label = Some(label.into());
            c.software = Some(sw.into());
            c.server = Some(server.into());
            d.components.push(c);
        };
        comp("web-1", Kind::WebServer, "Web server 1", "Nginx", "s1");
        comp("app", Kind::AppServer, "Application", "Gunicorn", "s1");
        comp("db", Kind::Database, "MySQL primary", "MySQL", "s2");
        comp("stats", Kind::MonitoringAgent, "Stats", "Sumo", "s2");
        d.servers.push(Server {
            id: "s1".into(),
            ip: Some("10.0.0.1".into()),
            label: Some("Front".into()),
            ..Default::default()
        });
        d.servers.push(Server {
            id: "s2".into(),
            ip: None,
            label: None,
            ..Default::default()
        });
        d.links.push(Link {
            from: "web-1".into(),
            to: "app".into(),
            protocol: Protocol::Http,
            port: None,
            label: None,
        });
        d
    }

    #[test]
    fn letters_in_order_match_and_word_starts_rank_first() {
        assert!(score("ws", "web-server").is_some());
        assert!(score("sw", "web-server").is_none());
        assert!(score("ws", "web-server") > score("ws", "news"));
        assert!(score("app", "app") > score("app", "application"));
        assert!(score("app", "application") > score("app", "webapp"));
        assert_eq!(score("", "anything"), Some(0));
        assert!(score("NGI", "Nginx").is_some(), "case does not matter");
    }

    #[test]
    fn the_picker_finds_things_by_id_label_and_software() {
        let d = design();
        let mut p = Picker::new("Go to", items(&d, &[], Families::ALL));
        assert_eq!(p.matches.len(), 2 + 4 + 1, "everything with no query");
        for ch in "mysql".chars() {
            p.edit(Edit::Insert(ch));
        }
        assert_eq!(
            p.chosen().map(|i| &i.pick),
            Some(&Pick::Component("db".into()))
        );
        p.edit(Edit::DeleteToStart);
        for ch in "nginx".chars() {
            p.edit(Edit::Insert(ch));
        }
        assert_eq!(
            p.chosen().map(|i| &i.pick),
            Some(&Pick::Component("web-1".into()))
        );
        p.edit(Edit::DeleteToStart);
        for ch in "10.0".chars() {
            p.edit(Edit::Insert(ch));
        }
        assert_eq!(
            p.chosen().map(|i| &i.pick),
            Some(&Pick::Server("s1".into()))
        );
    }

    #[test]
    fn every_word_of_the_query_must_match() {
        let d = design();
        let mut p = Picker::new("Go to", items(&d, &[], Families::ALL));
        for ch in "web app".chars() {
            p.edit(Edit::Insert(ch));
        }
        assert_eq!(p.chosen().map(|i| &i.pick), Some(&Pick::Link(0)));
        for ch in " zzz".chars() {
            p.edit(Edit::Insert(ch));
        }
        assert!(p.chosen().is_none());
        assert_eq!(p.summary(), "0 of 7 match");
    }

    #[test]
    fn families_limit_the_entries() {
        let d = design();
        let servers = items(&d, &[], Families::SERVERS);
        assert!(servers.iter().all(|i| matches!(i.pick, Pick::Server(_))));
        assert_eq!(servers.len(), 2);
        let ends = items(&d, &[], Families::LINK_ENDS);
        assert!(ends.iter().all(|i| matches!(i.pick, Pick::Component(_))));
    }

    #[test]
    fn findings_are_found_by_rule_and_what_they_are_about() {
        let d = design();
        let findings = crate::analyze::analyze(&d);
        assert!(!findings.is_empty());
        let mut p = Picker::new("Go to", items(&d, &findings, Families::ALL));
        for ch in findings[0].rule.chars() {
            p.edit(Edit::Insert(ch));
        }
        assert!(matches!(
            p.chosen().map(|i| &i.pick),
            Some(Pick::Finding(_))
        ));
    }

    #[test]
    fn moving_wraps_around_and_preselect_finds_the_current_value() {
        let d = design();
        let mut p = Picker::new("Server", items(&d, &[], Families::SERVERS))
            .preselect(&Pick::Server("s2".into()));
        assert_eq!(p.sel, 1);
        p.down();
        assert_eq!(p.sel, 0);
        p.up();
        assert_eq!(p.sel, 1);
    }
}
