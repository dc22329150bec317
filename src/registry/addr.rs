//! Which network addresses a host taken from an SBOM, a lockfile or a registry answer may
//! reach (issue 15, item 4: server-side request forgery).
//!
//! Untrusted content never makes aiprov connect to a loopback, unspecified, link-local
//! (`169.254.0.0/16`, `fe80::/10`: cloud metadata services), private (`10/8`, `172.16/12`,
//! `192.168/16`), shared (`100.64/10`), unique-local (`fc00::/7`), multicast or broadcast
//! address. The check is on the **resolved** addresses (a name that resolves to `127.0.0.1` is
//! refused like the literal), through a DNS resolver installed in the HTTP client, plus a check
//! of literal addresses (which skip DNS) before a request and on every redirect. Hosts the user
//! configured (registry base URLs in `aiprov.toml`, `[git] remotes`) are exempt: the user may
//! point aiprov at an internal mirror on purpose.
//!
//! For git, the URL's host is resolved once before git runs; git resolves it again itself, so a
//! DNS answer that changes between the two lookups is not caught (documented in the README).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

/// Why `ip` is off limits for hosts from documents, or `None` when it is a public address.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if s[0] & 0xfe00 == 0xfc00 {
                Some("unique-local")
            } else if s[0] == 0xfec0 {
                Some("site-local")
            } else if s[0] == 0x64 && s[1] == 0xff9b {
                // NAT64 (64:ff9b::/96) carries an IPv4 address in the last 32 bits.
                forbidden_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ))
            } else {
                None
            }
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_private() {
        Some("private")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || o[0] >= 240 {
        Some("reserved")
    } else {
        None
    }
}

/// The refusal carried through reqwest's error chain, so the HTTP client can tell it from a
/// failed connection (it is not retried).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn refusal(host: &str, ip: IpAddr, kind: &str) -> Refused {
    Refused(format!(
        "{} resolves to {ip}, a {kind} address; hosts from SBOMs, lockfiles and registry answers never reach those (configure the host in aiprov.toml to allow it)",
        crate::text::bounded(host, 100)
    ))
}

/// Whether `host` (without brackets) is one the user configured: with `port`, that exact
/// `host:port`; without (a DNS lookup, which knows no port), any port of it.
fn trusted(trusted: &BTreeSet<String>, host: &str, port: Option<u16>) -> bool {
    let h = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    match port {
        Some(p) => trusted.contains(&format!("{h}:{p}")),
        None => trusted
            .iter()
            .any(|e| e.rsplit_once(':').is_some_and(|(eh, _)| eh == h)),
    }
}

/// The entry of [`crate::registry::HttpConfig::trusted_hosts`] for a configured base URL:
/// `host:port` (lower-case, IPv6 without brackets, the scheme's port when none is written).
pub fn trusted_entry(base: &str) -> Option<String> {
    let u = reqwest::Url::parse(base).ok()?;
    let host = u
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    Some(format!("{host}:{}", u.port_or_known_default()?))
}

/// Check a URL's host before a request or a redirect: a literal address is checked here (DNS
/// is skipped for it); names are checked by [`GuardedResolver`] when they resolve.
pub fn check_url_host(url: &reqwest::Url, allowed: &BTreeSet<String>) -> Result<(), Refused> {
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let Ok(ip) = host.parse::<IpAddr>() else {
        return Ok(());
    };
    if trusted(allowed, &host, url.port_or_known_default()) {
        return Ok(());
    }
    match forbidden(ip) {
        Some(kind) => Err(refusal(&host, ip, kind)),
        None => Ok(()),
    }
}

