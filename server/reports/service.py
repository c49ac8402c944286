"""The clinician report (§7): at most two A4 pages for a neurology or EMG visit.

Every number is taken from insights() for the same period, unchanged, and printed as text next to
the charts, so the PDF, the page and the API agree. Only this module imports fpdf2.
"""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..insights.service import for_scopes, insights
from ..instants import parse_instant, utcnow
from ..sharing.schemas import SCOPES
from ..sharing.service import records_in_range
from ..sync.schemas import RED_FLAG_KINDS
from . import figures

ALL_SCOPES = tuple(SCOPES)
PAGE_W, PAGE_H, MARGIN = 210, 297, 12
CONTENT_W = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - MARGIN - 8  # room for the footer line
INK, MUTED, BAR, FLAG, CLEAR = (29, 36, 51), (74, 85, 104), (47, 93, 138), (180, 83, 9), (47, 111, 62)
MAX_TOTAL_CELLS = 36
LATIN1_SWAPS = {"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                "\u2026": "...", "\u00a0": " ", "\u2265": ">=", "\u2264": "<="}


def plain(text) -> str:
    """Text the PDF core fonts can print (Latin-1); anything else becomes '?'."""
    text = "".join(LATIN1_SWAPS.get(ch, ch) for ch in str(text))
    return text.encode("latin-1", "replace").decode("latin-1")


def clinician_report(person, first: date, last: date, scopes=ALL_SCOPES, heading: str | None = None) -> bytes:
    """The PDF for `person` over local dates first..last, showing only what `scopes` open.

    `heading` names whose report it is (the owner's email, or a share's label; None for neither).
    """
    document = for_scopes(insights(person.id, person.timezone, first, last), scopes)
    symptoms = None
    if "symptoms" in scopes:
        symptoms = records_in_range(person.id, person.timezone, first, last, set(scopes) & {"symptoms", "notes"})["records"]["symptom"]
    report = Report(person, document, symptoms, notes="notes" in scopes, heading=heading)
    return report.build()


class Report:
    def __init__(self, person, document: dict, symptoms: list | None, notes: bool, heading: str | None):
        self.person, self.document, self.symptoms, self.notes, self.heading_text = person, document, symptoms, notes, heading
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        pdf.set_auto_page_break(False)  # pages are laid out by hand so there are never more than two
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_title("Twitchlog report")
        pdf.set_author("Twitchlog")
        pdf.set_creator("Twitchlog")
        self.pdf = pdf
        self.truncated = False

    # --- layout helpers -----------------------------------------------------------------------

    def font(self, size: float = 9, style: str = "", color=INK) -> None:
        self.pdf.set_font("Helvetica", style, size)
        self.pdf.set_text_color(*color)

    def line(self, text: str, size: float = 9, style: str = "", color=INK, height: float | None = None) -> None:
        self.font(size, style, color)
        self.pdf.multi_cell(CONTENT_W, height or size * 0.45, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.pdf.ln(2.5)
        self.font(11.5, "B")
        self.pdf.cell(CONTENT_W, 6, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_draw_color(*MUTED)
        self.pdf.line(MARGIN, self.pdf.get_y(), PAGE_W - MARGIN, self.pdf.get_y())
        self.pdf.ln(1.5)

    def room(self, height: float) -> bool:
        """True when `height` mm fit on this page; moves to page 2 once if they do not."""
        if self.pdf.get_y() + height <= BOTTOM:
            return True
        if self.pdf.page_no() < 2:
            self.footer()
            self.pdf.add_page()
            return True
        return False

    def footer(self) -> None:
        y = self.pdf.get_y()
        self.font(7.5, "", MUTED)
        self.pdf.set_xy(MARGIN, PAGE_H - MARGIN - 5)
        self.pdf.cell(CONTENT_W, 4, plain(f"{figures.NOT_A_DIAGNOSIS}  Page {self.pdf.page_no()}"), align="C")
        self.pdf.set_xy(MARGIN, y)

    def bars(self, values: list[int], height: float, first_label: str, last_label: str) -> None:
        pdf = self.pdf
        x0, y0 = MARGIN + 8, pdf.get_y()
        width = CONTENT_W - 8
        top = max(values, default=0)
        pdf.set_draw_color(*MUTED)
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
            self.truncated = True
            return
        for text, w in zip(header, widths):
            pdf.cell(w, row_h, plain(text), border="B")
        pdf.ln(row_h)
        self.font(size)
        for count, row in enumerate(shown):
            cells = [self.wrap(text, w) for text, w in zip(row, widths)]
            height = row_h * max(len(lines) for lines in cells)
            if not self.room(height):
                self.truncated = True
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

    # --- the report ----------------------------------------------------------------------------

    def build(self) -> bytes:
        pdf, doc = self.pdf, self.document
        pdf.add_page()
        first, last = doc["from"], doc["to"]
        n_days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
        self.line("Twitchlog report for a neurology or EMG visit", size=16, style="B", height=8)
        if self.heading_text:
            self.line(self.heading_text, size=9.5, color=MUTED)
        self.line(f"Period {first} to {last} ({n_days} days), local dates in {doc['timezone']}. "
                  f"Made {utcnow().strftime('%Y-%m-%d %H:%M')} UTC from the person's own log.", size=9, color=MUTED)
        self.red_flags()
        if doc["daily"] is not None:
            self.summary()
        if doc["factors"] is not None:
            self.factors()
        if self.symptoms is not None:
            self.symptom_history()
        self.footer()
        return bytes(pdf.output())

    def red_flags(self) -> None:
        flags = self.document["red_flags"]
        if flags is None:
            return
        self.heading(f"Red flags in the 28 days ending {self.document['to']}")
        if flags["status"] == "see_doctor":
            self.line("Status: see a doctor.", size=10.5, style="B", color=FLAG)
            if flags["reasons"] is not None:
                for reason in flags["reasons"]:
                    self.line("- " + figures.reason_text(reason), size=9)
            self.line(figures.SEE_DOCTOR, size=9)
        else:
            self.line("Status: no red flags.", size=10.5, style="B", color=CLEAR)
            self.line("No weakness, muscle wasting, difficulty speaking or swallowing, or change in reflexes was "
                      "logged, and no twitching kept to one place.", size=9)

    def summary(self) -> None:
        doc = self.document
        numbers = figures.summary_numbers(doc)
        self.heading("Twitches per day")
        evening = "-" if numbers["evening_night_share"] is None else f"{round(numbers['evening_night_share'] * 100)}%"
        busiest = f"{numbers['busiest_date']} ({numbers['busiest_count']})" if numbers["busiest_date"] else "-"
        self.line(f"Twitches logged: {numbers['total']}    Days with twitches: {numbers['days_with_twitches']} of "
                  f"{numbers['days']}    Average per day: {numbers['mean_per_day']}", size=9)
        self.line(f"Busiest day: {busiest}    Evening and night (18:00-05:59): {evening}", size=9)
        self.pdf.ln(2)
        unit, buckets = figures.daily_buckets(doc["daily"])
        self.bars([b["count"] for b in buckets], 28, buckets[0]["start"], buckets[-1]["end"])
        unit, totals = figures.period_totals(doc["daily"], MAX_TOTAL_CELLS)
        self.line(f"Twitches per {unit}" + (" (labelled by its first day):" if unit == "week" else ":"), size=8, style="B")
        per_row = 12
        for start in range(0, len(totals), per_row):
            chunk = totals[start:start + per_row]
            self.table([t["label"] for t in chunk], [[str(t["count"]) for t in chunk]], [CONTENT_W / per_row] * len(chunk), size=7)

        self.heading("Time of day (local hour)")
        self.bars(doc["by_hour"], 18, "00:00", "23:00")
        self.table([f"{h:02d}" for h in range(24)], [[str(c) for c in doc["by_hour"]]], [CONTENT_W / 24] * 24, size=7)

        self.heading("Body regions")
        if doc["by_region"]:
            rows = [[figures.region_name(r["body_region"], None), r["side"] or "-", str(r["count"])] for r in doc["by_region"]]
            self.table(["Region", "Side", "Twitches"], rows, [60, 40, 30], max_rows=10)
        else:
            self.line("No body regions were logged in this period.", size=9)

    def factors(self) -> None:
        self.room(60)
        self.heading("Check-in factors and twitch counts (association, not cause)")
        self.line(figures.ASSOCIATION_NOTE + " Spearman's rho from -1 to 1; n is the number of days compared.", size=8, color=MUTED)

        def rho(result):
            return "-" if result is None else f"{result['rho']:.3f} (n={result['n']})"

        rows = [[row["label"], rho(row["same_day"]), rho(row["previous_day"]), row["sentence"]]
                for row in figures.factor_rows(self.document["factors"])]
        self.table(["Check-in field", "Same day", "Day before", "In words"], rows, [40, 24, 24, CONTENT_W - 88], size=7.5)

    def symptom_history(self) -> None:
        self.room(30)
        self.heading("Symptoms logged in this period (red-flag history)")
        if not self.symptoms:
            self.line("No symptoms were logged in this period.", size=9)
            return
        tz = ZoneInfo(self.person.timezone)
        ordered = sorted(self.symptoms, key=lambda s: (s["kind"] not in RED_FLAG_KINDS, s["observed_at"]))
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
