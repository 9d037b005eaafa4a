//! What an edit did, in a few words, for the status bar: "move `app`", "add `web` and 1
//! link", "rename `a` to `b`". Undo and redo say which edit they took back or made again
//! ("undid: move `app`"). One pass over the two designs, by id.

use crate::model::Design;
use crate::text;
use std::collections::HashMap;

/// The edit that turns `before` into `after`, in words; "change the design" when nothing
/// more precise fits.
pub fn describe(before: &Design, after: &Design) -> String {
    let old: HashMap<&str, &crate::model::Component> = before
        .components
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let new: HashMap<&str, &crate::model::Component> = after
        .components
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let added: Vec<&str> = after
        .components
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !old.contains_key(id))
        .collect();
    let removed: Vec<&str> = before
        .components
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !new.contains_key(id))
        .collect();
    let ticked = |ids: &[&str]| {
        let shown: Vec<String> = ids.iter().take(3).map(|i| format!("`{i}`")).collect();
        let more = ids.len().saturating_sub(shown.len());
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            text::list(&shown)
        }
    };
    let link_delta = after.links.len() as i64 - before.links.len() as i64;
    let with_links = |n: i64| {
        if n == 0 {
            String::new()
        } else {
            format!(" and {}", text::count(n.unsigned_abs() as usize, "link"))
        }
    };
    if let ([from], [to]) = (removed.as_slice(), added.as_slice())
        && before.components.len() == after.components.len()
    {
        return format!("rename `{from}` to `{to}`");
    }
    if !added.is_empty() && removed.is_empty() {
        return format!("add {}{}", ticked(&added), with_links(link_delta.max(0)));
    }
    if !removed.is_empty() && added.is_empty() {
        return format!(
            "delete {}{}",
            ticked(&removed),
            with_links((-link_delta).max(0))
        );
    }
    let old_servers: Vec<&str> = before.servers.iter().map(|s| s.id.as_str()).collect();
    let new_servers: Vec<&str> = after.servers.iter().map(|s| s.id.as_str()).collect();
    if added.is_empty() && removed.is_empty() {
        let moved: Vec<&str> = after
            .components
            .iter()
            .filter(|c| {
                old.get(c.id.as_str())
                    .is_some_and(|o| (o.x, o.y) != (c.x, c.y) && o.server == c.server)
            })
            .map(|c| c.id.as_str())
            .collect();
        let changed: Vec<&str> = after
            .components
            .iter()
            .filter(|c| {
                old.get(c.id.as_str()).is_some_and(|o| {
                    let mut o = (*o).clone();
                    o.x = c.x;
                    o.y = c.y;
                    o != **c
                })
            })
            .map(|c| c.id.as_str())
            .collect();
        if !changed.is_empty() {
            return format!("change {}", ticked(&changed));
        }
        if link_delta > 0 {
            return format!("add {}", text::count(link_delta as usize, "link"));
        }
        if link_delta < 0 {
            return format!("delete {}", text::count((-link_delta) as usize, "link"));
        }
        if before.links != after.links {
            return "change a link".to_string();
        }
        if old_servers.len() == new_servers.len() && old_servers != new_servers {
            let from: Vec<&str> = old_servers
                .iter()
                .filter(|s| !new_servers.contains(s))
                .copied()
                .collect();
            let to: Vec<&str> = new_servers
                .iter()
                .filter(|s| !old_servers.contains(s))
                .copied()
                .collect();
            if let ([f], [t]) = (from.as_slice(), to.as_slice()) {
                return format!("rename `{f}` to `{t}`");
            }
        }
        if before.zones != after.zones {
            return describe_zones(before, after);
        }
        if before.servers != after.servers {
            return "change a server".to_string();
        }
        if before.clusters != after.clusters {
            return "change a cluster".to_string();
        }
        if !moved.is_empty() {
            return format!("move {}", ticked(&moved));
        }
    }
    "change the design".to_string()
}

/// An edit of the zones (which a server's own line changes along with): added, deleted,
/// renamed or changed.
fn describe_zones(before: &Design, after: &Design) -> String {
    let ids = |d: &Design| -> Vec<String> { d.zones.iter().map(|z| z.id.clone()).collect() };
    let (old, new) = (ids(before), ids(after));
    let added: Vec<&String> = new.iter().filter(|z| !old.contains(z)).collect();
    let removed: Vec<&String> = old.iter().filter(|z| !new.contains(z)).collect();
    match (removed.as_slice(), added.as_slice()) {
        ([from], [to]) => format!("rename zone `{from}` to `{to}`"),
        ([], [z]) => format!("add zone `{z}`"),
        ([z], []) => format!("delete zone `{z}`"),
        ([], []) => match after.zones.iter().find(|z| before.zone(&z.id) != Some(*z)) {
            Some(z) => format!("change zone `{}`", z.id),
            None => "change the zones".to_string(),
        },
        _ => "change the zones".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design3() -> Design {
        crate::templates::template("secured-monitored").expect("template")
    }

    #[test]
    fn edits_are_told_in_a_few_words() {
        let before = design3();
        let mut d = before.clone();
        if let Some(c) = d.component_mut("app") {
            c.x = c.x.map(|x| x + 4);
        }
        assert_eq!(describe(&before, &d), "move `app`");
        let mut d = before.clone();
        d.rename("app", "api");
        assert_eq!(describe(&before, &d), "rename `app` to `api`");
        let mut d = before.clone();
        crate::editor::duplicate::duplicate(
            &mut d,
            "agent-web-01",
            &crate::editor::duplicate::Onto::Same,
            true,
        )
        .expect("duplicate");
        assert_eq!(describe(&before, &d), "add `agent-web-03` and 1 link");
        assert_eq!(describe(&d, &before), "delete `agent-web-03` and 1 link");
        let mut d = before.clone();
        if let Some(c) = d.component_mut("app") {
            c.label = Some("API".into());
        }
        assert_eq!(describe(&before, &d), "change `app`");
        let mut d = before.clone();
        d.links.pop();
        assert_eq!(describe(&before, &d), "delete 1 link");
        assert_eq!(describe(&before, &before), "change the design");
    }

    #[test]
    fn zone_edits_are_told_by_the_zone() {
        let before = design3();
        let mut with = before.clone();
        with.zones.push(crate::model::Zone {
            id: "a".into(),
            ..Default::default()
        });
        assert_eq!(describe(&before, &with), "add zone `a`");
        assert_eq!(describe(&with, &before), "delete zone `a`");
        let mut renamed = with.clone();
        renamed.rename("a", "b");
        assert_eq!(describe(&with, &renamed), "rename zone `a` to `b`");
        let mut changed = with.clone();
        changed.zones[0].region = Some("eu".into());
        assert_eq!(describe(&with, &changed), "change zone `a`");
    }
}