/// The HTTP client's DNS resolver: the system resolver (on a blocking thread), with forbidden
/// addresses removed for every host not in `trusted`; a host left with no address is refused.
#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    /// `host:port` entries the user configured: the addresses of their hosts are not filtered.
    pub trusted: Arc<BTreeSet<String>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let exempt = trusted(&self.trusted, &host, None);
        Box::pin(async move {
            let lookup = host.clone();
            let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
                (lookup.as_str(), 0u16)
                    .to_socket_addrs()
                    .map(|a| a.collect::<Vec<_>>())
            })
            .await
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??;
            if exempt {
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            let mut first_refused = None;
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match forbidden(a.ip()) {
                    Some(kind) => {
                        first_refused.get_or_insert((a.ip(), kind));
                        false
                    }
                    None => true,
                })
                .collect();
            match (allowed.is_empty(), first_refused) {
                (true, Some((ip, kind))) => {
                    Err(Box::new(refusal(&host, ip, kind))
                        as Box<dyn std::error::Error + Send + Sync>)
                }
                _ => Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

/// The redirect policy: at most `max` redirects, never from https to http, and never to a
/// literal forbidden address of a host the user did not configure.
///
/// `on_redirect(first, next)` is told, before the checks, where a request first sent to `first`
/// is sent on to (the HTTP client reports a failure under the first URL; the caller needs the
/// host that really failed).
pub fn redirect_policy(
    max: usize,
    allowed: Arc<BTreeSet<String>>,
    on_redirect: impl Fn(&reqwest::Url, &reqwest::Url) + Send + Sync + 'static,
) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max {
            return attempt.error(TooManyRedirects);
        }
        if let Some(first) = attempt.previous().first() {
            on_redirect(first, attempt.url());
        }
        let was_https = attempt
            .previous()
            .last()
            .is_some_and(|u| u.scheme() == "https");
        if was_https && attempt.url().scheme() != "https" {
            let msg = Refused(format!(
                "a redirect from https to {} is never followed",
                attempt.url().scheme()
            ));
            return attempt.error(msg);
        }
        if let Err(e) = check_url_host(attempt.url(), &allowed) {
            return attempt.error(e);
        }
        attempt.follow()
    })
}

/// Marks a chain longer than the limit (the HTTP client reports it as too many redirects).
#[derive(Debug, thiserror::Error)]
#[error("too many redirects")]
pub struct TooManyRedirects;

/// The refusal in `e`'s source chain, if any.
pub fn refusal_in<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cur: Option<&'a (dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(r) = c.downcast_ref::<Refused>() {
            return Some(r);
        }
        cur = c.source();
    }
    None
}

/// Refuse a git URL from a document whose host resolves to a forbidden address (resolved here,
/// once; see the module note on DNS). A host that does not resolve is left to git to report.
pub fn check_git_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(());
    };
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').unwrap_or((v6, ""));
        (h, after.strip_prefix(':').and_then(|p| p.parse().ok()))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()),
            None => (hostport, None),
        }
    };
    let port: u16 = port.unwrap_or(match scheme.to_ascii_lowercase().as_str() {
        "ssh" => 22,
        "git" => 9418,
        _ => 443,
    });
    if let Ok(ip) = host.parse::<IpAddr>() {
        return match forbidden(ip) {
            Some(kind) => Err(refusal(host, ip, kind).0),
            None => Ok(()),
        };
    }
    let Ok(addrs) = (host, port).to_socket_addrs() else {
        return Ok(());
    };
    for a in addrs {
        if let Some(kind) = forbidden(a.ip()) {
            return Err(refusal(host, a.ip(), kind).0);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_classes() {
        let f = |s: &str| forbidden(s.parse().unwrap());
        assert_eq!(f("127.0.0.1"), Some("loopback"));
        assert_eq!(f("169.254.169.254"), Some("link-local"));
        assert_eq!(f("10.1.2.3"), Some("private"));
        assert_eq!(f("172.31.0.1"), Some("private"));
        assert_eq!(f("192.168.1.1"), Some("private"));
        assert_eq!(f("100.64.0.1"), Some("shared (carrier-grade NAT)"));
        assert_eq!(f("224.0.0.1"), Some("multicast"));
        assert_eq!(f("0.0.0.0"), Some("unspecified"));
        assert_eq!(f("::1"), Some("loopback"));
        assert_eq!(f("fe80::1"), Some("link-local"));
        assert_eq!(f("fd00::1"), Some("unique-local"));
        assert_eq!(f("ff02::1"), Some("multicast"));
        assert_eq!(f("::ffff:169.254.169.254"), Some("link-local"));
        assert_eq!(f("64:ff9b::a9fe:a9fe"), Some("link-local"));
        assert_eq!(f("140.82.112.3"), None);
        assert_eq!(f("2606:4700::1111"), None);
        assert_eq!(f("172.32.0.1"), None);
    }

    #[test]
    fn git_urls_from_documents() {
        let e = check_git_url("https://169.254.169.254/latest/meta-data.git").unwrap_err();
        assert!(e.contains("link-local"), "{e}");
        assert!(check_git_url("git://127.0.0.1:9418/o/r.git")
            .unwrap_err()
            .contains("loopback"));
        assert!(check_git_url("ssh://git@[::1]:22/o/r.git")
            .unwrap_err()
            .contains("loopback"));
        assert!(check_git_url("https://localhost/o/r.git")
            .unwrap_err()
            .contains("loopback"));
        assert!(check_git_url("https://140.82.112.3/o/r.git").is_ok());
    }
}
