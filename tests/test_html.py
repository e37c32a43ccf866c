"""The offline HTML explorer: self-contained, escaped, deterministic; and :func:`subset`."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import exports
import exports.html as html_module
from exports.html import highlight_segments, json_for_script, render_html, subset
from kg.errors import NotFoundError
from kg.records import BuildInfo, Entity, GraphData, Link, Mention, Paper

INFO = BuildInfo("0.1.0", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", ("in.jsonl",), "https://x/")
HOSTILE_TITLE = "</script><script>alert(1)</script> \"quoted\" 'single' \u2028line\u2029para"
IMG = "<img src=x onerror=alert(1)>"


def mention(paper: Paper, text: str, type_: str, entity: str, *, field: str = "abstract",
            nth: int = 0) -> Mention:
    """A mention of the ``nth`` occurrence of ``text`` with its sentence as evidence."""
    body = paper.text(field)  # type: ignore[arg-type]
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    sent_start = body.rfind(". ", 0, start)
    sent_start = 0 if sent_start < 0 else sent_start + 2
    sent_end = body.find(". ", start)
    sent_end = len(body) if sent_end < 0 else sent_end + 1
    return Mention(paper.id, field, start, start + len(text), text, type_, text.lower(),  # type: ignore[arg-type]
                   "lexicon", 1.0, sent_start, sent_end, entity)


def sample() -> GraphData:
    p1 = Paper("arxiv:2401.00001", "BERT on GLUE",
               "We fine-tune BERT on GLUE. We also use SQuAD with LoRA. BERT wins.",
               url="https://arxiv.org/abs/2401.00001", authors=("A. Author",))
    p2 = Paper("arxiv:2401.00002", HOSTILE_TITLE,
               f"An {IMG} attack on GLUE. We use LoRA & ImageNet.\u2028 Done.",
               url="javascript:alert(1)", links=("https://example.org/code", "javascript:alert(2)"))
    p3 = Paper("doi:10.1/xyz", "ResNet for ImageNet", "ResNet is trained on ImageNet.",
               url="http://example.com/p3")
    p4 = Paper("title:lonely", "A lonely paper", "Nothing to see.")
    entities = (
        Entity("benchmark/glue", "GLUE", "benchmark", ("glue benchmark",), 2, 2),
        Entity("dataset/imagenet", "ImageNet", "dataset", ("ILSVRC",), 2, 2),
        Entity("dataset/squad", "SQuAD", "dataset", (), 1, 1),
        Entity("method/lora", "LoRA", "method", ("low-rank adaptation",), 2, 2),
        Entity("model/bert", "BERT", "model", ("bert-base",), 1, 2),
        Entity("model/resnet", "ResNet", "model", (), 1, 1),
    )
    mentions = (
        mention(p1, "BERT", "model", "model/bert"),
        mention(p1, "GLUE", "benchmark", "benchmark/glue"),
        mention(p1, "SQuAD", "dataset", "dataset/squad"),
        mention(p1, "LoRA", "method", "method/lora"),
        mention(p1, "BERT", "model", "model/bert", nth=1),
        mention(p1, "BERT on GLUE", "model", "", field="title"),
        mention(p2, "GLUE", "benchmark", "benchmark/glue"),
        mention(p2, "LoRA", "method", "method/lora"),
        mention(p2, "ImageNet", "dataset", "dataset/imagenet"),
        mention(p3, "ResNet", "model", "model/resnet"),
        mention(p3, "ImageNet", "dataset", "dataset/imagenet"),
    )
    links = (Link(p1.id, p2.id, 0.8, ("benchmark/glue", "method/lora")),
             Link(p2.id, p3.id, 0.3, ("dataset/imagenet",)))
    communities = {p1.id: 0, "model/bert": 0, "dataset/squad": 0, "benchmark/glue": 0,
                   "method/lora": 0, p2.id: 0, p3.id: 1, "model/resnet": 1, "dataset/imagenet": 1}
    return GraphData((p1, p2, p3, p4), entities, mentions, links, INFO, communities)


def embedded(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert found
    result: dict[str, Any] = json.loads(found.group(1))
    return result


def app_part(page: str) -> str:
    """The page without the inlined vis-network library."""
    start = page.index("vis-network\n * https://visjs.github.io")
    return page[:start] + page[page.index("</script>", start):]


@pytest.fixture()
def page(tmp_path: Path) -> str:
    path = exports.export(sample(), "html", tmp_path / "kg.html", title="My <KG>")
    return path.read_text(encoding="utf-8")


def test_self_contained(page: str) -> None:
    assert "vis-network" in page and "vis.Network" in page and len(page) > 400_000
    assert ".vis-network" in page  # the CSS is inlined too
    remote = re.compile(
        r"""(?:\b(?:src|href)\s*=\s*["']?\s*|@import\s*["']?|url\(\s*["']?)(?:https?:)?//""", re.I)
    assert not remote.findall(page)
    assert not re.search(r"<(?:script|link)\b[^>]*\b(?:src|href)=", page, re.I)
    # http(s) URLs occur only as data in the JSON (and as comments/strings in vis itself)
    outside = app_part(page).replace(embedded_raw(page), "")
    assert "http://" not in outside and "https://" not in outside


