//! The scaled-out deployment as real processes, for fault tests: a [`Cluster`] is a throwaway
//! PostgreSQL ([`Postgres`]: `initdb` into a temp dir, `pg_ctl` on a free port), a throwaway
//! Redis ([`Redis`]: `redis-server` as a child process) and N [`Instance`]s of the
//! `silkstream` binary (`serve`, each on its own free port), with an admin token. Each piece can
//! be stopped and started again on the same port (`kill -9`, SIGTERM, `pg_ctl stop`), and
//! everything is stopped by PID when the cluster is dropped, a panicking test included; the
//! logs of a failed test's processes are printed. [`Nginx`] puts `deploy/nginx.conf` in front
//! of the instances; [`ResumingFeed`] is a session feed that reconnects with `since` to
//! whichever instance is up and keeps every seq it was sent.
//!
//! Nothing here touches the machine's own servers (5432, 6379): every port is a free one
//! found by binding 127.0.0.1:0. When a tool is missing the test is skipped with one loud line,
//! or fails with `SILKSTREAM_REQUIRE_BACKENDS=1` ([`cluster_tools_or_skip`]).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use silkstream_catalog::auth::Role;
use silkstream_catalog::{Db, DbOptions};
use silkstream_server::tokens::TokenStore;
use tempfile::TempDir;
use tokio::sync::{watch, OwnedMutexGuard};
use tokio::task::JoinHandle;

use crate::app::TestApp;

/// How long an instance, Redis or nginx may take to answer after it is started.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// A sandbox payment secret the instances share (the payments tests' own).
const SANDBOX_SECRET: &str = crate::SANDBOX_SECRET;

/// One cluster at a time per test binary: three instances, PostgreSQL and Redis are five
/// processes, and CI machines have two cores; tests that ran clusters side by side would time
/// out on each other's work instead of on the faults they cause.
static ONE_CLUSTER_AT_A_TIME: LazyLock<Arc<tokio::sync::Mutex<()>>> =
    LazyLock::new(|| Arc::new(tokio::sync::Mutex::new(())));

