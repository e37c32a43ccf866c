"""The record files: batched JSON Lines encoding is exact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
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


def test_records_reuse_unchanged_runs_and_give_the_bytes_of_a_full_write(
        seeds_graph, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from kg import store
    from kg.store import write_records

    data = seeds_graph.data
    first = tmp_path / "first"
    first.mkdir()
    write_records(data, first, options={})
    # another version: one paper retitled, one dropped, one entity recounted, one link reweighted
    papers = list(data.papers)
    papers[3] = replace(papers[3], title=papers[3].title + " (revised)")
    gone = papers.pop(10).id
    entities = list(data.entities)
    entities[2] = replace(entities[2], paper_count=entities[2].paper_count + 1)
    links = [lk for lk in data.links if gone not in (lk.source, lk.target)]
    links[5] = replace(links[5], weight=links[5].weight + 1)
    new = replace(data, papers=tuple(papers), entities=tuple(entities), links=tuple(links),
                  mentions=tuple(m for m in data.mentions if m.paper_id != gone))
    encoded: list[int] = []
    encode = store._encode_lines
    monkeypatch.setattr(store, "_encode_lines", lambda rows: encoded.append(len(rows)) or encode(rows))
    again, full = tmp_path / "again", tmp_path / "full"
    for d, reuse in ((again, first), (full, None)):
        d.mkdir()
        write_records(new, d, options={}, reuse=reuse)
        if reuse is not None:
            # papers: the retitled one (its record and mentions); one entity; the links of
            # the papers that lost a link to the dropped one, and the reweighted one
            runs = len(encoded)
            assert 3 <= runs < 40, runs
    for name in ("papers.jsonl", "mentions.jsonl", "entities.jsonl", "links.jsonl"):
        assert (again / name).read_bytes() == (full / name).read_bytes(), name


def test_rows_not_grouped_by_key_are_written_whole(seeds_graph, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from exports.chunks import index_path
    from kg.store import write_records

    data = seeds_graph.data
    # links ordered by target: a source's links are apart
    shuffled = replace(data, links=tuple(sorted(data.links, key=lambda lk: (lk.target, lk.source))))
    sources = [lk.source for lk in shuffled.links]
    assert len({s for i, s in enumerate(sources) if i and sources[i - 1] != s}) < \
        sum(1 for i in range(1, len(sources)) if sources[i - 1] != sources[i])
    first, again, full = tmp_path / "first", tmp_path / "again", tmp_path / "full"
    for d, what, reuse in ((first, data, None), (again, shuffled, first), (full, shuffled, None)):
        d.mkdir()
        write_records(what, d, options={}, reuse=reuse)
    assert (again / "links.jsonl").read_bytes() == (full / "links.jsonl").read_bytes()
    assert not index_path(again / "links.jsonl").exists()


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)  # any text a file can hold


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, st.sampled_from(["title", "abstract"]), st.integers(0, 2**40),
                          _TEXT, st.sampled_from(["benchmark", "dataset", "model", "method"]),
                          _TEXT, _TEXT, st.floats(allow_nan=False), _TEXT), max_size=30))
def test_mention_columns_round_trip(rows: list[Any]) -> None:
    """Any mentions (any text, newlines and NULs included) come back equal and in order."""
    import io

    from kg.mention_columns import read_columns, write_columns
    from kg.records import new_mention

    ms = [new_mention(pid, field, start, start + 3, text, t, key, rule, conf, 0, start + 9, eid)
          for pid, field, start, text, t, key, rule, conf, eid in rows]
    buf = io.BytesIO()
    write_columns(buf, ms)
    buf.seek(0)
    assert read_columns(buf, name="x") == ms


def test_damaged_mention_columns_are_named(tmp_path: Path) -> None:
    import numpy as np
    import pytest

    from kg.errors import OutputError
    from kg.mention_columns import read_columns, write_columns
    from kg.records import new_mention

    ms = [new_mention("p", "title", 0, 1, "X", "model", "x", "lexicon", 1.0, 0, 1, "")]
    path = tmp_path / "raw.npz"
    with path.open("wb") as f:
        write_columns(f, ms)
    with np.load(path) as z:
        arrays = dict(z)
    arrays["key"] = np.array([7], dtype=np.int32)  # a code past the end of its table
    with path.open("wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(OutputError, match="raw.npz: damaged mention column 'key'"):
        read_columns(str(path), name=str(path))
    path.write_bytes(b"not a zip file")
    with pytest.raises(OutputError, match="raw.npz: not a file of mention columns") as caught:
        read_columns(str(path), name=str(path))
    assert "pickle" not in str(caught.value)  # numpy's advice to load pickles is not passed on


@pytest.mark.parametrize("damage", ["float codes", "2-D codes", "0-d start", "string start",
                                    "0-d version", "plain array"])
def test_mention_columns_of_the_wrong_kind_are_refused(tmp_path: Path, damage: str) -> None:
    import numpy as np

    from kg.errors import OutputError
    from kg.mention_columns import read_columns, write_columns
    from kg.records import new_mention

    ms = [new_mention("p", "title", 0, 1, "X", "model", "x", "lexicon", 1.0, 0, 1, "")] * 2
    path = tmp_path / "raw.npz"
    with path.open("wb") as f:
        write_columns(f, ms)
    with np.load(path) as z:
        arrays = dict(z)
    if damage == "float codes":
        arrays["key"] = arrays["key"].astype(np.float64)
    elif damage == "2-D codes":
        arrays["key"] = arrays["key"].reshape(1, 2)
    elif damage == "0-d start":
        arrays["start"] = np.array(0)
    elif damage == "string start":
        arrays["start"] = np.array(["a", "b"])
    elif damage == "0-d version":
        arrays["version"] = np.array(1)
    with path.open("wb") as f:
        if damage == "plain array":
            np.save(f, arrays["start"])
        else:
            np.savez(f, **arrays)
    with pytest.raises(OutputError, match="raw.npz"):
        read_columns(str(path), name=str(path))