def embedded_raw(page: str) -> str:
    found = re.search(r'id="kg-data">(.*?)</script>', page, re.S)
    assert found
    return found.group(1)


def node_ids(data: dict[str, Any]) -> list[str]:
    return [p["id"] for p in data["papers"]] + [e["id"] for e in data["entities"]]


def test_graph_content(page: str) -> None:
    data = embedded(page)
    ids = node_ids(data)
    assert ids == [p.id for p in sample().papers] + [e.id for e in sample().entities]
    papers = {p["id"]: p for p in data["papers"]}
    entities = {e["id"]: e for e in data["entities"]}
    # mention edges: distinct (paper, entity) pairs with a resolved entity
    assert sum(len(p["ents"]) for p in data["papers"]) == 9
    assert [ids[j] for j in papers["arxiv:2401.00001"]["ents"]] == [
        "benchmark/glue", "dataset/squad", "method/lora", "model/bert"]
    assert all(j >= len(data["papers"]) for p in data["papers"] for j in p["ents"])
    assert data["links"] == [[0, 1, 0.8, [4, 7]], [1, 2, 0.3, [5]]]
    assert entities["dataset/imagenet"]["papers"] == 2 and entities["dataset/squad"]["papers"] == 1
    assert entities["model/bert"]["papers"] == 1  # one paper, two mentions
    assert data["physics"] is True and data["options"]["physics"]["enabled"] is True
    assert data["xy"] == [] and data["color_by"] == "type"
    assert data["title"] == "My <KG>" and "<title>My &lt;KG&gt;</title>" in page
    assert papers["title:lonely"] == {"id": "title:lonely", "title": "A lonely paper",
                                      "abstract": "Nothing to see.", "marks": [], "ents": []}
    no_links = embedded(render_html(sample(), include_links=False))
    assert no_links["links"] == [] and no_links["overview"]["counts"]["links"] == 2
    for part in ("core", "side panel", "search", "overview tab"):  # every script is inlined
        assert f"/* paper-kg explorer, {part}:" in page
    assert ".kg-t-method{--kg-c:#b279a2;--kg-tint:#ecdde8}" in page


def test_highlight_segments(page: str) -> None:
    data = embedded(page)
    paper = data["papers"][0]
    assert [(paper["abstract"][s:e], kind, node_ids(data)[j]) for s, e, kind, j in paper["marks"]] == [
        ("BERT", "model", "model/bert"), ("GLUE", "benchmark", "benchmark/glue"),
        ("SQuAD", "dataset", "dataset/squad"), ("LoRA", "method", "method/lora"),
        ("BERT", "model", "model/bert"),
    ]
    text = "deep residual networks"
    ms = [Mention("p", "abstract", 0, 13, "deep residual", "method", "k", "r", 1.0, 0, 22),
          Mention("p", "abstract", 5, 22, "residual networks", "model", "k", "r", 1.0, 0, 22),
          Mention("p", "abstract", 5, 13, "residual", "method", "k", "r", 1.0, 0, 22),
          Mention("p", "abstract", 14, 99, "bad", "model", "k", "r", 1.0, 0, 22)]
    assert highlight_segments(text, ms) == [(0, 13, "method", "")]
    ms[0] = Mention("p", "abstract", 0, 4, "deep", "method", "k", "r", 1.0, 0, 22)
    assert highlight_segments(text, ms) == [(0, 4, "method", ""), (5, 22, "model", "")]


