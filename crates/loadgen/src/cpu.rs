//! CPU time of a process (this load generator, or the server with `--server-pid`), read from
//! `/proc/PID/stat` (user + system time of all its threads), so that a report can show how much
//! of the machine's cores each side used while measured: on a 2-core machine the load generator
//! must not be what limits the figure.

use std::time::Instant;

/// Linux reports `/proc` times in USER_HZ ticks, 100 per second on every architecture's ABI.
const TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds of `pid` (this process when `None`); `None` where `/proc` is not
/// there or the process is gone.
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    parse_stat(&stat)
}

/// utime + stime (fields 14 and 15) in seconds; the command name (field 2) may hold spaces and
/// parentheses, so fields are counted after its last `)`.
fn parse_stat(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

/// A start point for [`Sample::cores_since`].
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    at: Instant,
    own: Option<f64>,
    server: Option<f64>,
}

impl Sample {
    pub fn now(server_pid: Option<u32>) -> Self {
        Self {
            at: Instant::now(),
            own: cpu_seconds(None),
            server: server_pid.and_then(|p| cpu_seconds(Some(p))),
        }
    }

    /// Cores used since `self` (1.0 = one core busy all the time) by this process and by the
    /// server, as JSON (`null` where unknown).
    pub fn cores_since(&self, server_pid: Option<u32>) -> serde_json::Value {
        let wall = self.at.elapsed().as_secs_f64().max(1e-6);
        let used = |before: Option<f64>, now: Option<f64>| match (before, now) {
            (Some(b), Some(n)) => serde_json::json!(((n - b) / wall * 100.0).round() / 100.0),
            _ => serde_json::Value::Null,
        };
        serde_json::json!({
            "loadgen_cores": used(self.own, cpu_seconds(None)),
            "server_cores": used(self.server, server_pid.and_then(|p| cpu_seconds(Some(p)))),
            "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The times are found after the command name, even one with spaces and parentheses.
    #[test]
    fn reads_utime_and_stime() {
        let stat = "4242 (tokio (x) w) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 \
                    9 0 12345 0 0";
        assert_eq!(parse_stat(stat), Some(4.0));
        assert_eq!(parse_stat("garbage"), None);
    }

    /// This process has a CPU time, and it grows with work.
    #[test]
    fn own_cpu_time_is_readable() {
        let before = cpu_seconds(None).expect("/proc/self/stat");
        let mut x = 0u64;
        let start = Instant::now();
        while start.elapsed().as_millis() < 50 {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        std::hint::black_box(x);
        assert!(cpu_seconds(None).expect("again") >= before);
    }
}
