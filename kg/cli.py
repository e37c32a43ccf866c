"""The ``kg`` command: a thin layer over :mod:`kg.api`.

Each command parses its options, calls one public function and turns a :class:`KGError`
into a one-line message on stderr with a non-zero exit status (never a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kg.errors import InputError, KGError


def _err(msg: str) -> None:
    print(f"kg: {msg}", file=sys.stderr)


class _Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP during ``kg build``, raised like Ctrl-C so every clean-up
    runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_as_interrupt() -> Iterator[None]:
    """While building, SIGINT, SIGTERM and SIGHUP raise :class:`_Interrupted` (a
    KeyboardInterrupt) in this process, so the temporary output is removed exactly as on
    Ctrl-C (see :mod:`kg.atomic`). Forked extraction workers that receive them (Ctrl-C
    reaches the whole process group) die quietly instead of printing tracebacks. An ignored
    signal stays ignored."""
    owner = os.getpid()

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != owner:  # a forked worker process
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise _Interrupted(signum)

    previous: dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None or signal.getsignal(signum) in (signal.SIG_IGN, None):
            continue
        try:
            previous[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread
            pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _identity(path: str) -> tuple[int, int] | None:
    """Device and inode of ``path`` (None if missing): a new output directory is a new inode."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def cmd_build(args: argparse.Namespace) -> int:
    from kg.api import build
    from kg.errors import EmptyCorpusError
    from kg.readers import UnsupportedFormatError
    from kg.store import check_target

    records: list[InputError] = []  # bad records skipped
    files: list[InputError] = []  # files skipped inside directories

    def warn(e: InputError) -> None:
        skipped = getattr(e, "skipped", True)
        if skipped:
            (files if isinstance(e, UnsupportedFormatError) else records).append(e)
        if not args.quiet:
            _err(f"warning: {e}{' (skipped)' if skipped else ''}")

    t0 = time.perf_counter()
    check_target(args.out)  # fail before a long build, not after it
    previous: tuple[int, int] | None | bool = False  # False: saving has not started
    try:
        with _signals_as_interrupt():
            bar = _progress(args)
            try:
                g = build(args.inputs, format=args.format, lexicons=args.lexicon,
                          pipeline=args.pipeline, workers=args.workers, strict=args.strict,
                          on_warning=warn, base_iri=args.base_iri, top_k=args.top_k,
                          max_df=args.max_df, progress=bar.update if bar else None,
                          dask=args.dask)
            except EmptyCorpusError as exc:
                if records or files:
                    raise EmptyCorpusError(f"{exc} ({_skipped(records, files)}; see the warnings)"
                                           ) from None
                raise
            finally:
                if bar:
                    bar.close()
            formats = ["turtle", *args.export] + ([] if args.no_html else ["html"])
            previous = _identity(args.out)
            g.save(args.out, formats=dict.fromkeys(formats))
            s = g.summary()
            if not args.quiet:
                types = ", ".join(f"{n} {t}s" for t, n in s["entities_by_type"].items())
                skipped = _skipped(records, files)
                print(f"{s['papers']} papers, {s['entities']} entities ({types}), "
                      f"{s['mentions']} mentions, {s['links']} paper links, "
                      f"{s['communities']} communities{f', {skipped}' if skipped else ''} "
                      f"in {time.perf_counter() - t0:.1f}s -> {args.out}")
    except KeyboardInterrupt as exc:
        return _interrupted(exc, args.out, previous)
    return 0


def _interrupted(exc: KeyboardInterrupt, out: str, previous: tuple[int, int] | None | bool) -> int:
    """Say whether an interrupted run had already swapped in its output; the exit code."""
    signum = getattr(exc, "signum", signal.SIGINT)
    written = previous is not False and _identity(out) != previous
    state = "the new output was already written to" if written else "left unchanged:"
    _err(f"interrupted ({signal.Signals(signum).name}); {state} {out}")
    return 128 + signum


def _skipped(records: list[InputError], files: list[InputError]) -> str:
    parts = [f"{len(records)} record{'s' * (len(records) != 1)} skipped"] if records else []
    parts += [f"{len(files)} file{'s' * (len(files) != 1)} skipped"] if files else []
    return ", ".join(parts)


def _progress(args: argparse.Namespace) -> Any:
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc="extracting", unit=" papers", file=sys.stderr, leave=False)


