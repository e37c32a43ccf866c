"""Extraction on a real Dask LocalCluster (127.0.0.1) gives the single-process result."""

from __future__ import annotations

import pytest

from tests.conftest import SEEDS

pytest.importorskip("distributed")


def test_dask_local_cluster_matches_single_process(seeds_graph) -> None:  # type: ignore[no-untyped-def]
    import kg

    g = kg.build([SEEDS], dask="local:2")
    assert g.data.papers == seeds_graph.data.papers
    assert g.data.mentions == seeds_graph.data.mentions
    assert g.data.entities == seeds_graph.data.entities
    assert g.data.links == seeds_graph.data.links


def test_bad_dask_address_is_a_clean_error() -> None:
    from extract.dask_backend import connect
    from kg.errors import KGError

    with pytest.raises(KGError, match="local or local:N"):
        connect("local:two")
