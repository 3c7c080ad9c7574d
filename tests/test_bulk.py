import gc

import pytest

from ofai_graph.bulk import paused_gc


def test_the_collector_comes_back_after_an_error():
    with pytest.raises(ValueError), paused_gc():
        assert not gc.isenabled()
        raise ValueError("bad record")
    assert gc.isenabled()


def test_a_caller_that_disabled_the_collector_keeps_it_disabled():
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_leaves_the_collector_as_it_found_it(ws):
    ws.import_data({"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
    assert gc.isenabled()


def test_batched_keeps_every_item_once_in_order_for_lists_and_iterators():
    from ofai_graph.bulk import batched

    items = list(range(10))
    assert list(batched(items, 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert list(batched(iter(items), 4)) == list(batched(items, 4))
    assert list(batched(items, 10)) == [items]
    with pytest.raises(ValueError, match="at least one"):
        list(batched(items, 0))
