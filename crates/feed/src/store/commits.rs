//! Where the events a write committed go next: this instance's fan-out at once (the rows as the
//! transaction wrote them, so no read of the log is needed), and, scaled out, the bus that
//! publishes them to the other instances (`crate::tasks::cluster`). Neither may slow a commit: both
//! are bounded queues offered without waiting. What cannot be queued is not lost: it is in the
//! log, which the fan-out reads when woken, when it sees a gap in the global ids, and on its
//! poll.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, Notify};

use super::log::EventRow;

/// Rows committed together (ids and seqs ascending), shared by every consumer.
pub type Batch = Arc<Vec<EventRow>>;

/// What reaches the fan-out's tailer besides its poll.
#[derive(Debug, Clone)]
pub enum Arrival {
    /// Rows committed by this instance or, through the bus, by another one.
    Events(Batch),
    /// Something may have been missed (the bus reconnected): read the log.
    Resync,
}

/// The fan-out's queue of arrivals: large enough for bursts of batches; when it is full the
/// tailer is woken instead and reads the log.
pub const ARRIVALS: usize = 4096;

/// The commit side of the fan-out; one per instance, shared by every clone of the store.
#[derive(Debug, Default)]
pub struct Commits {
    /// Wakes the tailer to read the log (when no arrival could be queued).
    wake: Arc<Notify>,
    /// This instance's tailer.
    local: OnceLock<mpsc::Sender<Arrival>>,
    /// The publisher to the other instances (scaled out only).
    bus: OnceLock<mpsc::Sender<Batch>>,
}

impl Commits {
    /// Connects the tailer (once): returns the receiver of arrivals and the wake-up.
    pub fn attach_tailer(&self) -> Option<(mpsc::Receiver<Arrival>, Arc<Notify>)> {
        let (tx, rx) = mpsc::channel(ARRIVALS);
        self.local.set(tx).ok()?;
        Some((rx, self.wake.clone()))
    }

    /// Connects the bus's publisher (once).
    pub fn attach_bus(&self, tx: mpsc::Sender<Batch>) -> bool {
        self.bus.set(tx).is_ok()
    }

    /// The wake-up alone (a tailer that reads only the log).
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Hands the tailer a batch another instance committed (through the bus).
    pub fn offer(&self, batch: Batch) {
        self.to_tailer(Arrival::Events(batch));
    }

    /// Tells the tailer to read the log: something may have been missed.
    pub fn resync(&self) {
        self.to_tailer(Arrival::Resync);
    }

    fn to_tailer(&self, arrival: Arrival) {
        let queued = self
            .local
            .get()
            .is_some_and(|tx| tx.try_send(arrival).is_ok());
        if !queued {
            self.wake.notify_one();
        }
    }

    /// Hands `rows`, just committed, to the fan-out and the bus.
    pub(crate) fn committed(&self, rows: Vec<EventRow>) {
        let batch: Batch = Arc::new(rows);
        self.to_tailer(Arrival::Events(batch.clone()));
        if let Some(bus) = self.bus.get() {
            // A full publisher queue: the other instances find the gap and read the log.
            let _ = bus.try_send(batch);
        }
    }
}
