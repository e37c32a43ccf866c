"""The HTML explorer in a real browser: Debian's Chromium driven by Playwright, fully offline.

Every request that is not ``file://`` is aborted and counted as a failure, and so is any console
error. Without Chromium or Playwright the tests are skipped, except under ``CI=true`` where a
missing browser fails them. ``$KG_CHROMIUM`` overrides the browser's path; screenshots go to
``$KG_SCREENSHOTS`` (default: a temporary folder).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import exports
from kg.records import Entity, GraphData, Link, Paper
from tests.conftest import run_kg
from tests.test_html import INFO, mention, synthetic

CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
RLHF = "method/reinforcement-learning-from-human-feedback"
PWN = "window.__pwned=1"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install 'playwright>=1.40,<2')"
    if not os.access(CHROMIUM, os.X_OK):
        return "Chromium is not installed (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Explorer:
    """One open page, with what it logged and what it tried to fetch."""

    page: Any
    errors: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def wait(self, expression: str, timeout: float = 60) -> Any:
        """Poll ``expression`` until truthy (the page's CSP forbids wait_for_function's eval)."""
        end = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value or time.monotonic() > end:
                assert value, f"timed out waiting for {expression}"
                return value
            time.sleep(0.05)

    def index(self, node_id: str) -> int:
        i: int = self.js("id => kgExplorer.indexOf(id)", node_id)
        assert i >= 0, node_id
        return i

    def click_node(self, node_id: str) -> None:
        """Centre the node, check nothing covers it, then click it with the mouse."""
        i = self.index(node_id)
        self.js("i => kgExplorer.network.moveTo({position: kgExplorer.network.getPositions([i])[i],"
                " scale: 1.5})", i)
        x, y = self.js("i => { const n = kgExplorer.network, p = n.canvasToDOM(n.getPositions([i])[i]);"
                       " return [p.x, p.y]; }", i)
        assert self.js("p => kgExplorer.network.getNodeAt(p)", {"x": x, "y": y}) == i
        box = self.page.locator("#kg-network").bounding_box()
        self.page.mouse.click(box["x"] + x, box["y"] + y)

    def nodes(self, condition: str) -> list[str]:
        """Ids of the DataSet nodes for which ``condition`` (on ``n``) holds."""
        found: list[str] = self.js(
            f"() => kgExplorer.nodes.get({{filter: n => {condition}}}).map(n => kgExplorer.idOf(n.id))")
        return found


@pytest.fixture()
def open_page(browser: Any) -> Iterator[Callable[..., Explorer]]:
    contexts: list[Any] = []
    opened: list[Explorer] = []

    def open_(path: Path, *, stable: bool = True) -> Explorer:
        context = browser.new_context(viewport={"width": 1400, "height": 850})
        contexts.append(context)
        page = context.new_page()
        ex = Explorer(page)
        opened.append(ex)

        def route(r: Any) -> None:
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                ex.remote.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: ex.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: ex.errors.append(str(e)))
        page.goto(path.resolve().as_uri())
        ex.wait("!!(window.kgExplorer && kgExplorer.stable)" if stable else "!!window.kgExplorer")
        return ex

    yield open_
    for context in contexts:
        context.close()
    for ex in opened:
        assert ex.errors == [], ex.errors
        assert ex.remote == [], ex.remote


@pytest.fixture(scope="session")
def seeds_html(seeds_out: Path) -> Path:
    return seeds_out / "graph.html"


@pytest.fixture(scope="session")
def seeds_data(seeds_graph: Any) -> GraphData:
    data: GraphData = seeds_graph.data
    return data


def test_seeds_graph_counts(open_page: Callable[..., Explorer], seeds_html: Path,
                            seeds_data: GraphData) -> None:
    ex = open_page(seeds_html)
    pairs = {(m.paper_id, m.entity) for m in seeds_data.mentions if m.entity}
    n_nodes = len(seeds_data.papers) + len(seeds_data.entities)
    assert ex.js("[kgExplorer.nodes.length, kgExplorer.edges.length]") == [
        n_nodes, len(pairs) + len(seeds_data.links)]
    # the network itself holds them, and stopped its physics once stable
    assert ex.js("Object.keys(kgExplorer.network.body.nodes).length") == n_nodes
    assert ex.js("kgExplorer.network.physics.physicsEnabled") is False
    assert ex.page.title() == "paper-kg"
    assert ex.page.locator("#kg-stats").inner_text().startswith(f"{len(seeds_data.papers)} papers")
    assert ex.page.locator("#kg-legend li").count() == 5


def test_search_by_alias_focuses_node(open_page: Callable[..., Explorer], seeds_html: Path) -> None:
    ex = open_page(seeds_html)
    ex.page.locator("#kg-search").fill("rlhf")
    first = ex.page.locator("#kg-results li").first
    assert first.inner_text().startswith("reinforcement learning from human feedback")
    ex.page.locator("#kg-search").press("Enter")
    assert ex.js("kgExplorer.selectedId()") == RLHF
    assert ex.page.locator("#kg-panel h2").inner_text() == "reinforcement learning from human feedback"
    # neighbours keep their colour, the rest is dimmed
    i = ex.index(RLHF)
    neighbours = set(ex.js("i => kgExplorer.network.getConnectedNodes(i)", i))
    dimmed = set(ex.js("() => kgExplorer.nodes.get({filter: n => n.color.startsWith('rgba')})"
                       ".map(n => n.id)"))
    assert neighbours and not (neighbours | {i}) & dimmed
    assert len(dimmed) == ex.js("kgExplorer.N") - len(neighbours) - 1


def test_type_and_paper_filters(open_page: Callable[..., Explorer], seeds_html: Path,
                                seeds_data: GraphData) -> None:
    ex = open_page(seeds_html, stable=False)
    methods = {e.id for e in seeds_data.entities if e.type == "method"}
    ex.page.locator("#kg-legend input[value=method]").uncheck()
    assert set(ex.nodes("n.hidden")) == methods
    i = ex.index(sorted(methods)[0])
    assert ex.js("i => kgExplorer.network.body.nodes[i].options.hidden", i) is True
    ex.page.locator("#kg-legend input[value=paper]").uncheck()
    assert len(ex.nodes("n.hidden")) == len(methods) + len(seeds_data.papers)
    toggle = ex.page.locator("#kg-entities-toggle")  # mixed: shown unchecked, indeterminate
    assert ex.js("document.getElementById('kg-entities-toggle').indeterminate") is True
    toggle.check()  # every entity type again
    assert set(ex.nodes("n.hidden")) == {p.id for p in seeds_data.papers}
    toggle.uncheck()
    assert ex.nodes("!n.hidden") == []
    toggle.check()
    ex.page.locator("#kg-legend input[value=paper]").check()
    assert ex.nodes("n.hidden") == []
    assert ex.page.locator("#kg-visible").inner_text().startswith(f"{ex.js('kgExplorer.N')} of")


def test_min_papers_filter(open_page: Callable[..., Explorer], seeds_html: Path,
                           seeds_data: GraphData) -> None:
    ex = open_page(seeds_html, stable=False)
    papers_of: dict[str, set[str]] = {}
    for m in seeds_data.mentions:
        if m.entity:
            papers_of.setdefault(m.entity, set()).add(m.paper_id)
    ex.page.locator("#kg-min-papers-number").fill("3")
    expected = {e.id for e in seeds_data.entities if len(papers_of.get(e.id, ())) < 3}
    assert expected and set(ex.nodes("n.hidden")) == expected
    ex.page.locator("#kg-min-papers").fill("0")  # the slider's first step: every entity
    assert ex.nodes("n.hidden") == []
    assert ex.page.locator("#kg-min-papers-number").input_value() == "1"


def test_colour_toggle(open_page: Callable[..., Explorer], seeds_html: Path,
                       seeds_data: GraphData) -> None:
    ex = open_page(seeds_html, stable=False)
    colours = "() => kgExplorer.nodes.get().map(n => n.color)"
    by_type = ex.js(colours)
    assert len(set(by_type)) == 5 and ex.page.locator("#kg-communities").is_hidden()
    ex.page.locator("#kg-color-by input[value=community]").check()
    by_community = ex.js(colours)
    assert by_community != by_type and ex.js("kgExplorer.colorMode()") == "community"
    assert ex.page.locator("#kg-communities").is_visible()
    assert ex.page.locator("#kg-community-legend li").count() > 3
    ids = [p.id for p in seeds_data.papers] + [e.id for e in seeds_data.entities]
    colour_of = dict(zip(ids, by_community, strict=True))
    groups: dict[int, set[str]] = {}
    for node, c in seeds_data.communities.items():
        groups.setdefault(c, set()).add(colour_of[node])
    assert all(len(g) == 1 for g in groups.values())
    ex.page.locator("#kg-color-by input[value=type]").check()
    assert ex.js(colours) == by_type


def test_click_paper_shows_highlighted_abstract(open_page: Callable[..., Explorer], seeds_html: Path,
                                                seeds_data: GraphData) -> None:
    ex = open_page(seeds_html)
    linked = {k.source for k in seeds_data.links} | {k.target for k in seeds_data.links}
    paper = next(p for p in seeds_data.papers if p.links and p.id in linked)
    ex.click_node(paper.id)
    assert ex.js("kgExplorer.selectedId()") == paper.id
    panel = ex.page.locator("#kg-panel")
    assert panel.is_visible() and panel.locator("h2").inner_text() == paper.title
    assert panel.locator(".kg-abstract").inner_text() == paper.abstract
    spans = panel.locator(".kg-abstract span.kg-mention")
    shown = [(spans.nth(k).inner_text(), spans.nth(k).get_attribute("class"))
             for k in range(spans.count())]
    expected = [m for m in seeds_data.mentions if m.paper_id == paper.id and m.field == "abstract"]
    assert shown and len(shown) <= len(expected)
    for text, cls in shown:
        assert any(m.text == text and f"kg-t-{m.type}" in cls.split() for m in expected), text
    hrefs = [a.get_attribute("href") for a in panel.locator("a").all()]
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    related = panel.locator(".kg-related > li")
    assert related.count() == sum(paper.id in (k.source, k.target) for k in seeds_data.links)
    assert related.first.locator(".kg-shared .kg-chip").count() >= 1


def test_click_entity_lists_evidence(open_page: Callable[..., Explorer], seeds_html: Path,
                                     seeds_graph: Any) -> None:
    ex = open_page(seeds_html)
    ex.click_node(RLHF)
    panel = ex.page.locator("#kg-panel")
    assert panel.locator(".kg-tag").inner_text() == "method"
    assert "Aliases: RLHF" in panel.inner_text()
    items = panel.locator(".kg-evidence > li")
    titles = {items.nth(k).locator("button").first.inner_text() for k in range(items.count())}
    assert titles == {p.title for p in seeds_graph.papers_mentioning(RLHF)}
    for k in range(items.count()):
        quote = items.nth(k).locator("blockquote")
        mark = quote.locator(".kg-mention.kg-t-method").inner_text()
        assert mark.lower().replace("-", " ") in {"rlhf", "reinforcement learning from human feedback"}
    items.first.locator("button").first.click()  # evidence leads to its paper
    assert ex.js("kgExplorer.selectedId()").startswith(("title:", "arxiv:", "doi:"))


def test_overview_tab(open_page: Callable[..., Explorer], seeds_html: Path,
                      seeds_graph: Any) -> None:
    ex = open_page(seeds_html, stable=False)
    ex.page.locator("#kg-tab-overview").click()
    overview = ex.page.locator("#kg-overview")
    assert overview.is_visible()
    assert ex.page.locator(".kg-chart").count() == 4
    top = seeds_graph.top_entities("method", k=1)[0]
    first = ex.page.locator(".kg-chart.kg-t-method .kg-bar-row").first
    assert first.locator(".kg-bar-label").inner_text() == top["label"]
    assert first.locator(".kg-bar-value").inner_text() == str(int(top["score"]))
    assert ex.page.locator(".kg-card-value").first.inner_text() == str(len(seeds_graph.papers()))
    assert ex.page.locator(".kg-community-list > li").count() == min(
        40, len(set(seeds_graph.data.communities.values())))
    first.locator("button").click()  # a bar leads to its entity in the graph
    assert overview.is_hidden() and ex.js("kgExplorer.selectedId()") == top["entity"]
    ex.page.locator("#kg-tab-overview").click()
    ex.page.locator(".kg-community-list > li button").first.click()
    assert ex.js("kgExplorer.colorMode()") == "community" and overview.is_hidden()


def hostile_data() -> GraphData:
    script = f"<script>{PWN}</script>"
    img = f'<img src=x onerror="{PWN}">'
    quote = f'" onmouseover="{PWN}" x="'
    p1 = Paper("arxiv:2401.00001", f"{script}{img} Title {quote}",
               f"We test {img} on GLUE. {script} And {quote} LoRA.",
               url=f"javascript:{PWN}", links=(f"javascript:{PWN}", "https://example.org/ok",
                                              f'https://x.org/"><img src=x onerror="{PWN}">'))
    p2 = Paper("arxiv:2401.00002", "A quiet paper on GLUE", "We use GLUE and LoRA.",
               url=f"JaVaScRiPt:{PWN}")
    glue = Entity("benchmark/glue", f"GLUE{img}", "benchmark", (script, quote), 2, 2)
    lora = Entity("method/lora", "LoRA", "method", (), 2, 2)
    mentions = (mention(p1, "GLUE", "benchmark", glue.id), mention(p1, "LoRA", "method", lora.id),
                mention(p2, "GLUE", "benchmark", glue.id), mention(p2, "LoRA", "method", lora.id))
    links = (Link(p1.id, p2.id, 1.0, (glue.id, lora.id)),)
    return GraphData((p1, p2), (glue, lora), mentions, links, INFO,
                     {p1.id: 0, p2.id: 0, glue.id: 0, lora.id: 0})


def test_hostile_input_stays_text(open_page: Callable[..., Explorer], tmp_path: Path) -> None:
    data = hostile_data()
    path = exports.export(data, "html", tmp_path / "hostile.html", title=data.papers[0].title)
    ex = open_page(path)
    assert ex.page.title() == data.papers[0].title
    ex.page.locator("#kg-search").fill("onmouseover")
    assert ex.page.locator("#kg-results li").count() == 2  # the paper and the alias
    ex.page.locator("#kg-search").press("Enter")
    ex.click_node("arxiv:2401.00001")
    panel = ex.page.locator("#kg-panel")
    assert panel.locator("h2").inner_text() == data.papers[0].title
    assert panel.locator(".kg-abstract").inner_text() == data.papers[0].abstract
    hrefs = ex.js("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert hrefs == ["https://example.org/ok"]  # javascript: and odd URLs stay text
    assert f"javascript:{PWN}" in panel.inner_text()
    ex.page.locator("#kg-tab-overview").click()
    ex.page.locator("#kg-tab-graph").click()
    ex.click_node("benchmark/glue")
    assert panel.locator("h2").inner_text() == data.entities[0].label
    i = ex.index("arxiv:2401.00001")  # hover: the tooltip shows the raw text
    box = ex.page.locator("#kg-network").bounding_box()
    x, y = ex.js("i => { const n = kgExplorer.network, p = n.canvasToDOM(n.getPositions([i])[i]);"
                 " return [p.x, p.y]; }", i)
    ex.page.mouse.move(box["x"] + x, box["y"] + y)
    tip = ex.page.locator(".vis-tooltip")
    tip.wait_for(state="visible")
    assert data.papers[0].title in tip.inner_text()
    assert ex.js("window.__pwned") is None
    assert ex.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert ex.js("document.scripts.length") == 3  # data, vis-network, explorer
    assert ex.js("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                 ".filter(a => a.name.startsWith('on')).length") == 0


def test_large_graph_uses_precomputed_layout(open_page: Callable[..., Explorer],
                                             tmp_path: Path) -> None:
    path = exports.export(synthetic(1200, 300), "html", tmp_path / "big.html")
    ex = open_page(path)
    assert ex.js("[kgExplorer.nodes.length, kgExplorer.data.physics]") == [1500, False]
    assert ex.js("kgExplorer.network.physics.physicsEnabled") is False
    xy = ex.js("kgExplorer.data.xy")
    positions = ex.js("kgExplorer.network.getPositions([0, 700, 1499])")
    assert [positions[str(i)]["x"] for i in (0, 700, 1499)] == [xy[0], xy[1400], xy[2998]]
    ex.page.locator("#kg-search").fill("E12")
    ex.page.locator("#kg-search").press("Enter")
    assert ex.js("kgExplorer.selectedId()") == "benchmark/e00012"


def test_cli_subsets_open(open_page: Callable[..., Explorer], seeds_out: Path, tmp_path: Path) -> None:
    for args, check in ((["--top", "10"], lambda n: n["entities"] == 10),
                        (["--around", "RLHF", "--hops", "1"], lambda n: n["entities"] == 1),
                        (["--community", "0", "--color-by", "community"], lambda n: n["papers"] > 0)):
        out = tmp_path / "sub.html"
        proc = run_kg("html", str(seeds_out), *args, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        ex = open_page(out, stable=False)
        counts = ex.js("({papers: kgExplorer.nP, entities: kgExplorer.N - kgExplorer.nP,"
                       " nodes: kgExplorer.nodes.length})")
        assert counts["nodes"] == counts["papers"] + counts["entities"] and check(counts), args


def test_screenshots(open_page: Callable[..., Explorer], seeds_html: Path, tmp_path: Path) -> None:
    folder = Path(os.environ.get("KG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    ex = open_page(seeds_html)
    ex.page.locator("#kg-search").fill("RLHF")
    ex.page.locator("#kg-search").press("Enter")
    evidence = ex.page.locator(".kg-evidence > li button").first
    evidence.click()
    time.sleep(0.6)  # the focus animation
    ex.page.screenshot(path=str(folder / "explorer.png"))
    ex.page.locator("#kg-tab-overview").click()
    ex.page.screenshot(path=str(folder / "overview.png"))
    for name in ("explorer.png", "overview.png"):
        assert (folder / name).stat().st_size > 20_000


def test_generated_10k_paper_graph(open_page: Callable[..., Explorer], tmp_path: Path) -> None:
    """The explorer of a 10,000-paper generated corpus: the capped node set with a
    precomputed layout opens without errors, and search, focus and the side panel work."""
    import subprocess
    import sys

    import kg
    from tests.conftest import ROOT

    corpus = tmp_path / "c10k.jsonl"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "10000", "--seed", "0",
                    "--out", str(corpus)], check=True, capture_output=True)
    g = kg.build([corpus])
    path = exports.export(g.data, "html", tmp_path / "graph.html")
    assert path.stat().st_size < 15_000_000
    ex = open_page(path)
    n_nodes, physics = ex.js("[kgExplorer.nodes.length, kgExplorer.data.physics]")
    assert 1000 < n_nodes <= 5000 and physics is False
    paper = next(p for p in g.data.papers if ex.js("id => kgExplorer.indexOf(id)", p.id) >= 0)
    ex.page.locator("#kg-search").fill(paper.title)
    ex.page.locator("#kg-search").press("Enter")
    assert ex.js("kgExplorer.selectedId()") == paper.id
    assert ex.page.locator("#kg-panel h2").inner_text() == paper.title
