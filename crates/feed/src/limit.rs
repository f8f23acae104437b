//! A fixed-window rate limiter per key (client address, buyer), in process. Each instance counts
//! its own requests: behind a load balancer the effective limit is the limit times the instances,
//! which is what a guard against floods needs (exact global limits would need Redis).

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
}
