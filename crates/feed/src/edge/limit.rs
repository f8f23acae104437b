//! Rate limits. [`Limit`]: `per_minute` hits per key (client address, buyer) as a GCRA (the
//! generic cell rate algorithm: a key regains one hit every minute / `per_minute`, and holds
//! at most `per_minute` at once), so no window edge lets a client through twice. One interface,
//! two counters: over the cluster through Redis when it is usable (the same algorithm in one
//! Lua script, exact over the instances: `crate::tasks::cluster`), and in-process by a [`RateLimiter`]
//! (governor's keyed GCRA) without Redis or while it is down (then each instance counts its own
//! requests, and behind a load balancer the effective limit is the limit times the instances).
//! A key whose state is back to fresh is dropped by [`run_cleanup`] every minute, so memory
//! follows the keys of the last minute, not every key ever seen. Client addresses are keyed by
//! [`address_key`]: an IPv6 client by its /64, the smallest network one subscriber is given.
//! [`TokenBucket`]: one connection's own budget (orders on a feed socket), owned by the
//! connection, so no lock.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

/// The period of every limit.
pub const WINDOW: Duration = Duration::from_secs(60);

/// How often [`run_cleanup`] drops the keys whose state is back to fresh.
pub const CLEANUP_EVERY: Duration = Duration::from_secs(60);

/// A per-minute limit counted over the cluster when Redis is usable, else in-process.
#[derive(Clone, Debug)]
pub struct Limit<K: Hash + Eq + Clone> {
    /// Names the limit's keys in Redis.
    name: &'static str,
    per_minute: u32,
    local: RateLimiter<K>,
    cluster: crate::tasks::cluster::Cluster,
}

impl<K: Eq + Hash + Clone + std::fmt::Display> Limit<K> {
    pub fn new(
        name: &'static str,
        per_minute: u32,
        cluster: crate::tasks::cluster::Cluster,
    ) -> Self {
        Self {
            name,
            per_minute,
            local: RateLimiter::new(per_minute),
            cluster,
        }
    }

    /// Counts a hit for `key`; false when the key is over its limit.
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

    /// The in-process counter, for [`run_cleanup`].
    pub fn local(&self) -> &RateLimiter<K> {
        &self.local
    }
}

/// A keyed limiter's clean-up, whatever its key.
pub trait Cleanup: Send + Sync {
    /// Drops the keys whose state is back to fresh (a hit now would find them full).
    fn retain_recent(&self);
}

impl<K: Hash + Eq + Clone + Send + Sync, C: Clock + Send + Sync> Cleanup for RateLimiter<K, C> {
    fn retain_recent(&self) {
        RateLimiter::<K, C>::retain_recent(self);
    }
}

/// Every [`CLEANUP_EVERY`], drops the fresh keys of `limits`. Runs until `alive`'s sender is
/// dropped or sends.
pub async fn run_cleanup(limits: Vec<Arc<dyn Cleanup>>, alive: tokio::sync::watch::Receiver<()>) {
    let mut clock = crate::tasks::Every::new(CLEANUP_EVERY, alive);
    while clock.next().await {
        for limit in &limits {
            limit.retain_recent();
        }
    }
}

type Keyed<K, C> =
    governor::RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// Allows `per_minute` hits per key per minute, as a GCRA: a burst of at most `per_minute`,
/// then one hit every minute / `per_minute`. A limit of 0 allows nothing.
#[derive(Clone)]
pub struct RateLimiter<K: Hash + Eq + Clone, C: Clock = DefaultClock> {
    keyed: Option<Arc<Keyed<K, C>>>,
}

impl<K: Hash + Eq + Clone, C: Clock> std::fmt::Debug for RateLimiter<K, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("keys", &self.len())
            .finish()
    }
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, DefaultClock::default())
    }
}

impl<K: Hash + Eq + Clone, C: Clock> RateLimiter<K, C> {
    /// The limiter on `clock` (a fake one in tests).
    pub fn with_clock(per_minute: u32, clock: C) -> Self {
        let keyed = NonZeroU32::new(per_minute).map(|n| {
            Arc::new(governor::RateLimiter::dashmap_with_clock(
                Quota::per_minute(n),
                clock,
            ))
        });
        Self { keyed }
    }