def evidence_text(data: dict[str, Any], ev: list[int]) -> tuple[str, str, str, str]:
    paper = data["papers"][ev[0]]
    text = paper["abstract"] if ev[1] else paper["title"]
    return paper["id"], text[ev[2]:ev[3]], text[ev[3]:ev[4]], text[ev[4]:ev[5]]


def test_entity_evidence(page: str) -> None:
    data = embedded(page)
    d = next(e for e in data["entities"] if e["id"] == "method/lora")
    assert d["type"] == "method" and d["aliases"] == ["low-rank adaptation"]
    assert d["papers"] == 2 and "more" not in d and "total" not in d
    assert evidence_text(data, d["evidence"][0]) == (
        "arxiv:2401.00001", "We also use SQuAD with ", "LoRA", ".")
    second = evidence_text(data, d["evidence"][1])
    assert second[0] == "arxiv:2401.00002" and second[2] == "LoRA"


def test_offsets_are_utf16() -> None:
    """JavaScript indexes strings in UTF-16 units: astral characters count twice."""
    p = Paper("arxiv:1", "\U0001f600 title", "\U0001f680\U0001f680 We use GLUE here. \u00e9 GLUE again.")
    ms = (mention(p, "GLUE", "benchmark", "benchmark/glue"),
          mention(p, "GLUE", "benchmark", "benchmark/glue", nth=1))
    ent = Entity("benchmark/glue", "GLUE", "benchmark", (), 1, 2)
    data = embedded(render_html(GraphData((p,), (ent,), ms, (), INFO)))
    js = p.abstract.encode("utf-16-le")
    for s, e, _, _ in data["papers"][0]["marks"]:
        assert js[2 * s:2 * e].decode("utf-16-le") == "GLUE"
    ev = data["entities"][0]["evidence"][0]
    assert js[2 * ev[3]:2 * ev[4]].decode("utf-16-le") == "GLUE"
    assert js[2 * ev[2]:2 * ev[5]].decode("utf-16-le").startswith("\U0001f680\U0001f680 We use")


def test_hostile_input_is_escaped(page: str) -> None:
    assert "</script><script>" not in page
    assert "<img" not in page.lower()  # the tag text is data: \u003cimg src=x onerror=...
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", page, re.I)
    assert "\u2028" not in page and "\u2029" not in page
    raw = embedded_raw(page)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\\u003c/script\\u003e" in raw and "\\u2028" in raw
    papers = {p["id"]: p for p in embedded(page)["papers"]}
    hostile = papers["arxiv:2401.00002"]
    assert hostile["title"] == HOSTILE_TITLE  # round-trips exactly
    assert "href" not in hostile and hostile["url"] == "javascript:alert(1)"
    assert hostile["links"] == [["https://example.org/code", "https://example.org/code"],
                                ["javascript:alert(2)", ""]]
    assert papers["doi:10.1/xyz"]["href"] == "http://example.com/p3"
    app = app_part(page)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "setAttribute(\"on", "Function("):
        assert sink not in app
    escaped = json_for_script({"a": "</script>&\u2028"})
    assert escaped == '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}'
    with pytest.raises(ValueError):
        render_html(sample(), color_by="rainbow")


def test_odd_text_and_empty_graph(tmp_path: Path) -> None:
    lone = Paper("title:x", "bad \ud800 surrogate \u00e9\u4e2d", "")
    path = exports.export(replace(sample(), papers=(lone,)), "html", tmp_path / "odd.html")
    assert embedded(path.read_text(encoding="utf-8"))["papers"][0]["title"] == lone.title
    empty = GraphData((), (), (), (), INFO)
    for threshold in (1000, 0):
        data = embedded(render_html(empty, physics_threshold=threshold))
        assert data["papers"] == [] and data["entities"] == [] and data["links"] == []
        assert data["community"] == [] and data["overview"]["counts"]["papers"] == 0


