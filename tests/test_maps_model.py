"""maps.model: a map is saved in the format asked, or a clear error says why not."""

import pytest

from ofai_graph.errors import OfaiError


def test_an_unknown_format_or_a_missing_folder_is_a_clear_error(seed_map, tmp_path):
    with pytest.raises(OfaiError, match="docx"):
        seed_map.save(tmp_path / "m.docx")
    with pytest.raises(OfaiError, match="does not exist"):
        seed_map.save(tmp_path / "nope" / "m.html")
