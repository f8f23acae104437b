//! What a scenario hands back: tables for the terminal, a JSON value for the results file, and
//! series for the plots. Scenarios build a [`Report`]; `main` prints and writes it.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// One scenario's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The scenario's name (`flash`, `fanout`, `idle`, `catalog`…), also the JSON file's key.
    pub scenario: String,
    /// Tables printed to the terminal (and kept in the JSON).
    pub tables: Vec<Table>,
    /// Everything measured, machine-readable.
    pub data: serde_json::Value,
    /// Curves to plot (one SVG per series).
    pub series: Vec<Series>,
}

/// A table: a title, column names and rows of already formatted cells.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A plot: one or more named lines over the same axes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Series {
    /// Also the SVG's file stem (`flash-ack-latency`).
    pub name: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub lines: Vec<Line>,
}

/// One line of a plot: (x, y) points.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// Latencies in microseconds, 1 µs to 10 min, 3 significant digits.
#[derive(Debug, Clone)]
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        Self::new()
    }
}

impl Latency {
    pub fn new() -> Self {
        // 600 s at 3 significant figures always fits; new_with_bounds only fails on bad bounds.
        Self(
            Histogram::new_with_bounds(1, 600_000_000, 3)
                .expect("fixed histogram bounds are valid"),
        )
    }

    pub fn record(&mut self, d: Duration) {
        let us = (d.as_micros() as u64).clamp(1, 600_000_000);
        self.0.saturating_record(us);
    }

    pub fn merge(&mut self, other: &Latency) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    pub fn count(&self) -> u64 {
        self.0.len()
    }

    /// The quantile `q` (0.0..=1.0) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.0.value_at_quantile(q) as f64 / 1000.0
    }

    /// p50, p99, p99.9 and max in milliseconds, for the JSON file.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "count": self.count(),
            "p50_ms": self.ms(0.50),
            "p99_ms": self.ms(0.99),
            "p999_ms": self.ms(0.999),
            "max_ms": self.0.max() as f64 / 1000.0,
        })
    }
}
