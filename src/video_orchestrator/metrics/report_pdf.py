"""A report as PDF (fpdf2, pure Python): the period and filters, the totals, a bar chart of
views per day drawn with the PDF's own lines and rectangles, the table of the report's
groups and the top videos. Returns the bytes; the caller writes them atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from video_orchestrator.metrics.records import COUNTS, LABELS, Number
from video_orchestrator.metrics.report import KEY_LABELS, ReportData, ReportRow

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (13, 110, 253)
RULE = (222, 226, 230)
#: The widest metric columns a table shows (the CSV has them all).
TABLE_METRICS = 5
TABLE_ROWS = 40
#: Short column titles for the tables (the CSV has the full names).
SHORT = {
    "views": "Views",
    "watch_hours": "Watch h",
    "average_view_duration": "Avg view",
    "average_percentage_viewed": "Avg % viewed",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "subscribers": "Subscribers",
    "impressions": "Impressions",
    "impressions_ctr": "CTR %",
}
#: How much of a table's key space each key column takes.
KEY_WEIGHT = {"title": 4.0, "project_id": 1.5, "remote_id": 1.5}


def number(metric: str, value: Number | None) -> str:
    if value is None:
        return "–"
    if metric in COUNTS:
        return f"{round(value):,}"
    if metric == "average_view_duration":
        seconds = round(value)
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{value:,.2f}"


class _Pdf(FPDF):
    def __init__(self, font: str, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.font_name = font
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.font_name, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")


def report_pdf(report: ReportData, *, font: Path) -> bytes:
    """The report as PDF, its text in ``font`` (a TrueType font covering the titles'
    scripts; characters it lacks are left out, with a warning from fpdf2)."""
    name = "body"
    pdf = _Pdf(name, f"{report.name} · {report.start} – {report.end}")
    pdf.add_font(name, "", str(font))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font(name, size=20)
    pdf.cell(0, 10, report.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(name, size=10)
    pdf.set_text_color(*MUTED)
    scope = ", ".join(f"{k} {v}" for k, v in report.filters.items()) or "all videos"
    pdf.multi_cell(
        0,
        5,
        f"{report.start:%d %b %Y} – {report.end:%d %b %Y} · {scope} · by {report.dimension}"
        f" · made {report.made_at:%Y-%m-%d %H:%M} UTC",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    _totals(pdf, name, report)
    pdf.ln(4)
    _chart(pdf, name, report)
    pdf.ln(4)
    if report.keys:
        _table(pdf, name, f"By {report.dimension}", report.keys, report.metrics, report.rows)
    if report.top:
        _table(
            pdf,
            name,
            f"Top videos by {LABELS[report.metrics[0]].lower()}",
            ("platform", "title"),
            report.metrics,
            report.top,
        )
    return bytes(pdf.output())


def _totals(pdf: FPDF, font: str, report: ReportData) -> None:
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 3
    for index, metric in enumerate(report.metrics):
        if index % 3 == 0 and index:
            pdf.ln(17)
        x = pdf.l_margin + (index % 3) * width
        y = pdf.get_y()
        pdf.set_draw_color(*RULE)
        pdf.rect(x, y, width - 3, 15)
        pdf.set_xy(x + 2, y + 1.5)
        pdf.set_font(font, size=8)
        pdf.set_text_color(*MUTED)
        pdf.cell(width - 7, 4, LABELS[metric])
        pdf.set_xy(x + 2, y + 6)
        pdf.set_font(font, size=14)
        pdf.set_text_color(*INK)
        pdf.cell(width - 7, 7, number(metric, report.total.get(metric)))
        pdf.set_y(y)
    pdf.ln(17)


def _chart(pdf: FPDF, font: str, report: ReportData) -> None:
    """Views per day as bars, with the highest value and the first and last day marked."""
    pdf.set_font(font, size=11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, "Views per day", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=7)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 4, "from the sources that give days (lifetime totals are not spread over days)",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    left, top = pdf.l_margin + 14, pdf.get_y() + 2
    width, height = pdf.w - pdf.l_margin - pdf.r_margin - 16, 50
    values = [float(v or 0) for _, v in report.daily]
    pdf.set_draw_color(*MUTED)
    pdf.line(left, top + height, left + width, top + height)
    pdf.line(left, top, left, top + height)
    pdf.set_font(font, size=7)
    pdf.set_text_color(*MUTED)
    if not values or max(values) <= 0:
        pdf.set_xy(left, top + height / 2 - 3)
        pdf.cell(width, 6, "no daily figures in this period", align="C")
        pdf.set_y(top + height + 8)
        return
    peak = max(values)
    pdf.set_xy(pdf.l_margin, top - 2)
    pdf.cell(13, 4, f"{round(peak):,}", align="R")
    pdf.set_xy(pdf.l_margin, top + height - 2)
    pdf.cell(13, 4, "0", align="R")
    slot = width / len(values)
    pdf.set_fill_color(*ACCENT)
    for index, value in enumerate(values):
        bar = height * value / peak
        if bar > 0:
            pdf.rect(left + index * slot + slot * 0.15, top + height - bar, slot * 0.7, bar, "F")
    first, last = report.daily[0][0], report.daily[-1][0]
    pdf.set_xy(left, top + height + 1)
    pdf.cell(30, 4, f"{first:%d %b}")
    pdf.set_xy(left + width - 30, top + height + 1)
    pdf.cell(30, 4, f"{last:%d %b}", align="R")
    pdf.set_y(top + height + 8)


def _table(
    pdf: FPDF,
    font: str,
    title: str,
    keys: Sequence[str],
    metrics: Sequence[str],
    rows: Sequence[ReportRow],
) -> None:
    shown = list(metrics[:TABLE_METRICS])
    keys = [k for k in keys if any(row.key.get(k) for row in rows)] or list(keys[:1])
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    metric_width = 18.0
    weights = [KEY_WEIGHT.get(k, 1.0) for k in keys]
    space = usable - metric_width * len(shown)
    widths = [space * w / sum(weights) for w in weights]
    pdf.set_font(font, size=11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=7)
    pdf.set_text_color(*MUTED)
    for key, width in zip(keys, widths, strict=True):
        pdf.cell(width, 5, KEY_LABELS.get(key, key), border="B")
    for metric in shown:
        pdf.cell(metric_width, 5, SHORT[metric], border="B", align="R")
    pdf.ln()
    pdf.set_text_color(*INK)
    for row in rows[:TABLE_ROWS]:
        for key, width in zip(keys, widths, strict=True):
            text = row.key.get(key) or "–"
            while len(text) > 1 and pdf.get_string_width(text) > width - 1.5:
                text = text[:-2] + "…"
            pdf.cell(width, 5, text)
        for metric in shown:
            pdf.cell(metric_width, 5, number(metric, row.values.get(metric)), align="R")
        pdf.ln()
    if len(rows) > TABLE_ROWS:
        pdf.set_text_color(*MUTED)
        pdf.cell(0, 5, f"… and {len(rows) - TABLE_ROWS} more rows (in the CSV)")
        pdf.ln()
    pdf.ln(3)
