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

/// CPU seconds the whole machine spent busy (everything but idle and I/O wait, every process:
/// the database's and Redis's too), from `/proc/stat`.
pub fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_machine(stat.lines().next()?)
}

/// `cpu  user nice system idle iowait irq softirq steal …`: all but idle and iowait (guest
/// time is already counted in user).
fn parse_machine(line: &str) -> Option<f64> {
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    let v: Vec<f64> = fields
        .take(8)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    if v.len() < 8 {
        return None;
    }
    let busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    Some(busy / TICKS_PER_SECOND)
}

/// A start point for [`Sample::cores_since`].
#[derive(Debug, Clone)]
pub struct Sample {
    at: Instant,
    own: Option<f64>,
    /// The server's instances, each (their sum is the figure).
    servers: Vec<Option<f64>>,
    machine: Option<f64>,
}

impl Sample {
    /// Now, for this process, the servers' processes `server_pids` (none, one, or one per
    /// instance) and the machine.
    pub fn now(server_pids: &[u32]) -> Self {
        Self {
            at: Instant::now(),
            own: cpu_seconds(None),
            servers: server_pids.iter().map(|p| cpu_seconds(Some(*p))).collect(),
            machine: machine_busy_seconds(),
        }
    }

    /// Cores used since `self` (1.0 = one core busy all the time) by this process, by the
    /// server (its instances added up; each in `server_cores_each` when there are several) and
    /// by the whole machine, as JSON (`null` where unknown).
    pub fn cores_since(&self, server_pids: &[u32]) -> serde_json::Value {
        let wall = self.at.elapsed().as_secs_f64().max(1e-6);
        let cores = |before: Option<f64>, now: Option<f64>| match (before, now) {
            (Some(b), Some(n)) => Some(((n - b) / wall * 100.0).round() / 100.0),
            _ => None,
        };
        let each: Vec<Option<f64>> = self
            .servers
            .iter()
            .zip(server_pids)
            .map(|(before, pid)| cores(*before, cpu_seconds(Some(*pid))))
            .collect();
        let total: Option<f64> = if each.is_empty() {
            None
        } else {
            each.iter()
                .copied()
                .sum::<Option<f64>>()
                .map(|c| (c * 100.0).round() / 100.0)
        };
        let mut v = serde_json::json!({
            "loadgen_cores": cores(self.own, cpu_seconds(None)),
            "server_cores": total,
            "machine_busy_cores": cores(self.machine, machine_busy_seconds()),
            "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        });
        if each.len() > 1 {
            v["server_cores_each"] = serde_json::json!(each);
        }
        v
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

    /// The machine's busy time leaves out idle and I/O wait.
    #[test]
    fn reads_the_machines_busy_time() {
        let line = "cpu  100 5 50 1000 20 3 2 10 0 0";
        assert_eq!(parse_machine(line), Some(1.7));
        assert_eq!(parse_machine("cpu0 1 2 3 4 5 6 7 8"), None);
        assert!(machine_busy_seconds().is_some());
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
