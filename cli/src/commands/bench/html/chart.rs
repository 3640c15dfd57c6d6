//! Charts as inline SVG: lines (with gaps where there is no value), stacked bars, point
//! markers, a shaded span, ticks at round numbers. What the report needs and no more, so
//! the report is one file that opens anywhere without a script or a network.

use std::fmt::Write;

const WIDTH: f64 = 880.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 44.0;

/// A line; `NaN` in `y` is a gap.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) name: String,
    pub(crate) color: &'static str,
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) dashed: bool,
}

/// One layer of stacked bars, one bar per point's x.
#[derive(Debug, Clone)]
pub(crate) struct Bars {
    pub(crate) name: String,
    pub(crate) color: &'static str,
    pub(crate) values: Vec<(f64, f64)>,
}

/// A labelled point (the baseline's percentiles over this run's distribution).
#[derive(Debug, Clone)]
pub(crate) struct Marker {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) label: String,
    pub(crate) color: &'static str,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Chart {
    /// The `id` of the `<svg>`, which the tests look for.
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    /// Ticks of the x axis; round numbers over the data when empty.
    pub(crate) x_ticks: Vec<(f64, String)>,
    pub(crate) lines: Vec<Line>,
    pub(crate) bars: Vec<Bars>,
    pub(crate) markers: Vec<Marker>,
    /// A shaded span of x, with what it is (the warm-up).
    pub(crate) band: Option<(f64, f64, String)>,
    /// Said in the middle of the plot when there is nothing to draw.
    pub(crate) empty_note: Option<String>,
}

/// Text for XML: `&`, `<`, `>` and quotes escaped.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// About `n` ticks at round values (1, 2, 5 times a power of ten) covering `lo..hi`.
pub(crate) fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(f64::EPSILON);
    let raw = span / n.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil() * step;
    (0..)
        .map(|i| first + i as f64 * step)
        .take_while(|v| *v <= hi + step * 1e-9)
        .take(50)
        .collect()
}

/// A tick's label: no needless decimals.
pub(crate) fn tick_label(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').to_owned()
    }
}

impl Chart {
    fn x_range(&self) -> (f64, f64) {
        let xs = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .chain(self.bars.iter().flat_map(|b| b.values.iter().map(|v| v.0)))
            .chain(self.markers.iter().map(|m| m.x))
            .chain(self.x_ticks.iter().map(|t| t.0))
            .filter(|x| x.is_finite());
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
        // Every chart here starts at zero (the start of the run, the 0th percentile);
        // bars (which sit mid-second) get their whole slot.
        let pad = if self.bars.is_empty() { 0.0 } else { 0.5 };
        match (lo.is_finite(), hi.is_finite()) {
            (true, true) if hi > 0.0 => (lo.min(0.0), hi + pad),
            _ => (0.0, 1.0),
        }
    }

    fn y_max(&self) -> f64 {
        let lines = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .filter(|y| y.is_finite());
        let stacked = self.bars.first().map(|first| {
            (0..first.values.len())
                .map(|i| {
                    self.bars
                        .iter()
                        .filter_map(|b| b.values.get(i))
                        .map(|v| v.1)
                        .sum::<f64>()
                })
                .collect::<Vec<f64>>()
        });
        let max = lines
            .chain(stacked.into_iter().flatten())
            .chain(self.markers.iter().map(|m| m.y))
            .fold(0.0_f64, f64::max);
        if max <= 0.0 { 1.0 } else { max * 1.08 }
    }