/// The `silkstream` binary: `SILKSTREAM_BIN`, else `target/debug/silkstream` beside this test's
/// own executable (`target/debug/deps/<test>`). `cargo test --workspace` builds it before any
/// test runs; `cargo test -p silkstream-e2e` alone does not.
pub fn silkstream_bin() -> PathBuf {
    if let Ok(bin) = std::env::var("SILKSTREAM_BIN") {
        let bin = PathBuf::from(bin);
        assert!(
            bin.is_file(),
            "SILKSTREAM_BIN={} is not a file",
            bin.display()
        );
        return bin;
    }
    let exe = std::env::current_exe().expect("the test's own path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|debug| debug.join("silkstream"))
        .expect("target/debug above target/debug/deps");
    assert!(
        bin.is_file(),
        "no silkstream binary at {}: build it with cargo build -p silkstream-server \
         (or set SILKSTREAM_BIN)",
        bin.display()
    );
    bin
}

/// A port nothing listens on now (bound on 127.0.0.1:0, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// True when the cluster tests can run here: `initdb` and `pg_ctl`, `redis-server`, and
/// `nginx` when `nginx` is asked for. Otherwise one loud line and false, or a panic with
/// `SILKSTREAM_REQUIRE_BACKENDS=1` (set by CI), which makes a skip a failure.
pub fn cluster_tools_or_skip(test: &str, nginx: bool) -> bool {
    let mut missing = Vec::new();
    if pg_tool("initdb").is_none() || pg_tool("pg_ctl").is_none() {
        missing.push("initdb and pg_ctl (apt install postgresql)");
    }
    if find_on_path("redis-server").is_none() {
        missing.push("redis-server (apt install redis-server)");
    }
    if nginx && nginx_bin().is_none() {
        missing.push("nginx (apt install nginx-light)");
    }
    if missing.is_empty() {
        return true;
    }
    let missing = missing.join(", ");
    if std::env::var("SILKSTREAM_REQUIRE_BACKENDS").as_deref() == Ok("1") {
        panic!("{test} needs {missing} (SILKSTREAM_REQUIRE_BACKENDS=1)");
    }
    eprintln!("!!! SKIPPED {test}: {missing} not found");
    false
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A PostgreSQL server program: from `pg_config --bindir` (Debian keeps them in
/// `/usr/lib/postgresql/<v>/bin`, off the PATH), else the PATH.
fn pg_tool(name: &str) -> Option<PathBuf> {
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()).join(name))
        .filter(|p| p.is_file());
    from_pg_config.or_else(|| find_on_path(name))
}

fn nginx_bin() -> Option<PathBuf> {
    find_on_path("nginx")
}

/// The last `lines` lines of a log file, for a failure message.
fn tail(path: &Path, lines: usize) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs a command to its end off the runtime's threads; panics with its output when it fails.
async fn run(mut command: Command, what: &str) -> Output {
    let what = what.to_owned();
    tokio::task::spawn_blocking(move || {
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot run {command:?}: {e}"));
        assert!(
            output.status.success(),
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    })
    .await
    .expect("the command's thread")
}

/// Sends `signal` (`TERM`, `KILL`) to `pid` with kill(1).
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Reaps `child` on a thread of its own: its exit arrives on the returned channel (no polling).
fn reaper(
    mut child: Child,
) -> std::sync::mpsc::Receiver<std::io::Result<std::process::ExitStatus>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    rx
}

/// Awaits `child`'s exit for at most `within`: `Ok(status)`, or, past it, kills it (SIGKILL),
/// reaps it and answers `Err(())`.
async fn exit_within(child: Child, within: Duration) -> Result<std::process::ExitStatus, ()> {
    let pid = child.id();
    let exited = reaper(child);
    tokio::task::spawn_blocking(move || match exited.recv_timeout(within) {
        Ok(Ok(status)) => Ok(status),
        Ok(Err(_)) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(()),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            signal(pid, "KILL");
            let _ = exited.recv();
            Err(())
        }
    })
    .await
    .unwrap_or(Err(()))
}

/// A log file that a child writes both its stdout and stderr to (appended across restarts).
fn log_file(path: &Path) -> (Stdio, Stdio) {
    let file = File::options()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let err = file.try_clone().expect("clone the log file");
    (Stdio::from(file), Stdio::from(err))
}

/// True when this process runs as root: `initdb` refuses to, so PostgreSQL then runs as the
/// `postgres` OS user.
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A throwaway PostgreSQL server: its own data directory in a temp dir, on a free port of
/// 127.0.0.1 (and a Unix socket in the same temp dir), `fsync=off`, trust authentication,
/// database `silkstream`. Stopped (`pg_ctl stop -m immediate`) when dropped.
pub struct Postgres {
    port: u16,
    data: PathBuf,
    log: PathBuf,
    pg_ctl: PathBuf,
    /// `runuser -u postgres --` in front of every PostgreSQL program when we are root.
    as_postgres: bool,
    /// Holds the data directory, the socket and the log; owned by `postgres` when we are root.
    dir: TempDir,
}

