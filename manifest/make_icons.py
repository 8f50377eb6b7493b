"""Draw the Teams app icons: `color.png` (192x192) and `outline.png` (32x32, white on transparent).

The mark is an envelope whose flap is a "W": post and workplace in one shape. Run
`.venv/bin/python manifest/make_icons.py` after changing it and commit both PNGs; the package
build only copies them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

HERE = Path(__file__).resolve().parent
DEEP_BLUE = (27, 63, 122)  # the manifest's accentColor, #1B3F7A
WHITE = (255, 255, 255)
# Draw large, then scale down: Pillow does not anti-alias lines, resampling does.
SUPERSAMPLE = 4

# The mark in a unit square: the envelope body and its W-shaped flap.
_ENVELOPE = (0.0, 0.18, 1.0, 0.82)
_FLAP = [(0.0, 0.18), (0.25, 0.64), (0.5, 0.34), (0.75, 0.64), (1.0, 0.18)]


def _draw_mark(mask: Image.Image, origin: float, size: float, stroke: float) -> None:
    """The envelope with its W flap, inset so the stroke stays inside the given box."""
    inset = stroke / 2
    span = size - stroke

    def at(x: float, y: float) -> tuple[float, float]:
        return (origin + inset + x * span, origin + inset + y * span)

    left, top = at(_ENVELOPE[0], _ENVELOPE[1])
    right, bottom = at(_ENVELOPE[2], _ENVELOPE[3])
    width = round(stroke)
    box = (left, top, right, bottom)
    # The flap's square line ends would poke out at the corners: keep it inside the envelope.
    flap = Image.new("L", mask.size, 0)
    ImageDraw.Draw(flap).line([at(x, y) for x, y in _FLAP], fill=255, width=width, joint="curve")
    body = Image.new("L", mask.size, 0)
    ImageDraw.Draw(body).rounded_rectangle(box, radius=stroke, fill=255)
    mask.paste(255, (0, 0), ImageChops.multiply(flap, body))
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=stroke, outline=255, width=width)


def _mask(pixels: int, *, margin: float, stroke: float) -> Image.Image:
    """The mark as an 8-bit coverage mask of `pixels` x `pixels`."""
    big = pixels * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    scale = SUPERSAMPLE
    _draw_mark(mask, margin * scale, big - 2 * margin * scale, stroke * scale)
    return mask.resize((pixels, pixels), Image.Resampling.LANCZOS)


def color_icon() -> Image.Image:
    """192x192: a deep-blue rounded square with the white mark in Teams' central safe area."""
    size = 192
    big = size * SUPERSAMPLE
    tile = Image.new("L", (big, big), 0)
    ImageDraw.Draw(tile).rounded_rectangle(
        (0, 0, big - 1, big - 1), radius=40 * SUPERSAMPLE, fill=255
    )
    tile = tile.resize((size, size), Image.Resampling.LANCZOS)
    icon = Image.new("RGBA", (size, size), (*DEEP_BLUE, 0))
    icon.putalpha(tile)
    white = Image.new("RGBA", (size, size), (*WHITE, 255))
    icon.paste(white, (0, 0), _mask(size, margin=44, stroke=10))
    return icon


def outline_icon() -> Image.Image:
    """32x32: the mark in pure white; only the alpha channel varies (Teams tints it)."""
    size = 32
    icon = Image.new("RGBA", (size, size), (*WHITE, 0))
    icon.putalpha(_mask(size, margin=1, stroke=2.5))
    return icon


def main() -> None:
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