    /// Counts a hit for `key`; false when the key is over its limit.
    pub fn allow(&self, key: &K) -> bool {
        self.keyed
            .as_ref()
            .is_some_and(|k| k.check_key(key).is_ok())
    }

    /// Drops the keys whose state is back to fresh, and the room they took.
    pub fn retain_recent(&self) {
        if let Some(k) = &self.keyed {
            k.retain_recent();
            k.shrink_to_fit();
        }
    }

    /// The keys held now.
    pub fn len(&self) -> usize {
        self.keyed.as_ref().map_or(0, |k| k.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The key of a client address: an IPv4 address as itself, an IPv6 one as its /64 (a
/// subscriber is given at least a /64, so the addresses inside it cost a flood nothing), an
/// IPv4-mapped IPv6 address as the IPv4 one. Anything that is not an address is its own key.
pub fn address_key(addr: &str) -> String {
    match addr.parse::<IpAddr>().map(canonical) {
        Ok(IpAddr::V6(v6)) => {
            let net = ipnet::Ipv6Net::new(v6, 64)
                .map(|n| n.trunc())
                .unwrap_or_else(|_| ipnet::Ipv6Net::from(v6));
            net.to_string()
        }
        Ok(v4) => v4.to_string(),
        Err(_) => addr.to_owned(),
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

    /// The limit holds per key; another key has its own budget; a limit of 0 allows nothing.
    #[test]
    fn limits_per_key() {
        let l = RateLimiter::new(2);
        assert!(l.allow(&"a"));
        assert!(l.allow(&"a"));
        assert!(!l.allow(&"a"));
        assert!(l.allow(&"b"));
        assert!(!RateLimiter::new(0).allow(&"a"));
    }

    /// A client that spent its limit just before a minute's edge gets no new burst just after
    /// it (a fixed window would let it through twice in a few seconds): over any stretch of
    /// time it gets at most the limit plus what the stretch earns (one hit per minute / limit).
    #[test]
    fn no_burst_at_a_window_edge() {
        let clock = governor::clock::FakeRelativeClock::default();
        let l = RateLimiter::with_clock(10, clock.clone());
        assert!(l.allow(&"a"), "the first hit opens a fixed window");
        clock.advance(Duration::from_secs(59));
        let before = (0..20).filter(|_| l.allow(&"a")).count();
        clock.advance(Duration::from_secs(2));
        let after = (0..20).filter(|_| l.allow(&"a")).count();
        // Within two seconds around the edge: what the budget held at 59 s, and nothing
        // more than those two seconds earn (a hit per 6 s).
        assert!(
            before + after <= 10,
            "{before} + {after} hits in two seconds"
        );
        clock.advance(Duration::from_secs(6));
        assert!(l.allow(&"a"), "a hit is earned every six seconds");
        assert!(!l.allow(&"a"));
    }

    /// 100,000 distinct addresses take 100,000 keys for a minute; the clean-up drops every one
    /// whose budget is full again, so memory follows the last minute's clients.
    #[test]
    fn memory_is_bounded_under_many_addresses() {
        let clock = governor::clock::FakeRelativeClock::default();
        let l = RateLimiter::with_clock(10, clock.clone());
        for i in 0..100_000u32 {
            assert!(l.allow(&std::net::Ipv4Addr::from(i).to_string()));
        }
        assert_eq!(l.len(), 100_000);
        l.retain_recent();
        assert_eq!(l.len(), 100_000, "every key spent part of its budget");
        clock.advance(WINDOW / 10);
        assert!(l.allow(&"9.9.9.9".to_owned()));
        clock.advance(WINDOW);
        l.retain_recent();
        assert_eq!(l.len(), 0, "every budget is full again");
    }

    /// Every address of one IPv6 /64 is one client; the next /64 is another; IPv4 and
    /// IPv4-mapped addresses are themselves.
    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(address_key("2001:db8:1:3::1"), "2001:db8:1:3::/64");
        assert_eq!(address_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(address_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(address_key("unknown"), "unknown");
        let l = RateLimiter::new(2);
        let hits = (0..10u16)
            .filter(|i| l.allow(&address_key(&format!("2001:db8:1:2::{i:x}"))))
            .count();
        assert_eq!(hits, 2, "new addresses in one /64 earn nothing");
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