def test_hostile_page_title(tmp_path: Path) -> None:
    page = render_html(sample(), title=HOSTILE_TITLE)
    assert "</script><script>" not in page
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert embedded(page)["title"] == HOSTILE_TITLE


def test_deterministic(tmp_path: Path) -> None:
    a = exports.export(sample(), "html", tmp_path / "a.html").read_bytes()
    b = exports.export(sample(), "html", tmp_path / "b.html").read_bytes()
    assert a == b
    c = render_html(sample(), physics_threshold=3).encode()
    assert c == render_html(sample(), physics_threshold=3).encode()


def test_color_by_community() -> None:
    data = embedded(render_html(sample(), color_by="community"))
    assert data["color_by"] == "community"
    community = dict(zip(node_ids(data), data["community"], strict=True))
    assert community["arxiv:2401.00001"] == community["model/bert"] == 0
    assert community["doi:10.1/xyz"] == community["model/resnet"] == 1
    assert community["title:lonely"] == -1
    # the page can switch colouring itself: communities are embedded whatever color_by is
    assert embedded(render_html(sample()))["community"] == data["community"]


def test_overview() -> None:
    ov = embedded(render_html(sample()))["overview"]
    assert ov["counts"] == {"papers": 4, "entities": 6, "mentions": 10, "links": 2, "communities": 2,
                            "types": [["benchmark", 1], ["dataset", 2], ["model", 2], ["method", 1]]}
    assert ov["shown"] == {"papers": 4, "entities": 6}
    top = dict(ov["top"])
    assert [t for t, _ in ov["top"]] == ["benchmark", "dataset", "model", "method"]
    assert top["dataset"] == [["dataset/imagenet", "ImageNet", 2], ["dataset/squad", "SQuAD", 1]]
    assert top["model"] == [["model/bert", "BERT", 1], ["model/resnet", "ResNet", 1]]
    first, second = ov["communities"]
    assert (first["id"], first["papers"], first["entities"]) == (0, 2, 4)
    # defining entities: most papers within the community first
    assert [t[0] for t in first["top"]] == ["benchmark/glue", "method/lora", "dataset/squad",
                                           "model/bert"]
    assert first["top"][0] == ["benchmark/glue", "GLUE", 2]
    assert second["top"] == [["dataset/imagenet", "ImageNet", 1], ["model/resnet", "ResNet", 1]]
    assert ov["info"] == {"version": "0.1.0", "built": "2026-01-01T00:00:01Z"}


def synthetic(n_papers: int, n_entities: int) -> GraphData:
    types = ("benchmark", "dataset", "model", "method")
    entities = tuple(Entity(f"{types[i % 4]}/e{i:05d}", f"E{i}", types[i % 4], (), 0, 0)  # type: ignore[arg-type]
                     for i in range(n_entities))
    papers, mentions = [], []
    for i in range(n_papers):
        words = [entities[(i * 7 + j * j * 13) % n_entities] for j in range(4)]
        abstract = " ".join(e.label + "." for e in words)
        paper = Paper(f"arxiv:{i:05d}", f"Paper {i}", abstract)
        papers.append(paper)
        pos = 0
        for e in words:
            end = pos + len(e.label)
            mentions.append(Mention(paper.id, "abstract", pos, end, e.label, e.type,
                                    e.label.lower(), "lexicon", 1.0, pos, end + 1, e.id))
            pos += len(e.label) + 2
    counts: dict[str, set[str]] = {}
    for m in mentions:
        counts.setdefault(m.entity, set()).add(m.paper_id)
    entities = tuple(Entity(e.id, e.label, e.type, (), len(counts.get(e.id, ())), 0)
                     for e in entities)
    links = tuple(Link(papers[i].id, papers[i + 1].id, 0.5, ()) for i in range(0, n_papers - 1, 3))
    return GraphData(tuple(papers), entities, tuple(mentions), links, INFO, {})


def test_large_graph_precomputed_layout(tmp_path: Path) -> None:
    path = exports.export(synthetic(1200, 300), "html", tmp_path / "big.html")
    data = embedded(path.read_text(encoding="utf-8"))
    assert len(data["papers"]) + len(data["entities"]) == 1500
    assert data["physics"] is False and data["options"]["physics"]["enabled"] is False
    xy = data["xy"]
    assert len(xy) == 3000 and all(isinstance(c, int) for c in xy)
    assert len(set(zip(xy[::2], xy[1::2], strict=True))) > 1400  # spread out, not stacked


