//! Server-rendered SVG charts. Each is a `<figure>`: the SVG draws it (its `aria-label`
//! sums it up) and a table beside it holds every number, for screen readers and for
//! anyone who wants the figures.
use leptos::prelude::*;

const WIDTH: f32 = 600.0;
const BAR_HEIGHT: f32 = 22.0;
const LABEL_WIDTH: f32 = 170.0;

/// One horizontal bar: its label, its length (0 to `max`) and the text at its end.
#[derive(Clone, Debug)]
pub struct Bar {
    pub label: String,
    pub value: f32,
    pub text: String,
}

/// Horizontal bars, one per row (accuracy by topic).
#[component]
pub fn BarChart(title: &'static str, bars: Vec<Bar>, max: f32) -> impl IntoView {
    let height = BAR_HEIGHT * 1.5 * bars.len() as f32 + 8.0;
    let span = WIDTH - LABEL_WIDTH - 80.0;
    let summary = format!(
        "{title}: {}",
        bars.iter()
            .map(|b| format!("{} {}", b.label, b.text))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, bar)| {
            let y = 4.0 + i as f32 * BAR_HEIGHT * 1.5;
            let length = if max > 0.0 { (bar.value / max).clamp(0.0, 1.0) * span } else { 0.0 };
            view! {
                <text x=LABEL_WIDTH - 8.0 y=y + BAR_HEIGHT * 0.7 class="chart-label" text-anchor="end">{truncate(&bar.label, 22)}</text>
                <rect x=LABEL_WIDTH y=y width=span height=BAR_HEIGHT class="chart-track" rx="4" />
                <rect x=LABEL_WIDTH y=y width=length.max(1.0) height=BAR_HEIGHT class="chart-bar" rx="4" />
                <text x=LABEL_WIDTH + span + 8.0 y=y + BAR_HEIGHT * 0.7 class="chart-value">{bar.text}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=summary preserveAspectRatio="xMinYMin meet">
            {rows}
        </svg>
    }
}

/// Vertical columns over days, with a line over them (volume and accuracy over time, or
/// the review forecast without a line). `None` in `line` leaves a gap.
#[component]
pub fn ColumnChart(
    /// What a screen reader hears for the picture (the table beside it has the numbers).
    summary: String,
    columns: Vec<u32>,
    #[prop(optional)] line: Option<Vec<Option<f32>>>,
    /// The value at the top of the plot for `line`.
    #[prop(default = 100.0)]
    line_max: f32,
    first: String,
    last: String,
) -> impl IntoView {
    const HEIGHT: f32 = 180.0;
    const TOP: f32 = 10.0;
    const BOTTOM: f32 = 150.0;
    let n = columns.len().max(1) as f32;
    let step = WIDTH / n;
    let max = columns.iter().copied().max().unwrap_or(0).max(1) as f32;
    let plot = BOTTOM - TOP;
    let line_max = if line_max > 0.0 { line_max } else { 1.0 };
    let bars = columns
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .map(|(i, v)| {
            let h = *v as f32 / max * plot;
            view! { <rect x=i as f32 * step + step * 0.15 y=BOTTOM - h width=step * 0.7 height=h class="chart-bar muted-bar" /> }
        })
        .collect_view();
    let lines = line.map(|points| {
        segments(&points)
            .into_iter()
            .map(|segment| {
                let coords = segment
                    .iter()
                    .map(|(i, v)| format!("{:.1},{:.1}", *i as f32 * step + step / 2.0, BOTTOM - v / line_max * plot))
                    .collect::<Vec<_>>()
                    .join(" ");
                let dots = segment
                    .iter()
                    .map(|(i, v)| view! { <circle cx=*i as f32 * step + step / 2.0 cy=BOTTOM - v / line_max * plot r="3" class="chart-dot" /> })
                    .collect_view();
                view! { <polyline points=coords class="chart-line" fill="none" />{dots} }
            })
            .collect_view()
    });
    view! {
        <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary preserveAspectRatio="xMinYMin meet">
            <line x1="0" x2=WIDTH y1=BOTTOM y2=BOTTOM class="chart-axis" />
            {bars}
            {lines}
            <text x="0" y=HEIGHT - 8.0 class="chart-label">{first}</text>
            <text x=WIDTH y=HEIGHT - 8.0 class="chart-label" text-anchor="end">{last}</text>
        </svg>
    }
}

/// Runs of consecutive present points (index, value): a day without answers breaks the
/// line rather than drawing it down to zero.
fn segments(points: &[Option<f32>]) -> Vec<Vec<(usize, f32)>> {
    let mut out: Vec<Vec<(usize, f32)>> = Vec::new();
    let mut current = Vec::new();
    for (i, point) in points.iter().enumerate() {
        match point {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(chars - 1).collect();
        cut.push('…');
        cut
    }
}
