"""The parsers and the mapping on arbitrary input: a file is read, or refused with a reason, never a crash.

Pure functions, no server: Hypothesis writes rows of random cells (and random bytes) under each
source's real header; prepare() must either plan records that the §2 schemas accept, or raise the
400 ApiError with a message.
"""
from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from server.errors import ApiError
from server.imports.service import prepare
from server.sync.entities import ENTITIES

HEADERS = {
    "daylio": ["full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"],
    "bearable": ["date", "weekday", "time of day", "category", "rating/amount", "detail", "notes"],
    "visible": ["observation_date", "tracker_name", "tracker_category", "observation_value"],
}
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["2024-09-08", "22nd Sep 2020", "31st Feb 2021", "6:50 pm", "14:58", "25:00", "pre", "am", "all day",
                     "NA", "3", "-1", "1e400", "nan", "7h 30m", "Symptom", "Sleep", "Meds/Supplements", "Factors",
                     "Muscle twitching (Severe) | Headache (Mild)", "Magnesium (mg)", "twitching | coffee", "Crash", "Note",
                     "0001-01-01", "9999-12-31", "1899-12-31"]),
)


def csv_text(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def check(source: str, data: bytes) -> None:
    try:
        plan = prepare(source, data, "Europe/Berlin")
    except ApiError as error:
        assert error.status == 400 and error.message
        return
    for entity, _record_id, fields in plan.records:
        assert ENTITIES[entity].schema.validate(fields) == {}, (entity, fields)


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(source=st.sampled_from(list(HEADERS)), rows=st.lists(st.lists(CELLS, min_size=1, max_size=9), max_size=8))
def test_random_rows_under_a_real_header_are_read_or_refused(source, rows):
    check(source, csv_text(HEADERS[source], rows))


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(source=st.sampled_from(list(HEADERS)), data=st.binary(max_size=300))
def test_random_bytes_are_refused_or_read(source, data):
    check(source, data)
