"""Checks on the drawn text of matplotlib figures, for the figure tests.

Independent of resdep's own label placement: every Text artist the figure draws
(titles, names, labels, tick labels, legend entries and titles) is measured by the Agg
renderer with ``get_window_extent`` and checked against the canvas and each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.text import Text
from matplotlib.transforms import Bbox


@dataclass(frozen=True)
class Box:
    text: str
    bbox: Bbox


def drawn_texts(fig: Figure) -> list[Box]:
    """Every non-empty Text the figure draws, with its box (and its frame) in pixels."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    tick_texts: set[int] = set()
    drawn: list[Text] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                tick_texts.update({id(tick.label1), id(tick.label2)})
            if ax.axison and axis.get_visible():
                # only the ticks inside the view are drawn
                for tick in axis._update_ticks():
                    drawn += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    drawn += [t for t in fig.findobj(Text) if id(t) not in tick_texts and t.get_visible()]
    out = []
    for t in drawn:
        if not t.get_text().strip():
            continue
        box = t.get_window_extent(renderer)
        patch = t.get_bbox_patch()
        if patch is not None:
            box = Bbox.union([box, patch.get_window_extent(renderer)])
        out.append(Box(t.get_text(), box))
    return out


def layout_problems(fig: Figure, tol: float = 0.5) -> list[str]:
    """Texts not wholly on the canvas, texts drawn over each other, and texts or legends
    drawn over a node (Circle) of a network."""
    boxes = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    canvas = fig.bbox
    problems = []
    for b in boxes:
        if (
            b.bbox.x0 < canvas.x0 - tol
            or b.bbox.y0 < canvas.y0 - tol
            or b.bbox.x1 > canvas.x1 + tol
            or b.bbox.y1 > canvas.y1 + tol
        ):
            problems.append(
                f"outside the figure: {b.text!r} at {b.bbox.extents} in {canvas.extents}"
            )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            inter = Bbox.intersection(a.bbox, b.bbox)
            if inter is not None and inter.width > tol and inter.height > tol:
                problems.append(f"overlap: {a.text!r} and {b.text!r}")
    nodes = [
        p.get_window_extent(renderer)
        for ax in fig.axes
        for p in ax.patches
        if isinstance(p, Circle)
    ]
    legends = [
        Box("legend", leg.get_window_extent(renderer))
        for leg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
        if leg is not None
    ]
    for n in nodes:
        for b in [*boxes, *legends]:
            inter = Bbox.intersection(n, b.bbox)
            if inter is not None and inter.width > tol and inter.height > tol:
                problems.append(f"over a node: {b.text!r}")
    return problems
