//! Bar charts drawn on the server as inline SVG: shapes and labels are computed here, the
//! template only writes them out. Every chart is an image with a title and a description, and
//! the page shows the same numbers as a table beside it.

/// The drawing's width in SVG units; the stylesheet scales it to the column.
const WIDTH: u32 = 360;

/// A chart ready for the `chart` macro of `templates/footprint_macros.html`.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    /// The element id prefix (for `aria-labelledby`).
    pub(crate) id: &'static str,
    /// The title, also the table's caption.
    pub(crate) title: String,
    /// A one-sentence description for assistive technology.
    pub(crate) description: String,
    /// The drawing's height in SVG units.
    pub(crate) height: u32,
    /// The bars.
    pub(crate) rects: Vec<Rect>,
    /// The labels and values.
    pub(crate) texts: Vec<Text>,
    /// The table alternative: label and value, in the chart's order.
    pub(crate) rows: Vec<(String, String)>,
    /// The header of the table's label column.
    pub(crate) label_header: String,
    /// The header of the table's value column.
    pub(crate) value_header: String,
}

/// One bar.
#[derive(Debug, Clone)]
pub(crate) struct Rect {
    pub(crate) x: u32,
    pub(crate) y: u32,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Drawn in the warning colour (out-of-purpose uses).
    pub(crate) highlight: bool,
}

/// One text.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub(crate) x: u32,
    pub(crate) y: u32,
    /// `start`, `middle` or `end`.
    pub(crate) anchor: &'static str,
    pub(crate) content: String,
}

/// A bar's data.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// Its label (shortened in the drawing when long; whole in the table).
    pub(crate) label: String,
    /// Its value.
    pub(crate) value: u64,
    /// The value as the page writes it.
    pub(crate) shown: String,
    /// Drawn in the warning colour.
    pub(crate) highlight: bool,
}

/// What every chart has besides its bars.
#[derive(Debug, Clone)]
pub(crate) struct Caption {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) label_header: String,
    pub(crate) value_header: String,
}

/// Horizontal bars, one row each: the label above its bar, the value after it.
pub(crate) fn horizontal(caption: Caption, bars: &[Bar]) -> Chart {
    const ROW: u32 = 44;
    const VALUE_ROOM: u32 = 60;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut rects = Vec::with_capacity(bars.len());
    let mut texts = Vec::with_capacity(bars.len() * 2);
    for (row, bar) in (0u32..).zip(bars) {
        let top = row * ROW;
        let width = scaled(bar.value, max, WIDTH - VALUE_ROOM);
        texts.push(Text {
            x: 0,
            y: top + 15,
            anchor: "start",
            content: shortened(&bar.label, 26),
        });
        rects.push(Rect {
            x: 0,
            y: top + 21,
            width,
            height: 16,
            highlight: bar.highlight,
        });
        texts.push(Text {
            x: width + 6,
            y: top + 34,
            anchor: "start",
            content: bar.shown.clone(),
        });
    }
    finish(
        caption,
        u32::try_from(bars.len())
            .unwrap_or(u32::MAX)
            .saturating_mul(ROW),
        rects,
        texts,
        bars,
    )
}

/// Vertical columns, e.g. one per month: the value above each column, the label below.
pub(crate) fn columns(caption: Caption, bars: &[Bar]) -> Chart {
    const PLOT: u32 = 120;
    const TOP: u32 = 18;
    let count = u32::try_from(bars.len()).unwrap_or(u32::MAX).max(1);
    let step = WIDTH / count;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut rects = Vec::with_capacity(bars.len());
    let mut texts = Vec::with_capacity(bars.len() * 2);
    for (column, bar) in (0u32..).zip(bars) {
        let height = scaled(bar.value, max, PLOT);
        let left = column * step;
        let middle = left + step / 2;
        rects.push(Rect {
            x: left + step / 6,
            y: TOP + PLOT - height,
            width: step - step / 3,
            height,
            highlight: bar.highlight,
        });
        texts.push(Text {
            x: middle,
            y: TOP + PLOT - height - 4,
            anchor: "middle",
            content: bar.shown.clone(),
        });
        texts.push(Text {
            x: middle,
            y: TOP + PLOT + 16,
            anchor: "middle",
            content: bar.label.clone(),
        });
    }
    finish(caption, TOP + PLOT + 22, rects, texts, bars)
}

fn finish(
    caption: Caption,
    height: u32,
    rects: Vec<Rect>,
    texts: Vec<Text>,
    bars: &[Bar],
) -> Chart {
    Chart {
        id: caption.id,
        title: caption.title,
        description: caption.description,
        height: height.max(1),
        rects,
        texts,
        rows: bars
            .iter()
            .map(|b| (b.label.clone(), b.shown.clone()))
            .collect(),
        label_header: caption.label_header,
        value_header: caption.value_header,
    }
}

/// `value` of `max` as a length of at most `room`; a non-zero value is at least 2 long.
fn scaled(value: u64, max: u64, room: u32) -> u32 {
    if value == 0 {
        return 0;
    }
    let length = u128::from(value) * u128::from(room) / u128::from(max);
    u32::try_from(length).unwrap_or(room).clamp(2, room)
}

/// `text` cut to `chars` characters with an ellipsis.
fn shortened(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(chars - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption() -> Caption {
        Caption {
            id: "c",
            title: "t".into(),
            description: "d".into(),
            label_header: "l".into(),
            value_header: "v".into(),
        }
    }

    fn bar(label: &str, value: u64) -> Bar {
        Bar {
            label: label.into(),
            value,
            shown: value.to_string(),
            highlight: false,
        }
    }

    #[test]
    fn the_longest_bar_fills_the_room_and_others_scale() {
        let chart = horizontal(caption(), &[bar("a", 10), bar("b", 5), bar("c", 0)]);
        let widths: Vec<u32> = chart.rects.iter().map(|r| r.width).collect();
        assert_eq!(widths, [300, 150, 0]);
        assert_eq!(chart.height, 132);
        assert_eq!(chart.rows[1], ("b".into(), "5".into()));
    }

    #[test]
    fn small_values_stay_visible() {
        assert_eq!(scaled(1, 1_000_000, 300), 2);
        assert_eq!(scaled(0, 10, 300), 0);
    }

    #[test]
    fn columns_stand_on_one_baseline() {
        let chart = columns(caption(), &[bar("1", 4), bar("2", 2)]);
        let bottoms: Vec<u32> = chart.rects.iter().map(|r| r.y + r.height).collect();
        assert_eq!(bottoms, [138, 138]);
        assert_eq!(chart.rects[0].height, 120);
        assert_eq!(chart.rects[1].height, 60);
    }

    #[test]
    fn long_labels_are_shortened_in_the_drawing_only() {
        let long = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十";
        let chart = horizontal(caption(), &[bar(long, 1)]);
        assert_eq!(chart.texts[0].content.chars().count(), 26);
        assert!(chart.texts[0].content.ends_with('…'));
        assert_eq!(chart.rows[0].0, long);
    }
}
