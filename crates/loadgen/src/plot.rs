//! Each [`Series`] drawn as an SVG file (`DIR/<series.name>.svg`) with plotters' SVG backend.
//! Text goes into the file as SVG `<text>` elements and is laid out by the viewer, so no font
//! file, fontconfig or system font is needed to draw (plotters is built without its `ttf`
//! feature; its text sizes are estimates).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use plotters::prelude::*;

use crate::report::Series;

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Draws `series` into `dir` (created if missing); the path written, or `None` when no line of
/// the series has two points to draw.
pub fn draw(series: &Series, dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let points: Vec<(f64, f64)> = series
        .lines
        .iter()
        .flat_map(|l| l.points.iter().copied())
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    // A curve needs two points; one figure is a table cell, not a plot.
    let curve = series.lines.iter().any(|l| {
        l.points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .count()
            >= 2
    });
    if !curve {
        return Ok(None);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{}.svg", file_stem(&series.name)));
    let (x0, x1) = span(points.iter().map(|p| p.0), false);
    let (y0, y1) = span(points.iter().map(|p| p.1), true);
    {
        let root = SVGBackend::new(&path, (900, 540)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&series.title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_desc(series.x_label.as_str())
            .y_desc(series.y_label.as_str())
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_error)?;
        for (i, line) in series.lines.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let pts: Vec<(f64, f64)> = line
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                .map_err(plot_error)?
                .label(line.name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour.filled())))
                .map_err(plot_error)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(plot_error)?;
        root.present().map_err(plot_error)?;
    }
    Ok(Some(path))
}

fn plot_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing a plot: {e:?}")
}

/// The axis range: from 0 (or the smallest value) to a little above the largest.
fn span(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.08;
    (if from_zero { lo } else { lo - pad }, hi + pad)
}

/// The series name as a safe file name.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Line;

    /// A plot is drawn with no font on the system: the SVG holds its title and legend as text.
    #[test]
    fn draws_svg_with_text_and_no_fonts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let series = Series {
            name: "flash-test/ack".into(),
            title: "Ack latency".into(),
            x_label: "buyers".into(),
            y_label: "ms".into(),
            lines: vec![
                Line {
                    name: "p50".into(),
                    points: vec![(500.0, 3.0), (2000.0, 9.5), (10000.0, 40.0)],
                },
                Line {
                    name: "p99".into(),
                    points: vec![(500.0, 12.0), (2000.0, 31.0), (10000.0, 90.0)],
                },
            ],
        };
        let path = draw(&series, dir.path())
            .expect("draws")
            .expect("has points");
        assert_eq!(
            path.file_name().and_then(|f| f.to_str()),
            Some("flash-test-ack.svg")
        );
        let svg = std::fs::read_to_string(&path).expect("svg written");
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        for text in ["Ack latency", "buyers", "p50", "p99"] {
            assert!(
                svg.contains(&format!(">{text}<")) || svg.contains(text),
                "no {text}"
            );
        }
        assert!(svg.contains("<text"), "text is drawn as SVG text");
        assert!(svg.contains("<polyline"), "the lines are drawn");
    }

    /// A series without a curve (no line with two points) draws nothing rather than an empty
    /// chart.
    #[test]
    fn empty_series_draws_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let series = Series {
            name: "empty".into(),
            title: "Empty".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            lines: vec![
                Line {
                    name: "none".into(),
                    points: vec![],
                },
                Line {
                    name: "one".into(),
                    points: vec![(1.0, 2.0)],
                },
            ],
        };
        assert!(draw(&series, dir.path()).expect("no error").is_none());
        assert!(!dir.path().join("empty.svg").exists());
    }
}
