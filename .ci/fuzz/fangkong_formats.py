"""Generators for the string formats fangkong's OpenAPI document names.

The document gives each identity field a `format` (resident-id, area-code, grid-code,
person-name, phone, text, day) beside its pattern and length. A pattern cannot carry a check
digit or the division table, so without these schemathesis would send IDs with a wrong check
digit and codes of divisions that do not exist, and every refusal would look like a bug. The
values are drawn from the demo city (`fangkong demo`: 驿城区 411702, a prefecture admin).
"""

from datetime import date, timedelta

import schemathesis
from hypothesis import strategies as st

# Divisions the shipped table holds and grids the demo creates, nested so that any grid lies
# under any area drawn (a grid outside its area is refused, a rule across two fields).
AREAS = ["411702", "411702001", "411702001001"]
GRIDS = ["411702001", "411702001001", "411702001001001", "411702001001002", "41170200100100101"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def resident_id(parts):
    """A GB 11643 number: 411702, a birth date, a sequence, then its check digit."""
    born, seq = parts
    body = f"411702{born:%Y%m%d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS))
    return body + CHECK[total % 11]


births = st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31))
schemathesis.openapi.format(
    "resident-id", st.tuples(births, st.integers(min_value=0, max_value=999)).map(resident_id)
)
schemathesis.openapi.format("area-code", st.sampled_from(AREAS))
schemathesis.openapi.format("grid-code", st.sampled_from(GRIDS))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
schemathesis.openapi.format(
    "person-name",
    st.tuples(st.sampled_from(SURNAMES), st.text(alphabet=GIVEN, min_size=1, max_size=2)).map("".join),
)
schemathesis.openapi.format(
    "phone",
    st.tuples(st.sampled_from(["138", "139", "150", "186"]), st.integers(min_value=0, max_value=99_999_999)).map(
        lambda p: f"{p[0]}{p[1]:08d}"
    ),
)
# Free text as people type it: letters, digits, CJK and spaces, never blank at the ends; or
# blank, which an optional field reads as absent (a required one's minLength filters it out).
schemathesis.openapi.format(
    "text",
    st.one_of(
        st.just(""),
        st.text(alphabet="防控核查居家隔离已联系本人无异常 abcXYZ0123456789，。", min_size=1, max_size=40)
        .map(str.strip)
        .filter(bool),
    ),
)
# A Shanghai day near today, or blank (the default) — a query filter's value.
schemathesis.openapi.format(
    "day",
    st.one_of(st.just(""), st.integers(min_value=-3, max_value=0).map(lambda d: (date.today() + timedelta(days=d)).isoformat())),
)