impl Postgres {
    /// `initdb`, start, and create the database `silkstream`.
    pub async fn start_new() -> Postgres {
        let initdb = pg_tool("initdb").expect("initdb (apt install postgresql)");
        let pg_ctl = pg_tool("pg_ctl").expect("pg_ctl (apt install postgresql)");
        let dir = tempfile::Builder::new()
            .prefix("silkstream-pg-")
            .tempdir()
            .expect("temp dir for PostgreSQL");
        let as_postgres = running_as_root();
        if as_postgres {
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(dir.path());
            run(chown, "chown the PostgreSQL temp dir to postgres").await;
        }
        let pg = Postgres {
            port: free_port(),
            data: dir.path().join("data"),
            log: dir.path().join("postgres.log"),
            pg_ctl,
            as_postgres,
            dir,
        };
        let mut init = pg.command(&initdb);
        init.arg("-D").arg(&pg.data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ]);
        run(init, "initdb").await;
        pg.start().await;
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", pg.port);
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connect to the throwaway PostgreSQL");
        conn.execute("CREATE DATABASE silkstream")
            .await
            .expect("create database silkstream");
        let _ = conn.close().await;
        pg
    }

    /// A PostgreSQL program, run as `postgres` when we are root.
    fn command(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn pg_ctl(&self) -> Command {
        let mut c = self.command(&self.pg_ctl);
        c.arg("-D").arg(&self.data);
        c
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres@127.0.0.1:<port>/silkstream`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/silkstream", self.port)
    }

    /// Starts the server and waits until it accepts connections (`pg_ctl start -w`).
    pub async fn start(&self) {
        let mut start = self.pg_ctl();
        start
            .arg("-o")
            .arg(format!(
                "-p {} -k {} -h 127.0.0.1 -c fsync=off -c max_connections=200",
                self.port,
                self.dir.path().display()
            ))
            .arg("-l")
            .arg(&self.log)
            .args(["start", "-w", "-t", "30"])
            .stdout(Stdio::null());
        run(start, "pg_ctl start").await;
    }

    /// Stops the server, disconnecting every client (`pg_ctl stop -m fast`).
    pub async fn stop(&self) {
        let mut stop = self.pg_ctl();
        stop.args(["stop", "-m", "fast", "-w", "-t", "30"])
            .stdout(Stdio::null());
        run(stop, "pg_ctl stop").await;
    }

    /// Stops, then starts the server on the same port.
    pub async fn restart(&self) {
        self.stop().await;
        self.start().await;
    }

    /// The tail of the server's log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let stopped = self
            .pg_ctl()
            .args(["stop", "-m", "immediate", "-w", "-t", "10"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        // Already stopped, or pg_ctl failed: make sure by the postmaster's PID.
        if !stopped {
            if let Ok(pidfile) = std::fs::read_to_string(self.data.join("postmaster.pid")) {
                if let Some(pid) = pidfile.lines().next().and_then(|l| l.trim().parse().ok()) {
                    signal(pid, "KILL");
                }
            }
        }
    }
}

/// A throwaway Redis: `redis-server` on a free port of 127.0.0.1, no persistence, a child of
/// the test; killed when dropped.
pub struct Redis {
    port: u16,
    log: PathBuf,
    child: Option<Child>,
}

impl Redis {
    /// Starts Redis on a free port, logging to `dir/redis.log`.
    pub async fn start_new(dir: &Path) -> Redis {
        let mut redis = Redis {
            port: free_port(),
            log: dir.join("redis.log"),
            child: None,
        };
        redis.start().await;
        redis
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it (again) on its port and waits until it answers PING.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "Redis is already running");
        let bin = find_on_path("redis-server").expect("redis-server (apt install redis-server)");
        let (out, err) = log_file(&self.log);
        let child = Command::new(bin)
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + READY_WITHIN;
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        while !self.pings().await {
            assert!(
                Instant::now() < deadline,
                "Redis on port {} does not answer PING within {READY_WITHIN:?}:\n{}",
                self.port,
                tail(&self.log, 20)
            );
            tick.tick().await;
        }
    }

    async fn pings(&self) -> bool {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Ok(Ok(mut conn)) = tokio::time::timeout(
            Duration::from_secs(1),
            tokio::net::TcpStream::connect(("127.0.0.1", self.port)),
        )
        .await
        else {
            return false;
        };
        if conn.write_all(b"PING\r\n").await.is_err() {
            return false;
        }
        let mut answer = [0u8; 7];
        matches!(
            tokio::time::timeout(Duration::from_secs(1), conn.read_exact(&mut answer)).await,
            Ok(Ok(_))
        ) && &answer == b"+PONG\r\n"
    }

    /// Kills it (SIGKILL: no goodbye to its clients) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One `silkstream serve` process on a fixed port of 127.0.0.1 (kept across restarts, as an
/// instance behind a load balancer keeps its address), logging to a file of the cluster's.
pub struct Instance {
    pub index: usize,
    port: u16,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl Instance {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process's id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Starts the process and waits until `GET /readyz` answers 200 (ready or degraded).
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "instance {} is running", self.index);
        let (out, err) = log_file(&self.log);
        let mut command = Command::new(silkstream_bin());
        command.arg("serve");
        // The test runner's own settings (a CI job's SILKSTREAM_*) must not leak into the
        // instances; only the log filter is passed on.
        for (key, _) in std::env::vars() {
            if key.starts_with("SILKSTREAM_") && key != "SILKSTREAM_LOG" {
                command.env_remove(key);
            }
        }
        let child = command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("SILKSTREAM_BIND", format!("127.0.0.1:{}", self.port))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start silkstream serve");
        self.child = Some(child);
        self.await_ready().await;
    }

    async fn await_ready(&mut self) {
        let client = reqwest::Client::new();
        let url = format!("{}/readyz", self.base_url());
        let deadline = Instant::now() + READY_WITHIN;
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "instance {} exited ({status}) before it was ready:\n{}",
                    self.index,
                    tail(&self.log, 30)
                );
            }
            let ready = client
                .get(&url)
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "instance {} is not ready (GET /readyz) within {READY_WITHIN:?}:\n{}",
                self.index,
                tail(&self.log, 30)
            );
            tick.tick().await;
        }
    }

    /// `kill -9`: the process dies mid-work, its sockets reset, nothing is said to anyone.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "KILL");
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits (at most 30 s) for the graceful shutdown to end; panics when it
    /// does not end, or ends with a failure.
    pub async fn stop(&mut self) {
        let Some(child) = self.child.take() else {
            return;
        };
        signal(child.id(), "TERM");
        match exit_within(child, Duration::from_secs(30)).await {
            Ok(status) => assert!(
                status.success(),
                "instance {} ended with {status} after SIGTERM:\n{}",
                self.index,
                tail(&self.log, 30)
            ),
            Err(()) => {
                panic!(
                    "instance {} did not shut down within 30 s of SIGTERM:\n{}",
                    self.index,
                    tail(&self.log, 30)
                );
            }
        }
    }

    /// SIGTERM, then starts again on the same port.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start().await;
    }

    /// The tail of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// What to start.
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    pub instances: usize,
    /// A throwaway Redis, and `SILKSTREAM_REDIS_URL` pointing to it.
    pub redis: bool,
    /// Settings for every instance (`SILKSTREAM_…`), beside the bind address, the database
    /// and Redis.
    pub env: Vec<(String, String)>,
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            instances: 3,
            redis: true,
            env: Vec::new(),
        }
    }
}

impl ClusterSpec {
    /// Adds a setting for every instance.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.env.push((key.to_owned(), value.to_string()));
        self
    }
}

/// N instances of the `silkstream` binary on one throwaway PostgreSQL (and Redis), with an
/// admin token. Fields drop in order: instances, Redis, PostgreSQL, then the temp dir.
pub struct Cluster {
    pub instances: Vec<Instance>,
    pub redis: Option<Redis>,
    pub postgres: Postgres,
    /// An admin token.
    pub admin: String,
    /// A small pool on the cluster's database, for the handles' behind-the-back reads.
    db: Db,
    dir: TempDir,
    _turn: OwnedMutexGuard<()>,
}

impl Cluster {
    /// Starts PostgreSQL, Redis (if asked for), then the instances one at a time (the first
    /// applies the migrations), and makes an admin token in the database.
    pub async fn start(spec: ClusterSpec) -> Cluster {
        let turn = ONE_CLUSTER_AT_A_TIME.clone().lock_owned().await;
        let bin = silkstream_bin();
        let dir = tempfile::Builder::new()
            .prefix("silkstream-cluster-")
            .tempdir()
            .expect("temp dir for the cluster");
        // nginx's workers (not root) write their temp files under it.
        let mut chmod = Command::new("chmod");
        chmod.arg("755").arg(dir.path());
        run(chmod, "chmod the cluster's temp dir").await;
        let postgres = Postgres::start_new().await;
        let redis = if spec.redis {
            Some(Redis::start_new(dir.path()).await)
        } else {
            None
        };
        let mut env = vec![
            ("SILKSTREAM_DATABASE_URL".to_owned(), postgres.url()),
            (
                "SILKSTREAM_PAYMENT_SANDBOX_SECRET".to_owned(),
                SANDBOX_SECRET.to_owned(),
            ),
            ("SILKSTREAM_PAYMENT_SANDBOX".to_owned(), "true".to_owned()),
        ];
        if let Some(redis) = &redis {
            env.push(("SILKSTREAM_REDIS_URL".to_owned(), redis.url()));
        }
        env.extend(spec.env.iter().cloned());
        let mut instances = Vec::new();
        for index in 0..spec.instances {
            let mut instance = Instance {
                index,
                port: free_port(),
                env: env.clone(),
                log: dir.path().join(format!("instance-{index}.log")),
                child: None,
            };
            instance.start().await;
            instances.push(instance);
        }
        eprintln!(
            "cluster: {} ({} instances of {}) in {}",
            postgres.url(),
            instances.len(),
            bin.display(),
            dir.path().display()
        );
        let db = Db::connect(
            &postgres.url(),
            &DbOptions {
                max_connections: 4,
                ..DbOptions::default()
            },
        )
        .await
        .expect("connect to the cluster's database");
        let admin = TokenStore::new(db.clone())
            .create("cluster admin", Role::Admin, None)
            .await
            .expect("create the cluster's admin token")
            .token;
        Cluster {
            instances,
            redis,
            postgres,
            admin,
            db,
            dir,
            _turn: turn,
        }
    }

    /// A [`TestApp`] on instance `i`: every request helper and fixture of the suite, sent to
    /// that instance.
    pub fn app(&self, i: usize) -> TestApp {
        self.app_at(self.instances[i].base_url())
    }

    /// A [`TestApp`] on `base` (the load balancer, say), on the cluster's database.
    pub fn app_at(&self, base: String) -> TestApp {
        TestApp::remote(
            base,
            self.admin.clone(),
            self.db.clone(),
            self.postgres.url(),
        )
    }

    /// The temp dir holding the logs (and nginx's files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The instances' base URLs, in order.
    pub fn bases(&self) -> Vec<String> {
        self.instances.iter().map(Instance::base_url).collect()
    }

    /// Prints the tail of every process's log (to the test's output).
    pub fn print_logs(&self) {
        for instance in &self.instances {
            eprintln!(
                "----- instance {} ({}) log, last lines -----\n{}",
                instance.index,
                instance.base_url(),
                instance.log_tail(60)
            );
        }
        eprintln!(
            "----- postgres log, last lines -----\n{}",
            self.postgres.log_tail(30)
        );
        if let Some(redis) = &self.redis {
            eprintln!(
                "----- redis log, last lines -----\n{}",
                tail(&redis.log, 15)
            );
        }
        let nginx = self.dir.path().join("nginx/error.log");
        if nginx.is_file() {
            eprintln!(
                "----- nginx error log, last lines -----\n{}",
                tail(&nginx, 30)
            );
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.print_logs();
        }
    }
}

/// nginx in front of the instances, from the template `deploy/nginx.conf`: a child process
/// (`daemon off`) whose files (config, pid, logs, temp files) are in `<cluster dir>/nginx`;
/// stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Nginx {
    port: u16,
    child: Option<Child>,
    dir: PathBuf,
}

/// The deployment's nginx configuration, with `{{…}}` placeholders the harness fills in.
pub const NGINX_TEMPLATE: &str = include_str!("../../deploy/nginx.conf");

/// Fills in `deploy/nginx.conf`: `{{listen}}` (address:port), `{{upstreams}}` (one `server`
/// line per instance) and `{{prefix}}` (the directory for its pid, logs and temp files).
pub fn render_nginx_conf(listen: &str, upstreams: &[String], prefix: &Path) -> String {
    let servers: String = upstreams
        .iter()
        .map(|u| format!("server {u} max_fails=1 fail_timeout=2s;\n        "))
        .collect();
    let conf = NGINX_TEMPLATE
        .replace("{{listen}}", listen)
        .replace("{{upstreams}}", servers.trim_end())
        .replace("{{prefix}}", &prefix.display().to_string());
    assert!(
        !conf.contains("{{"),
        "deploy/nginx.conf has a placeholder the harness does not know"
    );
    conf
}

impl Nginx {
    /// Starts nginx on a free port with every instance of `cluster` as its upstream, and waits
    /// until it answers `/healthz` through them.
    pub async fn start(cluster: &Cluster) -> Nginx {
        let bin = nginx_bin().expect("nginx (apt install nginx-light)");
        let dir = cluster.dir().join("nginx");
        std::fs::create_dir_all(&dir).expect("nginx dir");
        let port = free_port();
        let upstreams: Vec<String> = cluster
            .instances
            .iter()
            .map(|i| format!("127.0.0.1:{}", i.port()))
            .collect();
        let conf = dir.join("nginx.conf");
        File::create(&conf)
            .and_then(|mut f| {
                f.write_all(
                    render_nginx_conf(&format!("127.0.0.1:{port}"), &upstreams, &dir).as_bytes(),
                )
            })
            .expect("write nginx.conf");
        let mut check = Command::new(&bin);
        check.arg("-t").arg("-c").arg(&conf).arg("-p").arg(&dir);
        run(check, "nginx -t (the rendered deploy/nginx.conf)").await;
        let (out, err) = log_file(&dir.join("stderr.log"));
        let child = Command::new(&bin)
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx {
            port,
            child: Some(child),
            dir,
        };
        let client = reqwest::Client::new();
        let url = format!("{}/healthz", nginx.base_url());
        let deadline = Instant::now() + READY_WITHIN;
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            if let Some(Ok(Some(status))) = nginx.child.as_mut().map(Child::try_wait) {
                panic!(
                    "nginx exited ({status}):\n{}\n{}",
                    tail(&nginx.dir.join("stderr.log"), 20),
                    tail(&nginx.dir.join("error.log"), 20)
                );
            }
            let up = client
                .get(&url)
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if up {
                return nginx;
            }
            assert!(
                Instant::now() < deadline,
                "nginx does not answer /healthz within {READY_WITHIN:?}:\n{}",
                tail(&nginx.dir.join("error.log"), 20)
            );
            tick.tick().await;
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// nginx's access log (one line per request, with the upstream that answered).
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            // SIGTERM: the master stops its workers; SIGKILL would leave them behind. Its exit
            // is awaited (5 s at most), then it is killed.
            let pid = child.id();
            signal(pid, "TERM");
            let exited = reaper(child);
            if exited.recv_timeout(Duration::from_secs(5)).is_err() {
                signal(pid, "KILL");
                let _ = exited.recv();
            }
        }
    }
}

/// What a [`ResumingFeed`] has seen.
#[derive(Clone, Debug, Default)]
pub struct FeedLog {
    /// The seq of every logged event received, in order of arrival (a duplicate kept, so that
    /// a check can see it).
    pub seqs: Vec<i64>,
    /// The base URL of each connection made, in order.
    pub connections: Vec<String>,
    /// The base URL of the open connection; `None` while reconnecting.
    pub connected_to: Option<String>,
    /// The last `tick`: its `viewers` and when it arrived.
    pub last_tick: Option<(i64, Instant)>,
    /// Why the feed gave up (no instance took it for a minute), if it did.
    pub gave_up: Option<String>,
}

impl FeedLog {
    /// The last seq received (0 before any).
    pub fn last_seq(&self) -> i64 {
        self.seqs.last().copied().unwrap_or(0)
    }
}

/// A session feed that keeps reading on a task of its own and, when its connection ends (the
/// instance was killed, restarted, or closed it), reconnects with `?since=<last seq>` to
/// another instance that takes it, as a buyer's page does. It opens with `since=0`, so its seqs
/// should be 1..N. Feeds step through the instances with different strides (1, 2, …, in the
/// order they are opened), so that the feeds of an instance that goes away spread over the
/// others instead of all landing on the next one.
pub struct ResumingFeed {
    pub name: String,
    log: Arc<Mutex<FeedLog>>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ResumingFeed {
    /// Opens the feed of session `session_id` with `token` on `apps[first]`, moving on to the
    /// next of `apps` (in a ring) whenever a connection ends or is not taken.
    pub async fn open(
        name: &str,
        apps: Vec<TestApp>,
        first: usize,
        session_id: i64,
        token: &str,
    ) -> ResumingFeed {
        let log = Arc::new(Mutex::new(FeedLog::default()));
        let (stop, mut stopped) = watch::channel(false);
        let (opened_tx, opened) = tokio::sync::oneshot::channel::<()>();
        let task_log = log.clone();
        let token = token.to_owned();
        let feed_name = name.to_owned();
        let stride =
            1 + FEEDS_OPENED.fetch_add(1, Ordering::Relaxed) % apps.len().max(2).saturating_sub(1);
        let task = tokio::spawn(async move {
            let log = task_log;
            let mut at = first;
            let mut refused = 0usize;
            let mut opened_tx = Some(opened_tx);
            let mut failing_since: Option<Instant> = None;
            let mut retry = tokio::time::interval(Duration::from_millis(100));
            loop {
                if *stopped.borrow() {
                    return;
                }
                let since = lock(&log).last_seq();
                let app = &apps[at % apps.len()];
                let path = format!("/api/v1/sessions/{session_id}/feed?since={since}");
                let mut client = match app.ws_connect_if_up(&path, Some(&token)).await {
                    Ok(client) => client,
                    Err(why) => {
                        let started = *failing_since.get_or_insert_with(Instant::now);
                        if started.elapsed() > Duration::from_secs(60) {
                            lock(&log).gave_up = Some(format!("{feed_name}: {why}"));
                            return;
                        }
                        at += stride;
                        refused += 1;
                        // As many refusals as instances: wait a little before the next round.
                        if refused == apps.len() {
                            refused = 0;
                            retry.tick().await;
                        }
                        continue;
                    }
                };
                failing_since = None;
                {
                    let mut l = lock(&log);
                    l.connections.push(app.base.clone());
                    l.connected_to = Some(app.base.clone());
                }
                if let Some(tx) = opened_tx.take() {
                    let _ = tx.send(());
                }
                loop {
                    let message = tokio::select! {
                        m = client.next_json_or_end(Duration::from_secs(30)) => m,
                        _ = stopped.changed() => {
                            client.close().await;
                            return;
                        }
                    };
                    let Some(message) = message else { break };
                    record(&log, &message);
                }
                lock(&log).connected_to = None;
                at += stride;
            }
        });
        let feed = ResumingFeed {
            name: name.to_owned(),
            log,
            stop,
            task,
        };
        tokio::time::timeout(Duration::from_secs(30), opened)
            .await
            .unwrap_or_else(|_| panic!("{name}: no instance took the feed within 30 s"))
            .unwrap_or_else(|_| panic!("{name}: gave up: {:?}", feed.log().gave_up));
        feed
    }

    /// A copy of what it has seen so far.
    pub fn log(&self) -> FeedLog {
        lock(&self.log).clone()
    }

    /// Stops reading and closes the connection; what it saw.
    pub async fn close(self) -> FeedLog {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
        let log = lock(&self.log).clone();
        log
    }
}

/// Feeds opened so far in this process: picks each one's stride.
static FEEDS_OPENED: AtomicUsize = AtomicUsize::new(0);

fn lock(log: &Mutex<FeedLog>) -> std::sync::MutexGuard<'_, FeedLog> {
    log.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn record(log: &Mutex<FeedLog>, message: &Value) {
    let mut l = lock(log);
    match message["type"].as_str() {
        Some("snapshot") => {}
        Some("tick") => {
            if let Some(v) = message["viewers"].as_i64() {
                l.last_tick = Some((v, Instant::now()));
            }
        }
        _ => {
            if let Some(seq) = message["seq"].as_i64() {
                l.seqs.push(seq);
            }
        }
    }
}
