"""The clinician report's layout: at most two A4 pages, the answer on page 1 (§7, §16).

Page 1 answers what a neurologist asks first: red flags with symptom, place, side, "getting
worse" and first date; the trend in words; the counts; the daily chart with its rolling mean and
crash days from the first entry; check-in values over time. Page 2 has the detail. Every number
comes from clinician_picture(), which takes them from insights() unchanged. Only this module
imports fpdf2.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..instants import parse_instant, utcnow
from ..sync.schemas import RED_FLAG_KINDS
from . import figures

PAGE_W, PAGE_H, MARGIN = 210, 297, 12
CONTENT_W = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - MARGIN - 8  # room for the footer line
INK, MUTED, BAR, LINE, FLAG, CLEAR, PANEL = (29, 36, 51), (74, 85, 104), (126, 160, 196), (20, 45, 80), (180, 83, 9), \
    (47, 111, 62), (246, 247, 249)
MAX_TOTAL_CELLS = 36
LATIN1_SWAPS = {"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                "\u2026": "...", "\u00a0": " ", "\u2265": ">=", "\u2264": "<="}


# A Unicode font prints every name as the person wrote it (Małgorzata, Ørjan, Şule); the core
# fonts know only Latin-1. DejaVu Sans (Debian: fonts-dejavu-core) is used where it is installed,
# or from TWITCHLOG_PDF_FONT_DIR; without it the report falls back to Helvetica and Latin-1.
FONT_DIRS = [os.environ.get("TWITCHLOG_PDF_FONT_DIR") or "", "/usr/share/fonts/truetype/dejavu"]


def unicode_font() -> dict | None:
    """{"": regular, "B": bold} paths of DejaVu Sans, or None where it is not installed."""
    for folder in filter(None, FONT_DIRS):
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return {"": str(regular), "B": str(bold)}
    return None


UNICODE_FONT = unicode_font()
if UNICODE_FONT:
    from fontTools.ttLib import TTFont  # fpdf2's own dependency

    with TTFont(UNICODE_FONT[""], lazy=True) as _face:
        PRINTABLE = {chr(code) for code in _face.getBestCmap()} | {"\n"}


def plain(text) -> str:
    """Text the report's font can print: all of it with DejaVu; with the core fonts, Latin-1 (the
    rest becomes '?')."""
    if UNICODE_FONT:  # a character the font has no glyph for (a CJK name, say) prints as '?', never blank
        return "".join(ch if ch in PRINTABLE else "?" for ch in str(text))
    text = "".join(LATIN1_SWAPS.get(ch, ch) for ch in str(text))
    return text.encode("latin-1", "replace").decode("latin-1")


def render(picture: dict, timezone: str, notes: bool) -> bytes:
    return Report(picture, timezone, notes).build()


class Report:
    def __init__(self, picture: dict, timezone: str, notes: bool):
        self.picture, self.document, self.timezone, self.notes = picture, picture["document"], timezone, notes
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        pdf.set_auto_page_break(False)  # pages are laid out by hand so there are never more than two
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_title(plain(f"Twitchlog report: {picture['name']}"))
        pdf.set_author("Twitchlog")
        pdf.set_creator("Twitchlog")
        self.family = "Helvetica"
        if UNICODE_FONT:
            for style, path in UNICODE_FONT.items():
                pdf.add_font("DejaVu", style, path)
            self.family = "DejaVu"
        self.pdf = pdf

    # --- layout helpers -----------------------------------------------------------------------

    def font(self, size: float = 9, style: str = "", color=INK) -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.set_text_color(*color)

    def line(self, text: str, size: float = 9, style: str = "", color=INK, height: float | None = None, x: float = MARGIN) -> None:
        self.font(size, style, color)
        self.pdf.set_x(x)
        self.pdf.multi_cell(CONTENT_W - (x - MARGIN), height or size * 0.45, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str, size: float = 11.5) -> None:
        self.pdf.ln(2.5)
        self.font(size, "B")
        self.pdf.cell(CONTENT_W, 6, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_draw_color(*MUTED)
        self.pdf.set_line_width(0.2)
        self.pdf.line(MARGIN, self.pdf.get_y(), PAGE_W - MARGIN, self.pdf.get_y())
        self.pdf.ln(1.5)

    def room(self, height: float) -> bool:
        """True when `height` mm fit on this page; moves to page 2 once if they do not."""
        if self.pdf.get_y() + height <= BOTTOM:
            return True
        if self.pdf.page_no() < 2:
            self.next_page()
            return True
        return False

    def next_page(self) -> None:
        self.footer()
        self.pdf.add_page()

    def footer(self) -> None:
        y = self.pdf.get_y()
        self.font(7.5, "", MUTED)
        self.pdf.set_xy(MARGIN, PAGE_H - MARGIN - 5)
        self.pdf.cell(CONTENT_W, 4, plain(f"{self.picture['name']}  -  {figures.NOT_A_DIAGNOSIS}  Page {self.pdf.page_no()}"),
                      align="C")
        self.pdf.set_xy(MARGIN, y)

    def wrap(self, text: str, width: float) -> list[str]:
        """Words into lines that fit `width` mm in the current font."""
        fits = lambda t: self.pdf.get_string_width(t) <= width - 2  # noqa: E731
        lines, current = [], ""
        for word in plain(text).split(" "):
            while not fits(word):  # a word wider than the column is broken where it must be
                cut = max(1, next((i for i in range(len(word), 0, -1) if fits(word[:i])), 1))
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{current} {word}".strip()
            if current and not fits(candidate):
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
        return lines

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], size: float = 8, max_rows: int | None = None) -> None:
        pdf = self.pdf
        row_h = size * 0.5
        shown = rows if max_rows is None else rows[:max_rows]
        self.font(size, "B")
        if not self.room(row_h * 2):
            return
        for text, w in zip(header, widths):
            pdf.cell(w, row_h, plain(text), border="B")
        pdf.ln(row_h)
        self.font(size)
        for count, row in enumerate(shown):
            cells = [self.wrap(text, w) for text, w in zip(row, widths)]
            height = row_h * max(len(lines) for lines in cells)
            if not self.room(height):
                self.line(f"... and {len(rows) - count} more rows not shown.", size=7.5, color=MUTED)
                return
            x, y = pdf.get_x(), pdf.get_y()
            for lines, w in zip(cells, widths):
                for index, text in enumerate(lines):
                    pdf.set_xy(x, y + index * row_h)
                    pdf.cell(w, row_h, text)
                x += w
            pdf.set_xy(MARGIN, y + height)
        if len(shown) < len(rows):
            self.line(f"... and {len(rows) - len(shown)} more rows not shown.", size=7.5, color=MUTED)

    def bars(self, values: list[int], height: float, first_label: str, last_label: str) -> None:
        pdf = self.pdf
        x0, y0 = MARGIN + 8, pdf.get_y()
        width = CONTENT_W - 8
        top = max(values, default=0)
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        pdf.line(x0, y0 + height, x0 + width, y0 + height)
        self.font(7, "", MUTED)
        pdf.set_xy(MARGIN, y0 - 1)
        pdf.cell(8, 3, str(top), align="R")
        pdf.set_xy(MARGIN, y0 + height - 2.5)
        pdf.cell(8, 3, "0", align="R")
        step = width / max(len(values), 1)
        pdf.set_fill_color(*BAR)
        for index, value in enumerate(values):
            if value and top:
                h = value / top * height
                pdf.rect(x0 + index * step + step * 0.1, y0 + height - h, max(step * 0.8, 0.2), h, style="F")
        pdf.set_xy(x0, y0 + height + 0.5)
        pdf.cell(width / 2, 3, plain(first_label))
        pdf.cell(width / 2, 3, plain(last_label), align="R")
        pdf.set_xy(MARGIN, y0 + height + 4)

    # --- the report ----------------------------------------------------------------------------

    def build(self) -> bytes:
        pdf, doc = self.pdf, self.document
        pdf.add_page()
        self.title()
        self.at_a_glance()
        if self.picture["daily"] is not None:
            self.daily_chart()
        if self.picture["checkin_series"]:
            self.checkins_over_time()
        self.room(70)  # the detail starts on page 2 unless page 1 has plenty of room left
        if doc["daily"] is not None:
            self.detail_counts()
        if doc["factors"] is not None:
            self.factors()
        if self.picture["records"] is not None and self.picture["records"]["symptom"] is not None:
            self.symptom_history()
        self.footer()
        return bytes(pdf.output())

    def title(self) -> None:
        doc = self.document
        first, last = doc["from"], doc["to"]
        n_days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
        self.line(self.picture["name"], size=18, style="B", height=8)
        self.line("Twitching record for a neurology or EMG visit, from the person's own log", size=10, color=MUTED)
        self.line(f"Period {first} to {last} ({n_days} days), local dates in {doc['timezone']}. "
                  f"Made {utcnow().strftime('%Y-%m-%d %H:%M')} UTC.", size=9, color=MUTED)

    def at_a_glance(self) -> None:
        picture, doc = self.picture, self.document
        self.heading("At a glance", size=13)
        flags = picture["red_flags"]
        if flags is not None:
            self.line(f"Red flags in the 28 days ending {doc['to']}", size=8.5, style="B", color=MUTED)
            if flags["status"] == "see_doctor":
                self.line("Status: see a doctor.", size=10.5, style="B", color=FLAG)
                if flags["reasons"] is not None:
                    for reason in flags["reasons"]:
                        self.line("- " + reason["text"], size=9.5, style="B" if reason.get("progressive") else "", x=MARGIN + 2)
                else:
                    self.line("The reasons are not part of what was shared.", size=9)
                self.line(figures.SEE_DOCTOR, size=8.5, color=MUTED)
            else:
                self.line("Status: no red flags.", size=10.5, style="B", color=CLEAR)
                self.line("No weakness, muscle wasting, difficulty speaking or swallowing, or change in reflexes was "
                          "logged, and no twitching kept to one place.", size=9)
            self.pdf.ln(1.5)
        if picture["trend"]:
            self.line("Trend: " + picture["trend"], size=9.5)
        if doc["daily"] is not None:
            numbers = figures.summary_numbers(doc)
            evening = "-" if numbers["evening_night_share"] is None else f"{round(numbers['evening_night_share'] * 100)}%"
            busiest = f"{numbers['busiest_date']} ({numbers['busiest_count']})" if numbers["busiest_date"] else "-"
            self.line(f"Twitches logged: {numbers['total']}    Days with twitches: {numbers['days_with_twitches']} of "
                      f"{numbers['days']}    Average per day: {numbers['mean_per_day']}", size=9.5, style="B")
            self.line(f"Busiest day: {busiest}    Evening and night (18:00-05:59): {evening}", size=9)
        crash = picture["crash"]
        if crash is not None:
            if crash["answered"]:
                dates = ", ".join(crash["dates"][:8]) + (" ..." if len(crash["dates"]) > 8 else "")
                self.line(f"Crash days (post-exertional): {crash['days']} of {crash['answered']} check-ins that answered"
                          + (f" ({dates})" if crash["days"] else "") + ".", size=9)
            else:
                self.line(f"Crash days: not answered in the {crash['checkins']} check-ins of this period.", size=9)
        if picture.get("crash_words"):
            self.line(picture["crash_words"], size=9)

    def daily_chart(self) -> None:
        series, pdf = self.picture["daily"], self.pdf
        buckets = series["buckets"]
        start = self.picture["first_entry"]
        self.heading(f"Twitches per {series['unit']}" + (f" from the first entry ({start.isoformat()})" if start else ""))
        if not buckets:
            self.line("Nothing was logged in this period.", size=9)
            return
        height = 34
        x0, y0 = MARGIN + 8, pdf.get_y() + 1
        width = CONTENT_W - 8
        top = max(series["top"], 1)
        step = width / len(buckets)
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        pdf.line(x0, y0 + height, x0 + width, y0 + height)
        self.font(7, "", MUTED)
        pdf.set_xy(MARGIN, y0 - 1)
        pdf.cell(8, 3, str(series["top"]), align="R")
        pdf.set_xy(MARGIN, y0 + height - 2.5)
        pdf.cell(8, 3, "0", align="R")
        pdf.set_fill_color(*BAR)
        for index, bucket in enumerate(buckets):
            if bucket["count"]:
                h = bucket["count"] / top * height
                pdf.rect(x0 + index * step + step * 0.1, y0 + height - h, max(step * 0.8, 0.2), h, style="F")
        points = [(x0 + (i + 0.5) * step, y0 + height - b["mean"] / top * height) for i, b in enumerate(buckets)]
        pdf.set_draw_color(*LINE)
        pdf.set_line_width(0.6)
        if len(points) > 1:
            pdf.polyline(points)
        pdf.set_line_width(0.2)
        pdf.set_fill_color(*FLAG)
        for index, bucket in enumerate(buckets):
            if bucket["crash"]:
                cx = x0 + (index + 0.5) * step
                pdf.polygon([(cx, y0 + height + 0.6), (cx - 1.3, y0 + height + 2.8), (cx + 1.3, y0 + height + 2.8)], style="F")
        self.font(7, "", MUTED)
        pdf.set_xy(x0, y0 + height + 3)
        pdf.cell(width / 2, 3, plain(buckets[0]["start"]))
        pdf.cell(width / 2, 3, plain(buckets[-1]["end"]), align="R")
        pdf.set_xy(MARGIN, y0 + height + 7)
        legend = (f"Bars: twitches per {series['unit']}. Dark line: average over {series['window_words']}."
                  + (f" Orange marks: {series['unit']}s with a crash ({series['crash_buckets']})." if series["crash_buckets"] else ""))
        self.line(legend, size=7.5, color=MUTED)

    def checkins_over_time(self) -> None:
        rows, pdf = self.picture["checkin_series"], self.pdf
        self.room(12 + 9 * len(rows))
        self.heading("Check-in values over time")
        label_w, value_w = 38, 40
        chart_w = CONTENT_W - label_w - value_w
        row_h = 8.5
        for row in rows:
            if not self.room(row_h):
                return
            y = pdf.get_y()
            self.font(8, "B")
            pdf.set_xy(MARGIN, y + 2)
            pdf.cell(label_w, 4, plain(row["label"]))
            x0 = MARGIN + label_w
            pdf.set_fill_color(*PANEL)
            pdf.rect(x0, y, chart_w, row_h - 1.5, style="F")
            span = (row["high"] - row["low"]) or 1
            step = chart_w / max(len(row["values"]), 1)
            pdf.set_draw_color(*LINE)
            pdf.set_line_width(0.4)
            segment = []
            for i, value in enumerate(row["values"]):
                if value is None:
                    if len(segment) > 1:
                        pdf.polyline(segment)
                    segment = []
                    continue
                clipped = min(max(value, row["low"]), row["high"])
                point = (x0 + (i + 0.5) * step, y + (row_h - 2) - (clipped - row["low"]) / span * (row_h - 2.5))
                segment.append(point)
                if len(row["values"]) <= 60:
                    pdf.set_fill_color(*LINE)
                    pdf.circle(point[0], point[1], 0.35, style="F")
            if len(segment) > 1:
                pdf.polyline(segment)
            pdf.set_line_width(0.2)
            halves = "" if row["first_half"] is None or row["second_half"] is None else \
                f"; {row['first_half']} then {row['second_half']}"
            self.font(7.5, "", INK)
            pdf.set_xy(x0 + chart_w + 1, y + 0.5)
            pdf.cell(value_w - 1, 3.5, plain(f"mean {row['mean']} ({row['days']} days)"))
            pdf.set_xy(x0 + chart_w + 1, y + 3.8)
            self.font(7, "", MUTED)
            pdf.cell(value_w - 1, 3.5, plain(f"latest {row['latest']:g}{halves}"))
            pdf.set_xy(MARGIN, y + row_h)
        self.line(f"Each band runs from {self.picture['first_entry'] or self.document['from']} to {self.document['to']}; "
                  "gaps are days without that answer. 'Then' compares the first and second half of those days.", size=7, color=MUTED)

    def detail_counts(self) -> None:
        doc = self.document
        self.heading("Counts in detail")
        unit, totals = figures.period_totals(doc["daily"], MAX_TOTAL_CELLS)
        self.line(f"Twitches per {unit}" + (" (labelled by its first day):" if unit == "week" else ":"), size=8, style="B")
        per_row = 12
        for start in range(0, len(totals), per_row):
            chunk = totals[start:start + per_row]
            self.table([t["label"] for t in chunk], [[str(t["count"]) for t in chunk]], [CONTENT_W / per_row] * len(chunk), size=7)

        self.line("Time of day (local hour):", size=8, style="B")
        self.pdf.ln(1)
        self.bars(doc["by_hour"], 14, "00:00", "23:00")
        self.table([f"{h:02d}" for h in range(24)], [[str(c) for c in doc["by_hour"]]], [CONTENT_W / 24] * 24, size=7)

        self.line("Body regions:", size=8, style="B")
        if doc["by_region"]:
            rows = [[figures.region_name(r["body_region"], None), r["side"] or "-", str(r["count"])] for r in doc["by_region"]]
            self.table(["Region", "Side", "Twitches"], rows, [60, 40, 30], max_rows=8)
        else:
            self.line("No body regions were logged in this period.", size=9)

    def factors(self) -> None:
        self.room(40)
        self.heading("Check-in factors and twitch counts (association, not cause)")
        self.line(figures.ASSOCIATION_NOTE + " Spearman's rho from -1 to 1; n is the number of days compared.", size=7.5, color=MUTED)

        def rho(result):
            return "-" if result is None else f"{result['rho']:.3f} (n={result['n']})"

        rows = [[row["label"], rho(row["same_day"]), rho(row["previous_day"]), row["sentence"]]
                for row in figures.factor_rows(self.document["factors"])]
        self.table(["Check-in field", "Same day", "Day before", "In words"], rows, [40, 24, 24, CONTENT_W - 88], size=7)

    def symptom_history(self) -> None:
        self.room(20)
        self.heading("Symptoms logged in this period (red-flag history)")
        symptoms = self.picture["records"]["symptom"]
        if not symptoms:
            self.line("No symptoms were logged in this period.", size=9)
            return
        tz = ZoneInfo(self.timezone)
        ordered = sorted(symptoms, key=lambda s: (s["kind"] not in RED_FLAG_KINDS, s["observed_at"]))
        rows = []
        for s in ordered:
            when = parse_instant(s["observed_at"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            kind = figures.SYMPTOM_LABELS.get(s["kind"], s["kind"]) + (" (red flag)" if s["kind"] in RED_FLAG_KINDS else "")
            row = [when, kind, figures.region_name(s.get("body_region"), s.get("side")) if s.get("body_region") else "-",
                   {True: "yes", False: "no", None: "-"}[s.get("progressive")]]
            if self.notes:
                note = s.get("note") or "-"
                row.append(note if len(note) <= 90 else note[:87] + "...")
            rows.append(row)
        header = ["When (local)", "Symptom", "Region", "Worse"] + (["Note"] if self.notes else [])
        widths = [28, 48, 34, 12] + ([CONTENT_W - 122] if self.notes else [])
        self.table(header, rows, widths, size=7.5)