def cmd_add(args: argparse.Namespace) -> int:
    from kg.update import add_papers

    t0 = time.perf_counter()
    skipped: list[InputError] = []

    def warn(e: InputError) -> None:
        skipped.append(e)
        _err(f"warning: {e} (skipped)")

    previous = _identity(args.dir)
    try:
        with _signals_as_interrupt():
            g, counts = add_papers(args.dir, args.inputs, format=args.format, strict=args.strict,
                                   on_warning=warn, workers=args.workers,
                                   refresh_index=not args.no_index, progress=_err)
    except KeyboardInterrupt as exc:
        return _interrupted(exc, args.dir, previous)
    s = g.summary()
    print(f"{counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged"
          f"{f', {len(skipped)} records skipped' if skipped else ''}; now {s['papers']} papers, "
          f"{s['entities']} entities, {s['links']} links in {time.perf_counter() - t0:.1f}s -> {args.dir}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from kg.update import remove_papers

    previous = _identity(args.dir)
    try:
        with _signals_as_interrupt():
            g = remove_papers(args.dir, args.paper, refresh_index=not args.no_index, progress=_err)
    except KeyboardInterrupt as exc:
        return _interrupted(exc, args.dir, previous)
    s = g.summary()
    print(f"removed {len(args.paper)}; now {s['papers']} papers, {s['entities']} entities, "
          f"{s['links']} links -> {args.dir}")
    return 0


def cmd_pipeline(args: argparse.Namespace) -> int:
    from extract.pipeline import make_pipeline

    nlp = make_pipeline(args.lexicon)
    nlp.to_disk(args.dir)
    print(f"pipeline {', '.join(nlp.pipe_names)} -> {args.dir} (use with kg build --pipeline)")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from kg.api import load

    g = load(args.dir)
    s = g.summary()
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    info = g.info
    print(f"{args.dir}: built by paper-kg {info.version} at {info.finished}")
    print(f"  inputs: {', '.join(info.inputs)}")
    print(f"  papers: {s['papers']}  mentions: {s['mentions']}  links: {s['links']}  "
          f"communities: {s['communities']}")
    print("  entities: " + ", ".join(f"{t} {n}" for t, n in s["entities_by_type"].items()))
    for t in ("benchmark", "dataset", "model", "method"):
        top = g.top_entities(type=t, k=5)
        if top:
            print(f"  top {t}s: " + ", ".join(f"{r['label']} ({int(r['score'])})" for r in top))
    return 0


def cmd_sparql(args: argparse.Namespace) -> int:
    from kg.sparql import format_result, load_query, run_query

    bindings = {}
    for b in args.bind:
        name, sep, value = b.partition("=")
        if not sep or not name:
            raise KGError(f"--bind expects NAME=VALUE, got {b!r}")
        bindings[name.lstrip("?$")] = value
    if args.endpoint:
        if args.source is not None:
            raise KGError("give either SOURCE or --endpoint, not both")
        import warnings

        from kg.remote import query_endpoint

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = query_endpoint(args.endpoint, load_query(args.query),
                                    bindings=bindings or None, user=args.user,
                                    password=args.password, default_graph=args.graph)
        for w in caught:
            _err(f"warning: {w.message}")
    elif args.source is None:
        raise KGError("give a SOURCE (output directory or RDF file) or --endpoint URL")
    elif args.graph or args.user or args.password:
        raise KGError("--graph, --user and --password go with --endpoint")
    else:
        result = run_query(args.source, load_query(args.query), bindings=bindings or None,
                           progress=_err)
    sys.stdout.write(format_result(result, args.output))
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from kg.remote import push

    result = push(args.dir, args.endpoint, graph=args.graph, method=args.method,
                  replace=not args.append, user=args.user, password=args.password,
                  batch_size=args.batch_size, timeout=args.timeout)
    print(result.summary())
    return 0


def cmd_html(args: argparse.Namespace) -> int:
    from exports import export
    from exports.html import subset
    from kg.api import load

    g = load(args.dir)
    data = g.data
    if args.top or args.community is not None or args.around:
        data = subset(data, top=args.top, community=args.community, around=args.around,
                      hops=args.hops)
    out = Path(args.out) if args.out else Path(args.dir) / "graph.html"
    export(data, "html", out, color_by=args.color_by)
    print(f"{len(data.papers)} papers, {len(data.entities)} entities -> {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from exports import get
    from kg.api import load

    g = load(args.dir)
    out = Path(args.out) if args.out else Path(args.dir) / f"graph{get(args.format).suffix}"
    g.export(args.format, out)
    print(out)
    return 0


def cmd_related(args: argparse.Namespace) -> int:
    from kg.api import load

    g = load(args.dir)
    p = g.paper(args.paper)
    for r in g.related(p, k=args.k):
        q = g.paper(r["paper"])
        names = ", ".join(_label(g, e) for e in r["shared"])
        print(f"{r['weight']:7.3f}  {q.title}  [{names}]")
    return 0


def _type_map(spec: str | None) -> dict[str, str] | None:
    if not spec:
        return None
    type_map = {}
    for item in spec.split(","):
        gold_t, sep, group = item.partition("=")
        if not sep:
            raise KGError(f"--type-map expects GOLD=GROUP[,GOLD=GROUP], got {item!r}")
        type_map[gold_t.strip()] = group.strip()
    return type_map


def cmd_evaluate(args: argparse.Namespace) -> int:
    from kg.evaluate import evaluate, format_report

    report = evaluate(args.gold, format=args.format, type_map=_type_map(args.type_map),
                      lexicons=args.lexicon, pipeline=args.pipeline)
    if args.types:
        keep = set(args.types.split(",")) | {"overall"}
        for level in report["levels"].values():
            for g in list(level):
                if g not in keep:
                    del level[g]
    print(json.dumps(report, indent=2) if args.json else format_report(report), end="")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from extract.train import train
    from kg.evaluate import read_gold

    type_map = _type_map(args.type_map)
    docs = list(read_gold(args.gold, format=args.format, type_map=type_map))
    dev = list(read_gold(args.dev, format=args.format, type_map=type_map)) if args.dev else []

    def show(row: dict[str, Any]) -> None:
        dev_f = f"  dev P/R/F {row['p']:.3f}/{row['r']:.3f}/{row['f']:.3f}" if "f" in row else ""
        print(f"epoch {row['epoch']:3d}  loss {row['loss']:10.3f}{dev_f}", flush=True)

    summary = train(docs, args.out, dev_docs=dev, epochs=args.epochs, lexicons=args.lexicon,
                    confidence=args.confidence, seed=args.seed, progress=show, source=args.gold)
    print(f"trained on {summary['examples']} documents ({', '.join(summary['labels'])}; "
          f"{summary['dropped_spans']} gold spans left out), kept epoch {summary['best_epoch']} "
          f"-> {args.out} (use with kg build --pipeline)")
    return 0


def _label(g: Any, entity_id: str) -> str:
    return str(g.entity(entity_id).label)


def make_parser() -> argparse.ArgumentParser:
    from kg import __version__

    parser = argparse.ArgumentParser(prog="kg", description="Knowledge graphs of ML papers.")
    parser.add_argument("--version", action="version", version=f"paper-kg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build a graph from papers")
    b.add_argument("inputs", nargs="+", help="files or directories (read recursively)")
    b.add_argument("--out", "-o", required=True, help="output directory")
    b.add_argument("--format", "-f", help="force an input format (daily, jsonl, json, atom, csv, bibtex)")
    b.add_argument("--lexicon", action="append", default=[], help="extra lexicon file (JSONL)")
    b.add_argument("--pipeline", help="a spaCy pipeline directory to use instead of the default")
    b.add_argument("--workers", "-j", type=int, default=0,
                   help="extraction processes (default 0: one per core for 2,000+ papers, else 1)")
    b.add_argument("--strict", action="store_true", help="stop at the first bad record")
    b.add_argument("--dask", metavar="ADDRESS",
                   help="extract on a Dask cluster: scheduler address, or local[:N]")
    b.add_argument("--base-iri", default="https://w3id.org/paper-kg/id/", help="base IRI of instances")
    b.add_argument("--top-k", type=int, help="paper links kept per paper (default 20)")
    b.add_argument("--max-df", type=int, help="entities in more papers than this create no links")
    b.add_argument("--export", action="append", default=[],
                   help="also write this export format (n-triples, json-ld, rdf-xml)")
    b.add_argument("--no-html", action="store_true", help="do not write graph.html")
    b.add_argument("--quiet", "-q", action="store_true")
    b.set_defaults(func=cmd_build)

    a = sub.add_parser("add", help="add new papers to a built graph (extracts only what is new)")
    a.add_argument("dir", help="output directory of kg build")
    a.add_argument("inputs", nargs="+", help="files or directories with the new papers")
    a.add_argument("--format", "-f", help="force an input format")
    a.add_argument("--workers", "-j", type=int, default=0,
                   help="extraction processes (default 0: one per core for 2,000+ new papers, else 1)")
    a.add_argument("--strict", action="store_true", help="stop at the first bad record")
    a.add_argument("--no-index", action="store_true",
                   help="do not rebuild the directory's SPARQL index now (the next query will)")
    a.set_defaults(func=cmd_add)

    rm = sub.add_parser("remove", help="remove papers (retractions) from a built graph")
    rm.add_argument("dir")
    rm.add_argument("--paper", action="append", required=True,
                    help="paper id, arXiv id, DOI or exact title (repeatable)")
    rm.add_argument("--no-index", action="store_true",
                    help="do not rebuild the directory's SPARQL index now (the next query will)")
    rm.set_defaults(func=cmd_remove)

    pl = sub.add_parser("pipeline", help="save the extraction pipeline as a spaCy directory")
    pl.add_argument("dir")
    pl.add_argument("--lexicon", action="append", default=[], help="extra lexicon file (JSONL)")
    pl.set_defaults(func=cmd_pipeline)

    i = sub.add_parser("info", help="summarise a built graph")
    i.add_argument("dir")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_info)

    s = sub.add_parser("sparql", help="run a SPARQL query on a built graph or RDF file")
    s.add_argument("source", nargs="?", help="output directory or RDF file (not with --endpoint)")
    s.add_argument("query", help="query text, a .rq file, or a shipped query name")
    s.add_argument("--bind", action="append", default=[], help="NAME=VALUE bound as a literal")
    s.add_argument("--output", choices=["table", "csv", "json"], default="table")
    s.add_argument("--endpoint", help="query this SPARQL endpoint URL instead of a local SOURCE")
    s.add_argument("--graph", help="with --endpoint: the graph IRI to query (default-graph-uri)")
    s.add_argument("--user", help="with --endpoint: user (default $KG_ENDPOINT_USER)")
    s.add_argument("--password", help="with --endpoint: password (default $KG_ENDPOINT_PASSWORD)")
    s.set_defaults(func=cmd_sparql)

    pu = sub.add_parser("push", help="load a built graph's RDF into a SPARQL 1.1 store")
    pu.add_argument("dir", help="output directory (its graph.nt, else graph.ttl) or an RDF file")
    pu.add_argument("--endpoint", required=True,
                    help="Graph Store URL (e.g. http://host:7878/store) or, with --method update, "
                         "SPARQL Update URL")
    pu.add_argument("--graph", help="named graph IRI (default: the store's default graph)")
    pu.add_argument("--method", choices=["auto", "gsp", "update"], default="auto",
                    help="Graph Store Protocol, SPARQL Update INSERT DATA, or auto (gsp, else update)")
    pu.add_argument("--append", action="store_true", help="add to the graph instead of replacing it")
    pu.add_argument("--batch-size", type=int, default=10_000, help="triples per INSERT DATA request")
    pu.add_argument("--user", help="user (default $KG_ENDPOINT_USER)")
    pu.add_argument("--password", help="password (default $KG_ENDPOINT_PASSWORD; prefer the variable)")
    pu.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the store")
    pu.set_defaults(func=cmd_push)

    h = sub.add_parser("html", help="render (a subset of) a built graph as HTML")
    h.add_argument("dir")
    h.add_argument("--out", "-o", help="HTML file (default DIR/graph.html)")
    h.add_argument("--top", type=int, help="only the N entities in most papers")
    h.add_argument("--community", type=int, help="only one community")
    h.add_argument("--around", help="only the neighbourhood of this paper or entity")
    h.add_argument("--hops", type=int, default=1)
    h.add_argument("--color-by", choices=["type", "community"], default="type")
    h.set_defaults(func=cmd_html)

    e = sub.add_parser("export", help="write another export format of a built graph")
    e.add_argument("dir")
    e.add_argument("--format", "-f", required=True)
    e.add_argument("--out", "-o")
    e.set_defaults(func=cmd_export)

    r = sub.add_parser("related", help="papers most related to a paper")
    r.add_argument("dir")
    r.add_argument("paper", help="paper id, arXiv id or exact title")
    r.add_argument("-k", type=int, default=10)
    r.set_defaults(func=cmd_related)
    v = sub.add_parser("evaluate", help="score extraction against annotated text")
    v.add_argument("gold", help="annotated file (JSONL)")
    v.add_argument("--format", choices=["jsonl", "scier"], default="jsonl")
    v.add_argument("--type-map", help="map gold types to groups, e.g. Dataset=dataset,Method=method")
    v.add_argument("--types", help="only report these groups (comma-separated)")
    v.add_argument("--lexicon", action="append", default=[], help="extra lexicon file (JSONL)")
    v.add_argument("--pipeline", help="a spaCy pipeline directory to evaluate instead")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.set_defaults(func=cmd_evaluate)
    t = sub.add_parser("train", help="train an entity recogniser on annotated text and add it "
                                     "to the rule pipeline")
    t.add_argument("gold", help="annotated training file (JSONL, as for kg evaluate)")
    t.add_argument("--out", "-o", required=True, help="pipeline directory to write")
    t.add_argument("--dev", help="annotated file to pick the best epoch on")
    t.add_argument("--format", choices=["jsonl", "scier"], default="jsonl")
    t.add_argument("--type-map", help="map gold types to ours, e.g. Dataset=dataset,Method=method")
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--confidence", type=float, default=0.5,
                   help="confidence of the recogniser's candidates against the rules' (default 0.5)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--lexicon", action="append", default=[], help="extra lexicon file (JSONL)")
    t.set_defaults(func=cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KGError as exc:
        _err(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted; earlier output left unchanged")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
