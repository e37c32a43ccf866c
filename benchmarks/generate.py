"""Deterministic generator of realistic ML-paper abstracts for benchmarking paper-kg.

    python benchmarks/generate.py 100000 --seed 0 --out /tmp/abstracts.jsonl

Each output line is ``{"id": "gen-000001", "arxiv_id": "2501.00001", "title": ..., "abstract":
...}``. Abstracts have 6-10 sentences and ~150-250 words, built from templates typical of ML
abstracts (motivation, gap, "We propose X, a ... for ...", method details, "We evaluate on A,
B and C", "X outperforms Y by ...", "Our code is available at https://github.com/...").

Realism where it matters for performance:

* Vocabulary grows like real text (Heaps' law) instead of repeating: besides a curated list
  of common ML words, content-word slots draw from a large pool of pronounceable pseudo-words
  (plus hyphen compounds, inflections and numbers) with Zipf-distributed frequencies, so the
  spaCy tokenizer keeps meeting unseen words as the corpus grows.
* Entity names are Zipf-distributed and recur across papers: (a) labels and aliases of the
  shipped lexicon (``extract/data/lexicon.jsonl``), each used in a template that fits its
  type (benchmarks after "evaluate on", models after "fine-tune", methods as technique
  phrases); (b) coined names: CamelCase benchmarks and datasets (``FooBench``), versioned
  models (``Zyx-7B``) and acronym definitions (``Long Form Name (LFN)``).
* Every paper proposes its own name (drawn from a huge pool, so mostly unique, sometimes a
  follow-up of an earlier one).

The output depends only on ``N`` and ``--seed`` (same seed -> identical bytes; the first
``n`` records of a larger corpus are the same as a corpus of ``n``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

LEXICON = Path(__file__).resolve().parent.parent / "extract" / "data" / "lexicon.jsonl"

# --- curated vocabulary (common words of ML abstracts) ------------------------------------
NOUNS = """
performance accuracy efficiency robustness generalization scalability reasoning representation
representations task tasks model models method methods approach framework benchmark dataset
datasets data training inference evaluation analysis setting settings problem problems
challenge challenges limitation limitations capability capabilities behavior quality
diversity consistency alignment supervision feedback reward rewards policy policies agent
agents environment environments trajectory trajectories token tokens sequence sequences
context contexts prompt prompts instruction instructions response responses answer answers
question questions image images video videos text texts audio speech scene scenes object
objects motion pose layout graph graphs node nodes edge edges feature features embedding
embeddings module modules layer layers architecture architectures parameter parameters
weight weights gradient gradients loss objective objectives distribution distributions
sample samples uncertainty calibration latency memory throughput cost budget compute
hardware accelerator deployment domain domains modality modalities knowledge retrieval
memory generation synthesis editing control planning perception understanding grounding
segmentation detection classification translation summarization recognition navigation
manipulation forecasting estimation reconstruction rendering compression quantization
pruning distillation adaptation transfer exploration interpretability fairness safety
privacy security attack attacks defense defenses hallucination hallucinations bias biases
error errors failure failures baseline baselines variant variants ablation ablations
component components pipeline pipelines system systems signal signals structure structures
pattern patterns mechanism mechanisms correlation correlations trade-off trade-offs
resolution fidelity realism coherence controllability efficiency-accuracy interaction
interactions user users annotation annotations label labels supervision noise corpus
corpora collection benchmarking metric metrics score scores gap gaps insight insights
""".split()
ADJECTIVES = """
novel efficient effective scalable robust simple unified general lightweight adaptive
dynamic hierarchical multimodal multilingual multi-task cross-modal self-supervised
unsupervised supervised semi-supervised contrastive generative discriminative probabilistic
differentiable sparse dense compact modular flexible interpretable explainable reliable
faithful consistent diverse comprehensive large-scale fine-grained coarse-grained
long-horizon long-context real-world open-ended zero-shot few-shot in-context end-to-end
training-free plug-and-play theoretical empirical practical systematic principled
lightweight strong significant substantial competitive state-of-the-art existing previous
prior recent current standard conventional traditional challenging complex diverse
realistic synthetic high-quality low-resource high-resolution temporal spatial causal
structured unstructured visual textual semantic geometric physical linguistic numerical
""".split()
VERBS3 = """
improves enables reduces achieves outperforms leverages captures learns models combines
integrates extends generalizes scales adapts aligns exploits identifies predicts generates
reconstructs estimates optimizes mitigates addresses tackles alleviates preserves balances
""".split()
VERBS = """
improve enable reduce achieve capture learn model combine integrate extend generalize scale
adapt align exploit identify predict generate reconstruct estimate optimize mitigate address
tackle alleviate preserve balance handle support understand evaluate analyze characterize
""".split()
ADVERBS = """
significantly consistently substantially effectively efficiently jointly explicitly
implicitly dynamically adaptively notably remarkably considerably largely simultaneously
""".split()
FIELDS = """
natural language processing|computer vision|robotics|speech recognition|reinforcement
learning|recommender systems|information retrieval|medical imaging|autonomous driving|code
generation|mathematical reasoning|drug discovery|protein design|time series analysis|
graph learning|3D vision|video understanding|dialogue systems|machine translation|embodied
AI|scientific discovery|document understanding|remote sensing|materials science
""".replace("\n", " ").split("|")
METHOD_HEADS = """
learning tuning distillation attention optimization regularization augmentation sampling
decoding pruning quantization prompting encoding diffusion propagation pooling boosting
guidance adaptation alignment retrieval reranking search planning tokenization merging
""".split()
TASK_HEADS = """
question answering|object detection|semantic segmentation|image classification|text
generation|image generation|video generation|code completion|visual grounding|depth
estimation|pose estimation|relation extraction|named entity recognition|speech synthesis|
motion generation|image editing|trajectory prediction|document parsing|table understanding
""".replace("\n", " ").split("|")
COMPOUND_SUFFIXES = "aware based guided specific level free agnostic driven conditioned".split()
WORD_SUFFIXES = ["", "", "", "", "s", "ing", "ed", "ation", "ity", "al", "ive", "er", "ness"]
METRICS = "accuracy|F1|BLEU|exact match|success rate|pass@1|mIoU|AUROC|win rate|FID".split("|")
BENCH_HEADS = "benchmark|suite|testbed|evaluation suite|leaderboard".split("|")
DATA_HEADS = "dataset|corpus|collection".split("|")
FRAMEWORK_HEADS = "framework|method|approach|algorithm|architecture|pipeline|system".split("|")

# --- pseudo-word synthesis -----------------------------------------------------------------
_ONSETS = "b c d f g h k l m n p r s t v z br cr dr gr pl pr st tr sh th".split()
_VOWELS = "a e i o u a e i o a e io ou".split()
_CODAS = ["", "", "", "", "", "n", "r", "s", "l", "m", "t", "x", "nd", "st", "ng"]


_SYLLABLES = [o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS]


def _pseudo_words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct lowercase pronounceable pseudo-words (mostly 2-3 syllables)."""
    syl = np.array(_SYLLABLES)
    out: dict[str, None] = {}
    while len(out) < n:
        m = int((n - len(out)) * 1.3) + 16
        nsyl = rng.choice([1, 2, 3, 4], size=m, p=[0.05, 0.45, 0.4, 0.1])
        idx = rng.integers(0, len(syl), size=(m, 4))
        words = syl[idx[:, 0]]
        for j in range(1, 4):
            words = np.where(nsyl > j, np.char.add(words, syl[idx[:, j]]), words)
        length = np.char.str_len(words)
        out.update(dict.fromkeys(words[(length >= 4) & (length <= 12)].tolist()))
        if len(out) > n:
            out = dict.fromkeys(list(out)[:n])
    return list(out)


