//! ENTRY-INFERRED: the design has no client, so the analyzer guessed where requests enter.

use crate::analyze::{Ctx, Entry, Finding, Rule, Severity, list};

pub static RULE: Rule = Rule {
    id: "ENTRY-INFERRED",
    severity: Severity::Info,
    title: "entry point inferred",
    checks: "The design has no `client` component, so the entry points were taken from the DNS \
             records' targets, or else from the components no request link enters.",
    why: "Every other rule reasons from where requests enter; a wrong guess hides or invents \
          findings.",
    fix: "Add a `client` component and link it to the component users connect to.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let how = match ctx.entry {
        Entry::Clients => return Vec::new(),
        Entry::DnsTargets => "the DNS records' targets",
        Entry::Sources => "the components no request link enters",
    };
    let ids: Vec<&str> = ctx.entries.iter().map(|&i| ctx.id(i)).collect();
    let message = if ids.is_empty() {
        "the design has no client and no entry point could be inferred: nothing is reachable"
            .to_string()
    } else {
        format!(
            "the design has no client; requests are taken to enter at {} ({how})",
            list(&ids)
        )
    };
    vec![
        Finding::new(RULE.id, Severity::Info, message)
            .components(ids.iter().copied())
            .recommend("add a `client` component linked to the component users connect to"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn without_clients_the_dns_target_is_the_entry() {
        let mut d = reference("01-simple.toml");
        d.remove_component("user");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["nginx"]);
        assert!(f[0].message.contains("DNS"), "{}", f[0].message);
    }

    #[test]
    fn with_clients_nothing_is_inferred() {
        assert!(run(&RULE, &reference("01-simple.toml")).is_empty());
    }
}
