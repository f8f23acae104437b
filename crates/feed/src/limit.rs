//! Rate limiters, in process. [`RateLimiter`]: a fixed window per key (client address, buyer),
//! shared by all requests; each instance counts its own requests, so behind a load balancer the
//! effective limit is the limit times the instances, which is what a guard against floods needs
//! (exact global limits would need Redis). [`TokenBucket`]: one connection's own budget (orders
//! on a feed socket), owned by the connection, so no lock.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

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

#[cfg(test)]
mod tests {
    use super::*;

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