def test_huge_graph_cheap_layout() -> None:
    data = embedded(render_html(synthetic(5200, 400), max_evidence=2, max_nodes=None))
    assert len(data["papers"]) + len(data["entities"]) == 5600 and len(data["xy"]) == 11200
    assert max(len(e["evidence"]) for e in data["entities"]) == 2
    assert min(e.get("more", 0) for e in data["entities"]) > 0


def test_max_nodes() -> None:
    # a quarter of the budget for the entities in most papers, the rest for the papers
    # that mention most of them
    data = embedded(render_html(sample(), max_nodes=9))
    assert node_ids(data) == ["arxiv:2401.00001", "arxiv:2401.00002", "doi:10.1/xyz",
                              "benchmark/glue", "dataset/imagenet"]
    assert data["overview"]["shown"] == {"papers": 3, "entities": 2}
    assert data["overview"]["counts"]["papers"] == 4  # the overview is of the whole corpus
    small = embedded(render_html(sample(), max_nodes=3))
    assert node_ids(small) == ["arxiv:2401.00001", "arxiv:2401.00002", "benchmark/glue"]


def test_default_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_module, "HUGE_GRAPH", 100)  # the cheap layout: this tests the budget
    data = embedded(render_html(synthetic(6000, 400)))
    assert len(data["papers"]) + len(data["entities"]) <= 5000
    assert len(data["entities"]) == 400 and data["overview"]["counts"]["papers"] == 6000
    glue = embedded(render_html(sample(), max_nodes=9))["entities"][0]
    assert glue["papers"] == 2 and "total" not in glue


def test_subset_top() -> None:
    part = subset(sample(), top=2)
    assert [e.id for e in part.entities] == ["benchmark/glue", "dataset/imagenet"]
    assert {p.id for p in part.papers} == {"arxiv:2401.00001", "arxiv:2401.00002", "doi:10.1/xyz"}
    assert {m.entity for m in part.mentions} <= {"benchmark/glue", "dataset/imagenet", ""}
    assert len(part.links) == 2
    assert set(part.communities) == {p.id for p in part.papers} | {e.id for e in part.entities}


def test_subset_community() -> None:
    part = subset(sample(), community=1)
    assert [p.id for p in part.papers] == ["doi:10.1/xyz"]
    assert [e.id for e in part.entities] == ["dataset/imagenet", "model/resnet"]
    assert part.links == () and len(part.mentions) == 2
    with pytest.raises(NotFoundError, match="7"):
        subset(sample(), community=7)


def test_subset_around() -> None:
    one = subset(sample(), around="resnet")  # label, case-insensitive
    assert [p.id for p in one.papers] == ["doi:10.1/xyz"]
    assert [e.id for e in one.entities] == ["model/resnet"]
    two = subset(sample(), around="model/resnet", hops=2)
    assert [e.id for e in two.entities] == ["dataset/imagenet", "model/resnet"]
    three = subset(sample(), around="ilsvrc", hops=2)  # alias
    assert {p.id for p in three.papers} == {"arxiv:2401.00002", "doi:10.1/xyz"}
    assert {e.id for e in three.entities} == {"dataset/imagenet", "benchmark/glue", "method/lora",
                                            "model/resnet"}
    assert [(k.source, k.target) for k in three.links] == [("arxiv:2401.00002", "doi:10.1/xyz")]
    by_title = subset(sample(), around="a LONELY paper")
    assert [p.id for p in by_title.papers] == ["title:lonely"] and by_title.entities == ()
    zero = subset(sample(), around="dataset/imagenet", hops=0)
    assert zero.papers == () and [e.id for e in zero.entities] == ["dataset/imagenet"]
    with pytest.raises(NotFoundError, match="'no such thing'"):
        subset(sample(), around="no such thing")
    assert subset(sample()) == sample()
    html_part = embedded(render_html(subset(sample(), around="BERT", hops=1)))
    assert set(node_ids(html_part)) == {"model/bert", "arxiv:2401.00001"}