    pub(crate) fn svg(&self) -> String {
        let (x0, x1) = self.x_range();
        let y_ticks = ticks(0.0, self.y_max(), 5);
        let y1 = y_ticks
            .last()
            .copied()
            .filter(|t| *t >= self.y_max())
            .unwrap_or_else(|| self.y_max());
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let sx = |x: f64| LEFT + (x - x0) / (x1 - x0) * plot_w;
        let sy = |y: f64| TOP + plot_h - (y / y1) * plot_h;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg id="{}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
            esc(&self.id),
            esc(&self.title)
        );
        let _ = write!(s, "<title>{}</title>", esc(&self.title));
        if let Some((from, to, label)) = &self.band {
            let (a, b) = (sx(from.max(x0)), sx(to.min(x1)));
            if b > a {
                let _ = write!(
                    s,
                    r##"<rect class="band" x="{a:.1}" y="{TOP}" width="{:.1}" height="{plot_h}" fill="#eee"/><text x="{:.1}" y="{:.1}" class="note">{}</text>"##,
                    b - a,
                    a + 4.0,
                    TOP + 12.0,
                    esc(label)
                );
            }
        }
        // Grid and y axis.
        for t in &y_ticks {
            let y = sy(*t);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="tick">{}</text>"##,
                LEFT + plot_w,
                LEFT - 6.0,
                y + 4.0,
                tick_label(*t)
            );
        }
        // X axis.
        let x_ticks: Vec<(f64, String)> = if self.x_ticks.is_empty() {
            ticks(x0.max(0.0).min(x1), x1, 8)
                .into_iter()
                .filter(|t| *t >= x0)
                .map(|t| (t, tick_label(t)))
                .collect()
        } else {
            self.x_ticks.clone()
        };
        let base = TOP + plot_h;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{base}" y2="{base}" stroke="#888"/>"##,
            LEFT + plot_w
        );
        for (t, label) in &x_ticks {
            let x = sx(*t);
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" x2="{x:.1}" y1="{base}" y2="{:.1}" stroke="#888"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="tick">{}</text>"##,
                base + 4.0,
                base + 16.0,
                esc(label)
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis">{}</text>"#,
            LEFT + plot_w / 2.0,
            HEIGHT - 8.0,
            esc(&self.x_label)
        );
        let _ = write!(
            s,
            r#"<text transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle" class="axis">{}</text>"#,
            TOP + plot_h / 2.0,
            esc(&self.y_label)
        );
        // Stacked bars.
        if let Some(first) = self.bars.first() {
            let slot = plot_w / (x1 - x0);
            let width = (slot * 0.8).max(1.0);
            for (i, (x, _)) in first.values.iter().enumerate() {
                let mut stacked = 0.0;
                for bars in &self.bars {
                    let Some(&(_, v)) = bars.values.get(i) else {
                        continue;
                    };
                    if v <= 0.0 {
                        continue;
                    }
                    let (top, bottom) = (sy(stacked + v), sy(stacked));
                    let _ = write!(
                        s,
                        r#"<rect class="bar" x="{:.1}" y="{top:.1}" width="{width:.1}" height="{:.1}" fill="{}"><title>{} at {}s: {}</title></rect>"#,
                        sx(*x) - width / 2.0,
                        (bottom - top).max(0.5),
                        bars.color,
                        esc(&bars.name),
                        tick_label(*x),
                        tick_label(v)
                    );
                    stacked += v;
                }
            }
        }
        // Lines, split at gaps.
        for line in &self.lines {
            let dash = if line.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            let mut segment: Vec<(f64, f64)> = Vec::new();
            let flush = |segment: &mut Vec<(f64, f64)>, s: &mut String| {
                match segment.as_slice() {
                    [] => {}
                    // A lone point between gaps: a dot, or it would not show.
                    [(x, y)] => {
                        let _ = write!(
                            s,
                            r#"<circle cx="{x:.1}" cy="{y:.1}" r="2.5" fill="{}"/>"#,
                            line.color
                        );
                    }
                    points => {
                        let points: Vec<String> = points
                            .iter()
                            .map(|(x, y)| format!("{x:.1},{y:.1}"))
                            .collect();
                        let _ = write!(
                            s,
                            r#"<polyline class="series" data-series="{}" fill="none" stroke="{}" stroke-width="2"{dash} points="{}"/>"#,
                            esc(&line.name),
                            line.color,
                            points.join(" ")
                        );
                    }
                }
                segment.clear();
            };
            for &(x, y) in &line.points {
                if y.is_finite() && x.is_finite() {
                    segment.push((sx(x), sy(y)));
                } else {
                    flush(&mut segment, &mut s);
                }
            }
            flush(&mut segment, &mut s);
            if line.points.len() <= 120 {
                for &(x, y) in line.points.iter().filter(|p| p.1.is_finite()) {
                    let _ = write!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="6" fill="transparent"><title>{}: {} at {}</title></circle>"#,
                        sx(x),
                        sy(y),
                        esc(&line.name),
                        tick_label((y * 100.0).round() / 100.0),
                        tick_label((x * 100.0).round() / 100.0)
                    );
                }
            }
        }
        for m in &self.markers {
            let (x, y) = (sx(m.x), sy(m.y));
            let _ = write!(
                s,
                r##"<path class="marker" d="M{:.1} {:.1} l5 5 l-5 5 l-5 -5 z" fill="{}" stroke="#fff"><title>{}</title></path><text x="{:.1}" y="{:.1}" class="note">{}</text>"##,
                x,
                y - 5.0,
                m.color,
                esc(&m.label),
                x + 7.0,
                y - 6.0,
                esc(&m.label)
            );
        }
        if let Some(note) = &self.empty_note {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="empty">{}</text>"#,
                LEFT + plot_w / 2.0,
                TOP + plot_h / 2.0,
                esc(note)
            );
        }
        // Legend, top right.
        let mut x = WIDTH - RIGHT;
        let names: Vec<(&str, &str)> = self
            .lines
            .iter()
            .map(|l| (l.name.as_str(), l.color))
            .chain(self.bars.iter().map(|b| (b.name.as_str(), b.color)))
            .collect();
        for (name, color) in names.iter().rev() {
            let w = 18.0 + 7.0 * name.chars().count() as f64;
            x -= w;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="8" width="10" height="10" fill="{color}"/><text x="{:.1}" y="17" class="legend">{}</text>"#,
                x + 14.0,
                esc(name)
            );
            x -= 10.0;
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_round_numbers() {
        assert_eq!(ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(0.0, 0.9, 3), vec![0.0, 0.5]);
        assert_eq!(tick_label(2.0), "2");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(12.5), "12.5");
    }

    #[test]
    fn a_chart_is_one_svg_with_its_id_series_and_escaped_text() {
        let chart = Chart {
            id: "chart-x".into(),
            title: "a <title> & more".into(),
            x_label: "seconds".into(),
            y_label: "ms".into(),
            lines: vec![Line {
                name: "p50".into(),
                color: "#123456",
                points: vec![
                    (0.0, 1.0),
                    (1.0, 2.0),
                    (2.0, f64::NAN),
                    (3.0, 4.0),
                    (4.0, 5.0),
                ],
                dashed: false,
            }],
            ..Chart::default()
        };
        let svg = chart.svg();
        assert!(svg.starts_with(r#"<svg id="chart-x""#), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("a &lt;title&gt; &amp; more"));
        assert_eq!(svg.matches("<polyline").count(), 2, "split at the gap");
    }
}
