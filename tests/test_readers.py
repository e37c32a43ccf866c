"""Tests of the input readers (kg.readers) and the text helpers (kg.text)."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError, KGError, UnknownFormatError
from kg.readers import READERS, detect_format, merge_papers, read_paths
from kg.readers.ids import paper_id, parse_arxiv_id, parse_doi, title_id
from kg.records import Paper
from kg.text import find_urls, normalize_whitespace, slugify

DATA = Path(__file__).parent / "data" / "readers"
SEEDS = Path(__file__).parents[1] / "seeds" / "daily_papers.txt"
SHARED = Path(__file__).parents[2] / "shared"


def read(path: Path | str, format: str | None = None) -> tuple[list[Paper], list[InputError]]:
    """All papers of ``path`` and the warnings reported on the way."""
    warnings: list[InputError] = []
    papers = list(read_paths([path], format=format, on_warning=warnings.append))
    return papers, warnings


def shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


# --- detection ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("daily_small.txt", "daily"), ("papers.jsonl", "jsonl"), ("papers.json", "json"),
        ("container.json", "json"), ("hf_api_small.json", "json"),
        ("snapshot_small.jsonl", "arxiv-snapshot"), ("feed.atom", "atom"),
        ("papers.csv", "csv"), ("papers.tsv", "csv"), ("refs.bib", "bibtex"),
    ],
)
def test_detect_fixture(name: str, expected: str) -> None:
    assert detect_format(DATA / name) == expected


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("seeds/daily_papers.txt", "daily"),
        ("samples/hf_daily_papers_api.json", "json"),
        ("samples/arxiv-metadata-oai-snapshot.head200.jsonl", "arxiv-snapshot"),
        ("samples/arxiv_api_query.atom.xml", "atom"),
    ],
)
def test_detect_shared_samples(relative: str, expected: str) -> None:
    assert detect_format(shared(relative)) == expected


def test_detection_ignores_extension(tmp_path: Path) -> None:
    target = tmp_path / "feed.txt"
    shutil.copy(DATA / "feed.atom", target)
    assert detect_format(target) == "atom"
    assert [p.id for p in read(target)[0]] == ["arxiv:2101.00001", "arxiv:math/0309136"]


def test_html_named_json_is_not_supported() -> None:
    with pytest.raises(InputError, match="not a supported format"):
        read(DATA / "page.json")


def test_forced_format(tmp_path: Path) -> None:
    target = tmp_path / "records.data"
    target.write_text('{"title": "T", "abstract": "A."}\n', encoding="utf-8")
    papers, _ = read(target, format="jsonl")
    assert [p.title for p in papers] == ["T"]
    with pytest.raises(InputError, match="invalid JSON"):  # forced on the wrong content
        read(DATA / "daily_small.txt", format="json")
    with pytest.raises(UnknownFormatError, match="daily, jsonl, json"):
        read_paths([target], format="docx")
    assert set(READERS) == {"daily", "jsonl", "json", "arxiv-snapshot", "atom", "csv", "bibtex"}
    assert read(DATA / "papers.tsv", format="TSV")[0][0].title == "A TSV Paper"


# --- the real samples and the seeds ------------------------------------------------------

@pytest.mark.parametrize("seeds", [SEEDS, SHARED / "seeds" / "daily_papers.txt"])
def test_daily_seeds_give_91_papers(seeds: Path) -> None:
    if not seeds.exists():
        pytest.skip(f"{seeds} is not available")
    papers, warnings = read(seeds)
    assert len(papers) == 91 and warnings == []
    assert papers[0].title.startswith("MotionLab: Unified Human Motion Generation")
    assert papers[0].line == 11 and len(papers[0].abstract) > 1000
    assert len({p.id for p in papers}) == 91
    assert all(p.id.startswith("title:") and p.title and p.abstract for p in papers)
    assert papers[-1].links == ("https://github.com/bigscience-workshop/xmtf",)


def test_daily_hard_wrapped_crlf(tmp_path: Path) -> None:
    text = SEEDS.read_text(encoding="utf-8")
    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in text.split("\n\n"))
    (tmp_path / "w.txt").write_bytes(wrapped.replace("\n", "\r\n").encode("utf-8-sig"))
    original = [(p.title, p.abstract) for p in read(SEEDS)[0]]
    assert [(p.title, p.abstract) for p in read(tmp_path / "w.txt")[0]] == original


def test_arxiv_snapshot_sample() -> None:
    papers, warnings = read(shared("samples/arxiv-metadata-oai-snapshot.head200.jsonl"))
    assert len(papers) == 200 and warnings == []
    first = papers[0]
    assert first.id == "arxiv:0704.0001" and first.arxiv_id == "0704.0001"
    assert first.doi == "10.1103/physrevd.76.013009"
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors[0] == "C. Balázs" and first.date == "2007-04-02"
    assert all("\n" not in p.abstract and "  " not in p.abstract for p in papers)


def test_atom_sample() -> None:
    [paper], _ = read(shared("samples/arxiv_api_query.atom.xml"))
    assert paper.id == "arxiv:1911.12281" and paper.title == "Configuration Spaces of Surfaces"
    assert paper.authors == ("Ricardo Campos", "Najib Idrissi", "Thomas Willwacher")
    assert paper.date == "2019-11-27" and paper.url == "http://arxiv.org/abs/1911.12281v2"
    assert paper.abstract.startswith("We compute small rational models") and paper.line == 10


def test_hf_api_sample() -> None:
    papers, _ = read(shared("samples/hf_daily_papers_api.json"))
    assert [p.id for p in papers] == ["arxiv:2410.17243", "arxiv:2410.16251", "arxiv:2410.18745"]
    assert papers[0].title.startswith("Breaking the Memory Barrier: Near Infinite Batch Size")
    assert papers[0].authors[:2] == ("Zesen Cheng", "Hang Zhang")
    assert papers[0].url == "https://arxiv.org/abs/2410.17243"


# --- each reader on its fixture ----------------------------------------------------------

def test_daily_fixture() -> None:
    papers, warnings = read(DATA / "daily_small.txt")
    assert [(p.line, p.title) for p in papers] == [
        (11, "TinyNet: Small Models for Big Tasks"), (15, "Scaling Laws for Widgets?"),
        (23, "Retrieval Meets Reasoning"),
    ]
    assert papers[1].links == ("https://widgets.example.org/a_(b)",)
    # The header, the "Mar 16" date and the footer are silent; a lone title is reported.
    assert [(w.line, w.problem.split(":")[0]) for w in warnings] == [
        (21, "title without an abstract")
    ]


def test_jsonl_fixture_and_bad_records() -> None:
    papers, warnings = read(DATA / "papers.jsonl")
    assert [(p.line, p.id) for p in papers] == [
        (1, "arxiv:2410.17243"), (7, "doi:10.1234/abc.5"), (8, "title:only-a-title-id"),
    ]
    assert papers[0].title == "Breaking the Memory Barrier" and papers[0].date == "2024-10-22"
    assert papers[1].authors == ("Ann Lee", "Bo Chen", "Cy Diaz")
    assert papers[1].url == "https://doi.org/10.1234/abc.5"
    source = str(DATA / "papers.jsonl")
    assert [(w.path, w.line) for w in warnings] == [(source, n) for n in (3, 4, 5, 6, 9)]
    problems = [w.problem for w in warnings]
    assert problems[0].startswith("invalid JSON") and problems[1:4] == [
        "missing title", "empty abstract", "field 'title' must be a string, not list",
    ]
    assert str(warnings[1]) == f"{DATA / 'papers.jsonl'}:4: missing title"


def test_strict_mode_raises_the_first_bad_record() -> None:
    with pytest.raises(InputError) as info:
        list(read_paths([DATA / "papers.jsonl"], strict=True))
    assert info.value.line == 3 and "invalid JSON" in info.value.problem
    assert len(read(DATA / "papers.jsonl")[0]) == 3  # on_warning=None: silently skipped
    assert len(list(read_paths([DATA / "papers.jsonl"]))) == 3


def test_json_fixtures() -> None:
    papers, warnings = read(DATA / "papers.json")
    assert [(p.line, p.id) for p in papers] == [
        (2, "arxiv:hep-th/9901001"), (12, "arxiv:2501.00001"),
    ]
    assert papers[0].authors == ("A. Author",) and papers[1].date == "2025"
    assert [(w.line, w.problem) for w in warnings] == [
        (18, "record is a string, not a JSON object"),
    ]
    papers, _ = read(DATA / "container.json")
    assert [(p.line, p.id) for p in papers] == [
        (4, "doi:10.5555/one"), (9, "title:container-paper-two"),
    ]
    papers, _ = read(DATA / "hf_api_small.json")
    assert [p.id for p in papers] == ["arxiv:2410.16251", "arxiv:2410.18745"]
    assert papers[0].title == "Can Knowledge Editing Really Correct Hallucinations?"
    assert papers[0].links == ("https://llm-editing.github.io",)
    assert papers[0].date == "2024-10-21" and papers[0].authors == ("Baixiang Huang", "Canyu Chen")


def test_snapshot_fixture() -> None:
    old, new = read(DATA / "snapshot_small.jsonl")[0]
    assert old.id == "arxiv:hep-th/9901001" and old.title == "Branes and Strings in Old Style"
    assert old.abstract == (
        "We study branes. The result is new and the state-of-the-art is improved."
    )
    assert old.authors == ("J. Müller", "B. Smith") and old.date == "1999-01-01"
    assert old.doi == "10.1016/s0550-3213(99)00001-1"
    assert new.title == "Sparsity-certifying Graph Decompositions" and new.doi is None
    assert new.authors == ("Ileana Streinu", "Louis Theran")


def test_atom_fixture() -> None:
    papers, warnings = read(DATA / "feed.atom")
    first, old = papers
    assert (first.line, first.id, first.doi) == (5, "arxiv:2101.00001", "10.1000/feed.1")
    assert first.title == "A Feed Paper With a Wrapped Title"
    assert first.links == ("https://github.com/example/feed",)
    assert (old.line, old.id, old.date) == (19, "arxiv:math/0309136", "2003-09-08")
    assert [(w.line, w.problem) for w in warnings] == [
        (25, "arXiv API error entry: incorrect id format for 1234")
    ]


def test_atom_rejects_doctype(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.atom"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&a;</title></entry></feed>\n'
    )
    with pytest.raises(InputError, match="DOCTYPE") as info:
        read(bomb)
    assert info.value.line == 2


def test_csv_and_tsv_fixtures() -> None:
    papers, warnings = read(DATA / "papers.csv")
    assert [(p.line, p.id) for p in papers] == [
        (2, "arxiv:2301.00001"), (3, "title:csv-paper-two"), (8, "title:csv-paper-four"),
    ]
    assert papers[0].authors == ("Ann Lee", "Bo Chen") and papers[0].date == "2023-01-01"
    assert papers[1].abstract == 'An abstract that spans three lines, with "quotes".'
    assert papers[1].doi is None  # "10.1/CSV.2" is not a valid DOI (registrant too short)
    assert [(w.line, w.problem) for w in warnings] == [(6, "empty abstract")]
    papers, warnings = read(DATA / "papers.tsv")
    assert [p.id for p in papers] == ["arxiv:2302.00002"]
    assert [(w.line, w.problem) for w in warnings] == [(3, "missing title")]


def test_bibtex_fixture() -> None:
    papers, warnings = read(DATA / "refs.bib")
    bert, etude, recovered = papers
    assert (bert.line, bert.id) == (5, "arxiv:1810.04805")
    assert bert.title.startswith("BERT: Pre-training of Deep Bidirectional")
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Jörg Müller")
    assert bert.links == ("https://github.com/google-research/bert",) and bert.date == "2019"
    assert etude.title == 'A Étude on "Quoted" Values' and etude.line == 14
    assert etude.abstract == "Quoted abstract joined by concatenation."
    assert etude.authors == ("John Smith Jr", "Jane Doe")
    assert etude.id == "doi:10.18653/v1/2020.acl-main.1"
    assert (recovered.line, recovered.id) == (32, "arxiv:2203.00003")
    assert [(w.line, w.problem.split(":")[0]) for w in warnings] == [
        (23, "missing abstract"), (28, "malformed BibTeX entry @article"),
    ]


# --- ids -------------------------------------------------------------------------------

def test_arxiv_ids() -> None:
    assert parse_arxiv_id("2410.17243v12") == "2410.17243"
    assert parse_arxiv_id("arXiv:0704.0001") == "0704.0001"
    assert parse_arxiv_id("hep-th/9901001v2") == "hep-th/9901001"
    assert parse_arxiv_id("math.AG/0309136") == "math/0309136"
    assert parse_arxiv_id("https://arxiv.org/abs/2410.17243v1") == "2410.17243"
    assert parse_arxiv_id("http://arxiv.org/pdf/2410.17243v1.pdf") == "2410.17243"
    assert parse_arxiv_id("https://huggingface.co/papers/2410.17243") == "2410.17243"
    assert parse_arxiv_id("10.48550/arXiv.2410.17243") == "2410.17243"
    for bad in ("", "2410.172", "1313.00001", "hello", "https://example.org/abs/2410.17243"):
        assert parse_arxiv_id(bad) is None


def test_doi_and_slug_ids() -> None:
    assert parse_doi("https://doi.org/10.1103/PhysRevD.76.013009") == "10.1103/physrevd.76.013009"
    assert parse_doi("doi:10.5555/X") == "10.5555/x" and parse_doi("not a doi") is None
    assert paper_id("2410.17243", "10.1/x", "T") == "arxiv:2410.17243"
    assert paper_id(None, "10.5555/x", "T") == "doi:10.5555/x"
    slug_id = paper_id(None, None, " BERT:  Pre-training\n of Deep ")
    assert slug_id == "title:bert-pre-training-of-deep"
    assert title_id("Café") == title_id("CAFÉ") == "title:cafe"
    long_title = "Scaling " * 30
    slug = title_id(long_title)
    assert slug == title_id(long_title) and len(slug) <= len("title:") + 80 + 9
    assert re.fullmatch(r"title:[a-z0-9-]+-[0-9a-f]{8}", slug)
    assert title_id(long_title + "x") != slug
    assert title_id("模型") != title_id("方法")  # non-Latin titles keep distinct ids


# --- merging ------------------------------------------------------------------------------

def test_merge_duplicates_across_two_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({
        "id": "2410.17243v1", "title": "Breaking the Memory Barrier", "abstract": "First abstract.",
        "authors": ["A One", "B Two"]}) + "\n")
    (tmp_path / "b.json").write_text(json.dumps([
        {"url": "https://arxiv.org/abs/2410.17243v2", "title": "Other title",
         "abstract": "Second. https://x.org/code", "authors": ["B Two", "C Three"],
         "doi": "10.5555/m", "date": "2024-10-22"},
        {"title": "Zeta", "abstract": "Unrelated."}]))
    (tmp_path / "c.txt").write_text("Breaking the memory barrier\n\n" + "Daily abstract. " * 30)
    papers = merge_papers(read_paths([tmp_path]))
    assert [p.id for p in papers] == ["arxiv:2410.17243", "title:zeta"]
    merged = papers[0]
    assert merged.title == "Breaking the Memory Barrier" and merged.abstract == "First abstract."
    assert merged.authors == ("A One", "B Two", "C Three") and merged.links == ("https://x.org/code",)
    assert (merged.doi, merged.date) == ("10.5555/m", "2024-10-22")
    assert merged.source.endswith("a.jsonl")


# --- files, directories, encodings --------------------------------------------------------

def test_directory_walk(tmp_path: Path) -> None:
    (tmp_path / "sub" / ".hidden").mkdir(parents=True)
    shutil.copy(DATA / "papers.tsv", tmp_path / "sub" / "z.tsv")
    shutil.copy(DATA / "container.json", tmp_path / "a.json")
    shutil.copy(DATA / "papers.tsv", tmp_path / "sub" / ".hidden" / "x.tsv")
    shutil.copy(DATA / "papers.tsv", tmp_path / ".secret.tsv")
    (tmp_path / "notes.md").write_text("# not read")
    (tmp_path / "README.txt").write_text("Just a readme.\n")
    warnings: list[InputError] = []
    papers = list(read_paths([tmp_path], on_warning=warnings.append))
    assert [Path(p.source).name for p in papers] == ["a.json", "a.json", "z.tsv"]
    assert any("README.txt" in w.path and "not a supported format" in w.problem for w in warnings)
    with pytest.raises(InputError, match="not a supported format"):  # named explicitly
        read(tmp_path / "README.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "skip.md").write_text("x")
    with pytest.raises(InputError, match="no readable papers"):
        read(empty)
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "missing.jsonl")


def test_empty_file_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("  \n")
    papers, warnings = read(tmp_path / "empty.jsonl")
    assert papers == [] and [w.problem for w in warnings] == ["file is empty"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_bom_encodings(tmp_path: Path, encoding: str) -> None:
    text = (DATA / "daily_small.txt").read_text(encoding="utf-8").replace("TinyNet", "TinyNét")
    jsonl = (DATA / "papers.jsonl").read_text(encoding="utf-8")
    bom = {"utf-16-be": "\ufeff"}.get(encoding, "")
    csv_text = (DATA / "papers.csv").read_text(encoding="utf-8")
    for name, content in (("d.txt", text), ("p.jsonl", jsonl), ("c.csv", csv_text)):
        (tmp_path / name).write_bytes((bom + content).encode(encoding))
    assert read(tmp_path / "d.txt")[0][0].title == "TinyNét: Small Models for Big Tasks"
    papers, warnings = read(tmp_path / "p.jsonl")
    assert [p.line for p in papers] == [1, 7, 8] and len(warnings) == 5
    assert [p.line for p in read(tmp_path / "c.csv")[0]] == [2, 3, 8]


def test_undecodable_bytes(tmp_path: Path) -> None:
    target = tmp_path / "bad.jsonl"
    good = b'{"title": "T", "abstract": "A."}\n'
    target.write_bytes(good + b'{"title": "caf\xe9", "abstract": "x"}\n')
    offset = len(good) + len(b'{"title": "caf')
    for forced in (None, "jsonl"):  # found by the detector's look-ahead, and by the reader
        with pytest.raises(InputError, match=f"utf-8 at byte offset {offset}$") as info:
            read(target, format=forced)
        assert info.value.line == 2 and info.value.path == str(target)
    (tmp_path / "bad.txt").write_bytes(b"Title\n\n\xff\xfe" + b"x" * 10)
    with pytest.raises(InputError, match="cannot decode"):
        read(tmp_path / "bad.txt")


def test_control_characters_are_stripped(tmp_path: Path) -> None:
    target = tmp_path / "ctl.jsonl"
    target.write_text(json.dumps({"title": "A\x00B\x07 C", "abstract": "x\ty\r\nz\x1b."}) + "\n")
    [paper], _ = read(target)
    assert (paper.title, paper.abstract) == ("AB C", "x y z.")


# --- text helpers -----------------------------------------------------------------------

def test_find_urls_trailing_punctuation() -> None:
    text = (
        "Code: https://github.com/a/b. Data (https://x.org/A_(b)), see https://y.io/p?q=1; "
        "\\url{https://z.dev/x} and [site](https://w.com/page). Again https://github.com/a/b!"
    )
    assert find_urls(text) == (
        "https://github.com/a/b", "https://x.org/A_(b)", "https://y.io/p?q=1",
        "https://z.dev/x", "https://w.com/page",
    )
    assert find_urls("no url, just http:// and https://.") == ()


def test_normalize_whitespace_and_slugify() -> None:
    assert normalize_whitespace("  a\n  b\t c state-of-the-\n  art ") == "a b c state-of-the-art"
    assert normalize_whitespace("e\u0301") == "\u00e9"
    assert slugify("Hello, World! GPT-4o (2024)") == "hello-world-gpt-4o-2024"
    assert slugify("...") == ""


@given(st.text())
def test_normalize_whitespace_is_idempotent(text: str) -> None:
    once = normalize_whitespace(text)
    assert normalize_whitespace(once) == once


@given(st.text())
def test_slugify_is_deterministic_ascii(text: str) -> None:
    slug = slugify(text)
    assert slug == slugify(text) and re.fullmatch(r"[a-z0-9-]*", slug)


@settings(max_examples=60, deadline=None)
@given(title=st.text(), abstract=st.text(), ascii_only=st.booleans())
def test_jsonl_roundtrip_or_bad_record(
    tmp_path_factory: pytest.TempPathFactory, title: str, abstract: str, ascii_only: bool
) -> None:
    target = tmp_path_factory.mktemp("rt") / "one.jsonl"
    record = json.dumps({"title": title, "abstract": abstract}, ensure_ascii=ascii_only)
    target.write_text(record + "\n", encoding="utf-8")
    warnings: list[InputError] = []
    try:
        papers = list(read_paths([target], on_warning=warnings.append))
    except KGError as exc:  # pragma: no cover - would be a bug
        pytest.fail(f"unexpected error {exc}")
    if papers:
        assert papers[0].title == normalize_whitespace(title)
        assert papers[0].abstract == normalize_whitespace(abstract)
    else:
        assert len(warnings) == 1 and warnings[0].line in (1, None)


@settings(max_examples=150, deadline=None)
@given(
    # no lone surrogates: they cannot be written as UTF-8 (the write would fail, not the reader)
    content=st.text(st.sampled_from(list('{}[]",:@=#%\\<>/\n\r\t aAtT0.-'))
                    | st.characters(exclude_categories=["Cs"])),
    name=st.sampled_from([*sorted(READERS), None]),
)
def test_any_text_gives_papers_or_input_errors(
    tmp_path_factory: pytest.TempPathFactory, content: str, name: str | None
) -> None:
    target = tmp_path_factory.mktemp("any") / "input.txt"
    target.write_text(content, encoding="utf-8")
    try:
        for paper in read_paths([target], format=name, on_warning=lambda _: None):
            assert paper.title and paper.abstract and paper.id
    except InputError:
        pass
