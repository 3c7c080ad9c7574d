"""maps.labelling: placed labels never overlap and stay in view."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ofai_graph.maps import text_width


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-600, 600), st.floats(-450, 450), st.text(min_size=1, max_size=40)),
        min_size=1,
        max_size=60,
    )
)
def test_placed_labels_never_overlap_and_stay_in_view(points):
    from ofai_graph.maps.labelling import LabelBox, place_labels

    pos = {f"n{i}": (x, y) for i, (x, y, _) in enumerate(points)}
    radius = {n: 6.0 for n in pos}
    labels = {}
    for i, (_, _, text) in enumerate(points):
        size = 12.0 + i % 5
        labels[f"n{i}"] = LabelBox(f"n{i}", text, size, text_width(text, size) + 6, size)
    box = (-648.0, -468.0, 648.0, 468.0)
    placed = place_labels(list(pos), pos, radius, labels, must=set(), budget=40, box=box)
    rects = []
    for n, vadjust in placed.items():
        (x, y), lab = pos[n], labels[n]
        top = y + radius[n] + lab.size / 2 + 4 + vadjust  # where vis-network draws it
        rects.append((x - lab.width / 2, top, x + lab.width / 2, top + lab.height))
    for i, a in enumerate(rects):
        assert box[0] <= a[0] and a[2] <= box[2] and box[1] <= a[1] and a[3] <= box[3]
        for b in rects[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