class Zipf:
    """Draws items with Zipf(-Mandelbrot) frequencies over ``items`` (rank = list order)."""

    def __init__(self, items: Sequence[str], s: float, rng: np.random.Generator,
                 buffer: int = 8192, q: float = 0.0) -> None:
        self.items = list(items)
        # Zipf-Mandelbrot: weight of rank k is 1 / (k + q) ** s (q > 0 flattens the head)
        w = 1.0 / (np.arange(1, len(self.items) + 1, dtype=np.float64) + q) ** s
        self.cdf = np.cumsum(w / w.sum())
        self.cdf[-1] = 1.0
        self.rng, self.buffer = rng, buffer
        self._buf: list[int] = []

    def __call__(self) -> str:
        if not self._buf:
            u = self.rng.random(self.buffer)
            self._buf = np.searchsorted(self.cdf, u, side="right").tolist()[::-1]
        return self.items[self._buf.pop()]

    def distinct(self, k: int) -> list[str]:
        out: list[str] = []
        for _ in range(k * 4):
            x = self()
            if x not in out:
                out.append(x)
                if len(out) == k:
                    break
        return out


def _camel(word: str) -> str:
    return word[:1].upper() + word[1:]


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0].upper() for w in words if w[:1].isalpha())


def _load_lexicon(path: Path) -> dict[str, list[list[str]]]:
    """type -> [surface forms of one entry (label first, then aliases)], in file order."""
    by_type: dict[str, list[list[str]]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            forms = [d["label"], *(a for a in d.get("aliases", []) if a)]
            by_type.setdefault(d["type"], []).append(forms)
    return by_type


# --- the generator ---------------------------------------------------------------------------
class Generator:
    """Builds abstracts; all randomness comes from ``seed``."""

    def __init__(self, seed: int = 0, *, pseudo_pool: int = 400_000, coined_pool: int = 30_000,
                 lexicon: Path = LEXICON) -> None:
        self.r = random.Random(seed)
        np_rng = np.random.default_rng(seed)
        words = _pseudo_words(np_rng, pseudo_pool + 4 * coined_pool + 200_000)
        pseudo, words = words[:pseudo_pool], words[pseudo_pool:]
        # content words: curated ML vocabulary and a long Zipf tail of pseudo-words
        self.noun = Zipf(self.r.sample(NOUNS, len(NOUNS)), 0.9, np_rng)
        self.adj = Zipf(self.r.sample(ADJECTIVES, len(ADJECTIVES)), 0.9, np_rng)
        self.rare = Zipf(pseudo, 1.15, np_rng)
        self.suffix = Zipf(WORD_SUFFIXES, 0.0, np_rng)
        self.pick = self.r.choice
        # entity names of the lexicon, Zipf over a seeded shuffle of each type
        lex = _load_lexicon(lexicon)
        self.lexicon_names = {f for entries in lex.values() for forms in entries for f in forms}
        self.lex: dict[str, Zipf] = {}
        for t, entries in lex.items():
            order = self.r.sample(entries, len(entries))
            self.lex[t] = Zipf([json.dumps(forms) for forms in order], 1.0, np_rng, q=5)
        # coined names that recur across papers (Zipf), one pool per type
        stems = [_camel(w) for w in words[: 4 * coined_pool]]
        self.r.shuffle(stems)
        c = coined_pool
        self.coined = {
            "benchmark": Zipf([self._bench_name(s) for s in stems[:c]], 1.05, np_rng, q=10),
            "dataset": Zipf([self._data_name(s) for s in stems[c:2 * c]], 1.05, np_rng, q=10),
            "model": Zipf([self._model_name(s) for s in stems[2 * c:3 * c]], 1.05, np_rng, q=10),
            "method": Zipf([json.dumps(self._acronym_def(s)) for s in stems[3 * c:4 * c]],
                           1.05, np_rng, q=10),
        }
        # each paper's own name: a huge pool, so mostly new, occasionally a follow-up
        own = [_camel(w) + self.pick(["", "", "", "Net", "Former", "GPT", "Diff", "Agent"])
               for w in words[4 * coined_pool:]]
        self.own = Zipf(own, 0.6, np_rng)
        self.users = Zipf([w for w in pseudo[::7]], 0.8, np_rng)
        self._templates = {k: [_compile(t) for t in v] for k, v in TEMPLATES.items()}
        self._titles = [_compile(t) for t in TITLES]

    # coined-name shapes
    def _bench_name(self, stem: str) -> str:
        return stem + self.pick(["Bench", "Bench", "QA", "Eval", "Arena", "-Bench", "Gym",
                                 "World", "Test"])

    def _data_name(self, stem: str) -> str:
        r = self.r.random()
        if r < 0.4:
            return stem + self.pick(["Set", "Data", "Text", "Corpus", "Pile", "Instruct"])
        if r < 0.8:
            return f"{stem}-{self.pick(['1M', '10K', '100K', '5M', '2B', '300K'])}"
        return stem.upper()[:3] + self.pick(["", "-X", "++"]) + self.pick(["Data", "Set"])

    def _model_name(self, stem: str) -> str:
        r = self.r.random()
        size = self.pick(["1B", "3B", "7B", "8B", "13B", "14B", "34B", "70B", "0.5B", "1.5B"])
        ver = self.pick(["2", "3", "1.5", "2.5", "4", "v2", "V3"])
        if r < 0.45:
            return f"{stem}-{size}"
        if r < 0.7:
            return f"{stem}-{ver}-{size}"
        if r < 0.85:
            return f"{stem}LM-{ver}"
        return f"{stem}-{ver}"

    def _acronym_def(self, stem: str) -> list[str]:
        first = stem.lower()
        mid = self.pick(["Adaptive", "Contrastive", "Hierarchical", "Sparse", "Latent",
                         "Progressive", "Residual", "Causal", "Dual", "Masked", "Recurrent",
                         "Spectral", "Token", "Policy", "Reward", "Memory"])
        head = self.pick(["Learning", "Distillation", "Attention", "Optimization", "Tuning",
                          "Sampling", "Decoding", "Alignment", "Prompting", "Search",
                          "Regularization", "Augmentation", "Merging", "Guidance"])
        words = [_camel(first), mid, head] if self.r.random() < 0.6 else [mid, _camel(first), head]
        return [" ".join(words), _initials(words)]

    # slot fillers -----------------------------------------------------------------------
    def word(self) -> str:
        """A content word: curated noun, or a rare pseudo-word, sometimes inflected."""
        r = self.r.random()
        if r < 0.5:
            return self.noun()
        w = self.rare()
        return w + self.suffix() if r < 0.835 else w

    def adjective(self) -> str:
        r = self.r.random()
        if r < 0.7:
            return self.adj()
        if r < 0.85:
            return f"{self.word()}-{self.pick(COMPOUND_SUFFIXES)}"
        return self.rare() + self.pick(["al", "ive", "ic", "ous", "-aware"])

    def a_adj(self) -> str:
        adj = self.adjective()
        return ("an " if adj[0] in "aeiou" else "a ") + adj

    def tail(self) -> str:
        """An optional trailing clause that brings sentences to realistic lengths."""
        r = self.r.random()
        if r < 0.15:
            return ""
        if r < 0.45:
            return f", which {self.pick(VERBS3)} the {self.np_()} of {self.np_()}"
        if r < 0.6:
            return f" and {self.pick(VERBS3)} {self.np_()} across {self.np_()}"
        if r < 0.72:
            return f" without {self.np_()} or {self.np_()}"
        if r < 0.85:
            return f" in {self.a_adj()} {self.word()} setting"
        return f", especially for {self.np_()} and {self.np_()}"

    def np_(self) -> str:
        r = self.r.random()
        if r < 0.35:
            return f"{self.adjective()} {self.word()}"
        if r < 0.6:
            return f"{self.word()} {self.word()}"
        if r < 0.8:
            return f"{self.adjective()} {self.word()} {self.word()}"
        return f"{self.word()} of {self.adjective()} {self.word()}"

    def number(self) -> str:
        r = self.r.random()
        if r < 0.5:
            return f"{self.r.uniform(0.5, 35):.1f}%"
        if r < 0.7:
            return f"{self.r.uniform(1.2, 12):.1f}x"
        if r < 0.85:
            return f"{self.r.uniform(20, 99):.1f}"
        return str(self.r.randint(2, 500))

    def entity(self, typ: str, lexicon_share: float) -> str:
        if self.r.random() < lexicon_share:
            forms = json.loads(self.lex[typ]())
            return forms[0] if len(forms) == 1 or self.r.random() < 0.7 else self.pick(forms[1:])
        if typ == "method":
            return json.loads(self.coined["method"]())[0]
        return self.coined[typ]()

    def listing(self, names: list[str]) -> str:
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " and " + names[-1]

    # one record -------------------------------------------------------------------------
    def paper(self) -> tuple[str, str]:
        r = self.r
        kind = r.choices(["method", "benchmark", "dataset", "model"], [0.6, 0.15, 0.1, 0.15])[0]
        own = self.own()
        if kind == "model":
            own = f"{own}-{self.pick(['7B', '8B', '1.5B', '2', 'V', 'R1', '32B'])}"
        acr = None
        if kind == "method" and r.random() < 0.35:
            long_form, acr = json.loads(self.coined["method"]())
            own_def = f"{long_form} ({acr})"
        else:
            own_def = own
        benchmarks = self.lexset("benchmark", r.randint(1, 4), 0.55)
        datasets = self.lexset("dataset", r.randint(1, 2), 0.5)
        models = self.lexset("model", r.randint(1, 3), 0.6)
        methods = [self.entity("method", 0.6) for _ in range(r.randint(1, 3))]
        defs: list[tuple[str, str]] = []
        if r.random() < 0.4:  # a coined acronym defined by this paper
            long_form, short = json.loads(self.coined["method"]())
            defs.append((long_form, short))
        ctx = {
            "X": own if acr is None else acr, "XDEF": own_def,
            "B": lambda: self.pick(benchmarks), "BS": lambda: self.listing(benchmarks),
            "D": lambda: self.pick(datasets), "DS": lambda: self.listing(datasets),
            "M": lambda: self.pick(models), "MS": lambda: self.listing(models),
            "T": lambda: self.pick(methods),
            "TDEF": (lambda: f"{defs[0][0]} ({defs[0][1]})") if defs else
            (lambda: self.pick(methods)),
            "TACR": (lambda: defs[0][1]) if defs else (lambda: self.pick(methods)),
            "np": self.np_, "tail": self.tail, "a_adj": self.a_adj, "w": self.word,
            "adj": self.adjective, "num": self.number,
            "v3": lambda: self.pick(VERBS3), "v": lambda: self.pick(VERBS),
            "adv": lambda: self.pick(ADVERBS), "field": lambda: self.pick(FIELDS),
            "task": lambda: self.pick(TASK_HEADS), "mhead": lambda: self.pick(METHOD_HEADS),
            "metric": lambda: self.pick(METRICS), "bhead": lambda: self.pick(BENCH_HEADS),
            "dhead": lambda: self.pick(DATA_HEADS), "fhead": lambda: self.pick(FRAMEWORK_HEADS),
            "n": lambda: str(r.randint(3, 60)),
            "url": lambda: f"https://github.com/{self.users()}/{own.lower()}",
        }
        t = self._templates
        sents = [self.fill(self.pick(t["intro"]), ctx)]
        if r.random() < 0.6:
            sents.append(self.fill(self.pick(t["intro"]), ctx))
        sents.append(self.fill(self.pick(t["gap"]), ctx))
        sents.append(self.fill(self.pick(t["propose_" + kind]), ctx))
        tail = [self.fill(self.pick(t["eval"]), ctx), self.fill(self.pick(t["result"]), ctx)]
        if r.random() < 0.45:
            tail.append(self.fill(self.pick(t["code"]), ctx))
        body_pool = t["method"] + (t["defined"] if defs else [])
        n_sents = r.randint(6, 10)
        body = [self.fill(self.pick(body_pool), ctx)
                for _ in range(max(0, n_sents - len(sents) - len(tail)))]
        words = sum(s.count(" ") + 1 for s in sents + body + tail)
        while words < 150 and len(sents) + len(body) + len(tail) < 10:
            body.append(self.fill(self.pick(body_pool), ctx))
            words += body[-1].count(" ") + 1
        while words > 250 and body and len(sents) + len(body) + len(tail) > 6:
            words -= body.pop().count(" ") + 1
        abstract = " ".join(sents + body + tail)
        title = self.fill(self.pick(self._titles), ctx)
        return title, abstract

    def lexset(self, typ: str, k: int, share: float) -> list[str]:
        out: list[str] = []
        for _ in range(k * 3):
            e = self.entity(typ, share)
            if e not in out:
                out.append(e)
                if len(out) == k:
                    break
        return out

    def fill(self, parts: list[tuple[bool, str]], ctx: dict[str, str | Callable[[], str]]) -> str:
        out = []
        for is_slot, text in parts:
            if is_slot:
                v = ctx[text]
                out.append(v if isinstance(v, str) else v())
            else:
                out.append(text)
        s = "".join(out)
        return s[:1].upper() + s[1:]

    def records(self, n: int) -> Iterator[dict[str, str]]:
        for i in range(1, n + 1):
            title, abstract = self.paper()
            month, num = divmod(i - 1, 99_999)
            yy, mm = divmod(month, 12)
            yield {"id": f"gen-{i:06d}", "arxiv_id": f"{25 + yy:02d}{mm + 1:02d}.{num + 1:05d}",
                   "title": title, "abstract": abstract}


def _compile(template: str) -> list[tuple[bool, str]]:
    """``"We use {M}."`` -> ``[(False, "We use "), (True, "M"), (False, ".")]``."""
    parts: list[tuple[bool, str]] = []
    rest = " ".join(template.split())
    while "{" in rest:
        pre, _, after = rest.partition("{")
        slot, _, rest = after.partition("}")
        if pre:
            parts.append((False, pre))
        parts.append((True, slot))
    if rest:
        parts.append((False, rest))
    return parts


TITLES = [
    "{X}: {adj} {np} for {task}",
    "{X}: Towards {adj} {np} with {T}",
    "{X}: {adv} Scaling {T} for {field}",
    "{adj} {np} via {T}",
    "On the {w} of {M} for {task}",
    "{X}: A {bhead} for {adj} {task}",
    "Rethinking {T} for {np}",
    "{X}: Learning {np} from {np}",
]

TEMPLATES: dict[str, list[str]] = {
    "intro": [
        "{adj} {np} has become a central problem in {field}, with applications ranging from "
        "{np} to {np}{tail}.",
        "Recent advances in {T} have {adv} improved {np}, yet {np} remains {adj} for {task}{tail}.",
        "Large language models (LLMs) such as {M} have shown remarkable {w} on {task}, "
        "but their {np} is still poorly understood.",
        "{task} is a fundamental task in {field} that requires {adj} {np} and {np}{tail}.",
        "Models such as {MS} have achieved strong results on {B}, but they rely on {adj} {np}{tail}.",
        "Understanding {np} is critical for deploying {adj} systems in {field}.",
    ],
    "gap": [
        "However, existing methods {adv} struggle to {v} {np}, which limits their {w} in "
        "{adj} settings.",
        "Despite this progress, current approaches require {adj} {np} and fail to {v} "
        "{np} under {np}{tail}.",
        "A key challenge is that {np} is {adj} and {adj}, making {T} difficult to apply "
        "to {np}{tail}.",
        "Prior work has focused on {np}, leaving the {w} of {np} largely unexplored.",
        "Moreover, most benchmarks such as {B} do not capture {np} or {np}{tail}.",
    ],
    "propose_method": [
        "In this paper, we propose {XDEF}, {a_adj} {fhead} for {task} that {v3} {np} by "
        "{adv} modeling {np}{tail}.",
        "To address these limitations, we introduce {XDEF}, {a_adj} {fhead} that combines "
        "{T} with {np} to {v} {np}{tail}.",
        "We present {XDEF}, {a_adj} and {adj} {fhead} for {np} based on {T}{tail}.",
    ],
    "propose_benchmark": [
        "To fill this gap, we introduce {X}, {a_adj} {bhead} of {n} {w} tasks covering "
        "{np}, {np} and {np}{tail}.",
        "We present the {X} benchmark, which contains {num} {adj} {np} annotated with {np}{tail}.",
    ],
    "propose_dataset": [
        "We release {X}, {a_adj} dataset of {num} {np} paired with {np}{tail}.",
        "To this end, we construct {X}, a {dhead} of {adj} {np} collected from {np}{tail}.",
    ],
    "propose_model": [
        "We introduce {X}, a family of {adj} models trained with {T} on {D}{tail}.",
        "We present {X}, an open model that {v3} {np} through {adj} {T}{tail}.",
    ],
    "method": [
        "Specifically, we fine-tune {M} on {D} using {T} and {a_adj} {np} objective.",
        "Our {fhead} first {v3} {np} with {a_adj} {w} {mhead} module and then {v3} {np} "
        "through {T}{tail}.",
        "We further design {a_adj} {w} {mhead} strategy that {adv} {v3} the {np} of {np}{tail}.",
        "Unlike prior work, {X} does not require {np}, and it {v3} {np} with {adj} {np}{tail}.",
        "The key idea is to {v} {np} by treating {np} as {adj} {np}, which {v3} {np}{tail}.",
        "We also introduce {TDEF}, which {v3} {np} and {v3} the {w} of {np}{tail}.",
        "In addition, we derive {a_adj} bound on the {w} of {np} and show that {T} "
        "{v3} {np} under mild assumptions.",
        "To {v} {np}, we build on {T} and {T}, and train {X} on {D} with {adj} {np}{tail}.",
        "Our analysis reveals that {np} is {adv} correlated with {np} across {n} {w} "
        "settings.",
    ],
    "defined": [
        "At its core, {TDEF} {v3} {np} while keeping {np} {adj}.",
        "With {TACR}, {X} {adv} {v3} {np} without additional {np}{tail}.",
    ],
    "eval": [
        "We evaluate {X} on {BS}.",
        "Extensive experiments on {BS} demonstrate that {X} {adv} {v3} {np}{tail}.",
        "We evaluate on {BS}, using {MS} as backbones.",
        "Experiments across {BS}, as well as on {DS}, show consistent gains over {T}{tail}.",
    ],
    "result": [
        "{X} outperforms {M} by {num} in {metric} on {B}, while reducing {np} by {num}.",
        "Notably, {X} achieves {num} {metric} on {B}, surpassing {MS}.",
        "Results show that {X} {adv} improves {metric} by {num} over strong baselines "
        "including {MS}.",
        "Compared with {T}, our approach {v3} {np} and achieves state-of-the-art results on "
        "{B}{tail}.",
    ],
    "code": [
        "Our code is available at {url}.",
        "Code, data and models are publicly available at {url}.",
        "We release our code and the {X} checkpoints at {url}.",
    ],
}


def write(n: int, seed: int, out: Path | None) -> int:
    """Write ``n`` records as JSON lines to ``out`` (stdout if None); returns bytes written."""
    gen = Generator(seed)
    total = 0
    f = sys.stdout if out is None else out.open("w", encoding="utf-8", newline="\n")
    try:
        batch: list[str] = []
        for rec in gen.records(n):
            batch.append(json.dumps(rec, ensure_ascii=False) + "\n")
            if len(batch) >= 5000:
                total += sum(len(b) for b in batch)
                f.writelines(batch)
                batch.clear()
        total += sum(len(b) for b in batch)
        f.writelines(batch)
    finally:
        if out is not None:
            f.close()
    return total


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of abstracts")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="output file (default: stdout)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    size = write(args.n, args.seed, args.out)
    if args.out is not None:
        print(f"{args.n} abstracts ({size / 1e6:.1f} MB) -> {args.out} in "
              f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

