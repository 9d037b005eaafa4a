//! TLS-TERMINATED-EARLY: encrypted traffic that goes on in plain text after it is decrypted.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};

pub static RULE: Rule = Rule {
    id: "TLS-TERMINATED-EARLY",
    severity: Severity::Medium,
    title: "TLS terminated before the servers",
    checks: "A component that receives encrypted request traffic and forwards requests over \
             unencrypted links (e.g. HTTPS terminated at the load balancer, HTTP to the web \
             servers).",
    why: "Inside the network, the users' data travels in clear text: anyone who gets onto it \
          (a compromised host, a misrouted mirror port) reads passwords and sessions.",
    fix: "Re-encrypt behind the terminating component (HTTPS to the backends with internal \
          certificates, TLS to the database), or pass TLS through to the web servers.",
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let links = &ctx.design.links;
    (0..ctx.len())
        .filter(|&i| ctx.into[i].iter().any(|&(_, l)| links[l].protocol.encrypted()))
        .filter_map(|i| {
            let plain: Vec<(usize, usize)> = ctx.out[i]
                .iter()
                .copied()
                .filter(|&(_, l)| !links[l].protocol.encrypted())
                .collect();
            if plain.is_empty() {
                return None;
            }
            let to: Vec<&str> = plain.iter().map(|&(t, _)| ctx.id(t)).collect();
            Some(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "{} decrypts the traffic it receives and forwards it in plain text to {}",
                        list(&[ctx.id(i)]),
                        list(&to)
                    ),
                )
                .components(std::iter::once(ctx.id(i)).chain(to.iter().copied()))
                .links(plain.iter().map(|&(_, l)| l))
                .recommend(format!(
                    "re-encrypt from `{}` to its backends (HTTPS with internal certificates) or pass TLS through",
                    ctx.id(i)
                )),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn ssl_terminated_at_the_load_balancer() {
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["haproxy", "nginx-1", "nginx-2"]);
        assert_eq!(f[0].links.len(), 2);
    }

    #[test]
    fn end_to_end_encryption_passes() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
        assert!(run(&RULE, &reference("02-distributed.toml")).is_empty());
    }
}
