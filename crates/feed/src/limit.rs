//! Rate limits. [`Limit`]: a fixed window per key (client address, buyer), counted over the
//! cluster through Redis when it is usable (exact over the instances: `crate::cluster`), and
//! in-process by a [`RateLimiter`] without Redis or while it is down (then each instance counts
//! its own requests, and behind a load balancer the effective limit is the limit times the
//! instances). [`TokenBucket`]: one connection's own budget (orders on a feed socket), owned by
//! the connection, so no lock.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// A per-minute limit counted over the cluster when Redis is usable, else in-process.
#[derive(Clone, Debug)]
pub struct Limit<K> {
    /// Names the limit's keys in Redis.
    name: &'static str,
    per_minute: u32,
    local: RateLimiter<K>,
    cluster: crate::cluster::Cluster,
}

impl<K: Eq + Hash + Clone + std::fmt::Display> Limit<K> {
    pub fn new(name: &'static str, per_minute: u32, cluster: crate::cluster::Cluster) -> Self {
        Self {
            name,
            per_minute,
            local: RateLimiter::new(per_minute),
            cluster,
        }
    }

    /// Counts a hit for `key`; false when the key is over its limit in this window.
    pub async fn allow(&self, key: &K) -> bool {
        let cluster_key = format!("{}:{key}", self.name);
        match self
            .cluster
            .hit(&cluster_key, self.per_minute, WINDOW)
            .await
        {
            Some(allowed) => allowed,
            None => self.local.allow(key),
        }
    }
}

/// Allows `per_minute` hits per key in each one-minute window.
#[derive(Clone, Debug)]
pub struct RateLimiter<K> {
    per_minute: u32,
    windows: Arc<Mutex<HashMap<K, (Instant, u32)>>>,
}

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Counts a hit for `key`; false when the key is over its limit in this window.
    pub fn allow(&self, key: &K) -> bool {
        let now = Instant::now();
        let mut windows = match self.windows.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(key.clone()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            return false;
        }
        entry.1 += 1;
        true
    }
}

/// `rate` hits per second on average, bursts of up to twice that.
#[derive(Debug)]
pub struct TokenBucket {
    tokens: f64,
    rate: f64,
    at: Instant,
}

impl TokenBucket {
    pub fn new(rate: u32) -> Self {
        let rate = f64::from(rate.max(1));
        Self {
            tokens: rate * 2.0,
            rate,
            at: Instant::now(),
        }
    }

    /// Takes one token; false when the bucket is empty.
    pub fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate)
            .min(self.rate * 2.0);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The reverse proxies whose forwarded client address is believed, and the header they write
/// it in. The client is the right-most address of the chain (the peer, then the header's
/// entries from the right) that is not a trusted proxy: entries further left were written by
/// the client itself and could say anything.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    nets: Vec<ipnet::IpNet>,
    /// `Forwarded` (RFC 7239) instead of `X-Forwarded-For`.
    rfc7239: bool,
}

impl TrustedProxies {
    /// Parses CIDRs (`10.0.0.0/8`) or single addresses; the bad ones are returned as errors.
    pub fn parse(entries: &[String], rfc7239: bool) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let net = entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("trusted proxy '{entry}' is not an address or a CIDR"))?;
            nets.push(net);
        }
        Ok(Self { nets, rfc7239 })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let (name, parse): (&str, HopParser) = if self.rfc7239 {
            ("forwarded", forwarded_for)
        } else {
            ("x-forwarded-for", x_forwarded_for)
        };
        let chain: Vec<Option<IpAddr>> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse)
            .collect();
        let mut client = peer;
        for hop in chain.into_iter().rev() {
            match hop {
                // An entry that is not an address (`unknown`, garbage): nothing left of it
                // can be believed; the last trusted hop is what we know.
                None => return client,
                Some(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        return client;
                    }
                }
            }
        }
        client
    }
}

/// Reads a forwarding header's value into its hops (`None` for one that is not an address).
type HopParser = fn(&str) -> Vec<Option<IpAddr>>;

/// An IPv4-mapped IPv6 address as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn x_forwarded_for(value: &str) -> Vec<Option<IpAddr>> {
    value
        .split(',')
        .map(|e| e.trim().parse::<IpAddr>().ok())
        .collect()
}

/// The `for=` of each element of an RFC 7239 `Forwarded` value (`for=192.0.2.1`,
/// `for="[2001:db8::1]:4711"`, `for=192.0.2.1:80`).
fn forwarded_for(value: &str) -> Vec<Option<IpAddr>> {
    value
        .split(',')
        .map(|element| {
            let node = element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| v.trim().trim_matches('"'))
            })?;
            if let Some(rest) = node.strip_prefix('[') {
                return rest.split(']').next()?.parse().ok();
            }
            node.parse()
                .ok()
                .or_else(|| node.rsplit_once(':')?.0.parse().ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, value: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert(name, value.parse().expect("header value"));
        h
    }

    /// Untrusted peers' headers are ignored; through trusted ones the right-most untrusted
    /// address is the client.
    #[test]
    fn forwarded_addresses_from_trusted_proxies_only() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let none = TrustedProxies::default();
        let xff = headers("x-forwarded-for", "1.1.1.1, 2.2.2.2");
        assert_eq!(none.client(ip("127.0.0.1"), &xff), ip("127.0.0.1"));
        let t = TrustedProxies::parse(&["127.0.0.1".into(), "10.0.0.0/8".into()], false)
            .expect("parses");
        assert_eq!(t.client(ip("127.0.0.1"), &xff), ip("2.2.2.2"));
        let chain = headers("x-forwarded-for", "6.6.6.6, 1.1.1.1, 10.0.0.5");
        assert_eq!(t.client(ip("127.0.0.1"), &chain), ip("1.1.1.1"));
        assert_eq!(t.client(ip("8.8.8.8"), &chain), ip("8.8.8.8"));
        let bad = headers("x-forwarded-for", "6.6.6.6, junk");
        assert_eq!(t.client(ip("10.1.1.1"), &bad), ip("10.1.1.1"));
        let f = TrustedProxies::parse(&["127.0.0.0/8".into()], true).expect("parses");
        let fwd = headers(
            "forwarded",
            r#"for=9.9.9.9;proto=http, for="[2001:db8::1]:4711", for=127.0.0.2"#,
        );
        assert_eq!(f.client(ip("127.0.0.1"), &fwd), ip("2001:db8::1"));
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()], false).is_err());
    }

    /// The limit holds per key; another key has its own window.
    #[test]
    fn limits_per_key() {
        let l = RateLimiter::new(2);
        assert!(l.allow(&"a"));
        assert!(l.allow(&"a"));
        assert!(!l.allow(&"a"));
        assert!(l.allow(&"b"));
    }

    /// A bucket allows a burst of twice its rate, then refuses until it refills.
    #[test]
    fn bucket_allows_a_burst_then_refuses() {
        let mut b = TokenBucket::new(3);
        let burst = (0..10).filter(|_| b.take()).count();
        assert_eq!(burst, 6);
        b.at -= Duration::from_secs(1);
        assert!(b.take(), "a second later three more");
    }
}
