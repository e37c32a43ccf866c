"""The record files: batched JSON Lines encoding is exact."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.store import _encode_lines

# strings full of what the batch encoder splits on
text = st.lists(st.sampled_from(["a", "], [", "}, {", '"', "\\", "\n", "é", "[", "]", "{", "}", ", "]),
               max_size=6).map("".join)
flat_rows = st.lists(st.lists(st.one_of(text, st.integers(), st.floats(allow_nan=False)),
                              max_size=4), min_size=1, max_size=8)
dict_rows = st.lists(st.dictionaries(text, st.one_of(text, st.lists(text, max_size=3)), max_size=4),
                     min_size=1, max_size=8)
nested_rows = st.lists(st.lists(st.one_of(text, st.lists(text, max_size=2),
                                          st.dictionaries(text, text, max_size=2)), max_size=3),
                       min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.one_of(flat_rows, dict_rows, nested_rows))
def test_batch_encoding_is_row_by_row_encoding(rows: list[Any]) -> None:
    sort = isinstance(rows[0], dict)
    one_by_one = "\n".join(json.dumps(r, ensure_ascii=False, sort_keys=sort) for r in rows)
    assert _encode_lines(rows) == one_by_one
