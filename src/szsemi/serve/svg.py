"""A server-side SVG picture of an entity's neighbourhood, with its text alternative.

The entity sits in the middle and its linked resources (outgoing and incoming, at most
:data:`MAX_NODES`) on a circle around it; each node links to its own page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from szsemi.serve.html import e

MAX_NODES = 16
WIDTH, HEIGHT, RADIUS = 760, 520, 200


def _short(text: str, size: int = 28) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def neighbourhood(centre: str, links: Sequence[tuple[str, str, str, bool]], title: str) -> str:
    """``links``: (property label, neighbour label, neighbour href, outgoing?) for each edge."""
    shown = list(links[:MAX_NODES])
    cx, cy = WIDTH / 2, HEIGHT / 2
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="svg-title svg-desc" class="neighbourhood">'
        ),
        f'<title id="svg-title">{e(title)}</title>',
        f'<desc id="svg-desc">{e(describe(centre, shown, len(links)))}</desc>',
        (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>'
        ),
    ]
    for index, (prop, label, href, outgoing) in enumerate(shown):
        angle = 2 * math.pi * index / max(len(shown), 1) - math.pi / 2
        x, y = cx + RADIUS * 1.45 * math.cos(angle), cy + RADIUS * math.sin(angle)
        x1, y1, x2, y2 = (cx, cy, x, y) if outgoing else (x, y, cx, cy)
        # stop the line short of the node boxes so the arrow head stays visible
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        sx, sy = x1 + dx * 40 / length, y1 + dy * 22 / length
        ex, ey = x2 - dx * 40 / length, y2 - dy * 22 / length
        parts.append(
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="#777" marker-end="url(#arrow)"/>'
        )
        mx, my = (cx + x) / 2, (cy + y) / 2
        parts.append(
            f'<text x="{mx:.1f}" y="{my - 4:.1f}" class="edge" text-anchor="middle">{e(_short(prop, 24))}</text>'
        )
        parts.append(
            f'<a href="{e(href)}"><rect x="{x - 80:.1f}" y="{y - 14:.1f}" width="160" height="28" rx="6" '
            f'class="node {"out" if outgoing else "in"}"/><text x="{x:.1f}" y="{y + 5:.1f}" '
            f'text-anchor="middle" class="label">{e(_short(label, 24))}</text></a>'
        )
    parts.append(
        f'<rect x="{cx - 110:.1f}" y="{cy - 18:.1f}" width="220" height="36" rx="8" class="node centre"/>'
        f'<text x="{cx:.1f}" y="{cy + 6:.1f}" text-anchor="middle" class="label centre">{e(_short(centre, 30))}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def describe(centre: str, links: Sequence[tuple[str, str, str, bool]], total: int) -> str:
    """The picture in words (its text alternative)."""
    if not links:
        return f"{centre} has no links to other resources."
    out = [f"{prop} {label}" for prop, label, _, outgoing in links if outgoing]
    inc = [f"{label} ({prop})" for prop, label, _, outgoing in links if not outgoing]
    text = f"{centre}"
    if out:
        text += " links to: " + "; ".join(out) + "."
    if inc:
        text += " Linked from: " + "; ".join(inc) + "."
    if total > len(links):
        text += f" ({total - len(links)} more links are listed below the picture.)"
    return text
