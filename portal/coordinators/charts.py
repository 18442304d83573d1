"""Server-rendered SVG bar charts: no JavaScript, no CDN; the page shows the same data as a table."""
from __future__ import annotations

from markupsafe import Markup, escape

# Large enough to read at a glance: 16 px text at full width; the SVG scales down with its column on a phone.
BAR_HEIGHT = 32
GAP = 12
LABEL_WIDTH = 190
PLOT_WIDTH = 520
VALUE_WIDTH = 80
FONT_SIZE = 16
# Dark enough for 4.5:1 against white, so values printed on the chart stay readable.
BAR_COLOUR = "#1d5c8c"
TEXT_COLOUR = "#1a1a1a"


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value)}"


def bar_chart(rows, *, title: str, chart_id: str) -> Markup:
    """A horizontal bar chart of (label, value) rows, labelled with `title` for assistive technology."""
    rows = list(rows)
    top = max((float(v) for _l, v in rows), default=0.0) or 1.0
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
             f'aria-labelledby="{escape(chart_id)}-title" aria-describedby="{escape(chart_id)}-desc" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" focusable="false">',
             f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
             # The bars' own text is hidden by role="img": the description carries every value.
             f'<desc id="{escape(chart_id)}-desc">'
             f'{escape("; ".join(f"{label}: {_number(value)}" for label, value in rows))}</desc>']
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        bar = round(PLOT_WIDTH * float(value) / top, 1)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{text_y}" text-anchor="end" font-size="{FONT_SIZE}" '
                     f'fill="{TEXT_COLOUR}">{escape(str(label)[:26])}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + bar + 6}" y="{text_y}" font-size="{FONT_SIZE}" '
                     f'fill="{TEXT_COLOUR}">{_number(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
