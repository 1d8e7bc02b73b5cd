"""The seal image (电子签章印章) shown on an archive beside its signature: a red ring, a star, the
signing organisation's name along the upper arc and 电子归档签章 below the star.

It is a picture for people reading the page; the proof is the PDF's digital signature, which this
does not touch. Drawn with Pillow (already installed with WeasyPrint) in a CJK font found by
fontconfig, and handed to the template as a ``data:`` PNG, the one kind of resource the renderer
accepts. Without such a font there is no image (the page still carries the unit and the date).
"""
from __future__ import annotations

import base64
import functools
import io
import math
import subprocess

from PIL import Image, ImageDraw, ImageFont

SIZE = 600  # pixels; printed at 4.2 cm, about 360 dpi
RED = (200, 16, 16, 235)
BELOW = "电子归档签章"


@functools.lru_cache(maxsize=1)
def _font_path() -> str | None:
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", "Noto Serif CJK SC:bold"], capture_output=True,
                               text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if "CJK" in found or found.lower().endswith((".ttc", ".otf")) else None


def _star(draw, cx: float, cy: float, outer: float) -> None:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=RED)


def _glyph(char: str, font) -> Image.Image:
    box = font.getbbox(char)
    width, height = box[2] - box[0], box[3] - box[1]
    side = int(max(width, height) * 1.3) + 4
    tile = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text(((side - width) / 2 - box[0], (side - height) / 2 - box[1]), char, font=font, fill=RED)
    return tile


def seal_png(name: str) -> bytes | None:
    """The seal of ``name`` as PNG bytes with a transparent background, or None without a CJK font."""
    path = _font_path()
    name = "".join(name.split())[:24]
    if path is None or not name:
        return None
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre, ring = SIZE / 2, SIZE * 0.035
    draw.ellipse((ring / 2, ring / 2, SIZE - ring / 2, SIZE - ring / 2), outline=RED, width=int(ring))
    _star(draw, centre, centre, SIZE * 0.15)
    # The name along the upper arc, its letters' feet towards the centre; longer names close up.
    size = int(SIZE * (0.13 if len(name) <= 10 else 0.115 if len(name) <= 13 else 0.10 if len(name) <= 16 else 0.085))
    font = ImageFont.truetype(path, size)
    span = min(260.0, 22.0 * len(name) + 10)  # degrees of arc the name covers
    radius = SIZE / 2 - ring - size * 0.75
    for i, char in enumerate(name):
        angle = -90 - span / 2 + (span * (i + 0.5) / len(name))
        tile = _glyph(char, font).rotate(-(angle + 90), resample=Image.BICUBIC, expand=True)
        x = centre + radius * math.cos(math.radians(angle)) - tile.width / 2
        y = centre + radius * math.sin(math.radians(angle)) - tile.height / 2
        image.alpha_composite(tile, (int(x), int(y)))
    below = ImageFont.truetype(path, int(SIZE * 0.075))
    box = draw.textbbox((0, 0), BELOW, font=below)
    draw.text((centre - (box[2] - box[0]) / 2 - box[0], centre + SIZE * 0.2), BELOW, font=below, fill=RED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@functools.lru_cache(maxsize=16)
def seal_data_uri(name: str) -> str:
    """The seal as a ``data:image/png;base64,…`` address for the template, or "" without a font;
    drawn once per name and process (every archive of an installation carries the same seal)."""
    png = seal_png(name)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else ""
