"""An announcement's image is fetched within the size limit and recognised by its bytes."""

from __future__ import annotations

import pytest

from bot.services.announcements.images import ImageCheck, is_image
from tests.unit.announcements.fakes import FakeFileDownloads

LIMIT = 2 * 1024 * 1024

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\0\x10JFIF"
GIF = b"GIF89a\x01\0\x01\0"
WEBP = b"RIFF\x24\0\0\0WEBPVP8 "
HTML = b"<!doctype html><title>Aanmelden</title>"


@pytest.mark.parametrize("data", [PNG, JPEG, GIF, b"GIF87a...", WEBP])
def test_the_formats_teams_shows_are_images(data: bytes) -> None:
    assert is_image(data)


@pytest.mark.parametrize(
    "data",
    [HTML, b"", b"RIFF\x24\0\0\0WAVEfmt ", b"\x89PNG", b"%PDF-1.7", b"<svg xmlns=...>"],
)
def test_anything_else_is_not(data: bytes) -> None:
    assert not is_image(data)


async def test_an_image_within_the_limit_passes() -> None:
    downloads = FakeFileDownloads({"https://img.example/a.png": PNG})
    assert await ImageCheck(downloads, LIMIT).check("https://img.example/a.png") is None
    assert downloads.fetched == [("https://img.example/a.png", LIMIT)]


@pytest.mark.parametrize(
    ("files", "url", "problem", "values"),
    [
        ({"https://img.example/a.png": HTML}, "https://img.example/a.png", "not_image", {}),
        (
            {"https://img.example/big.png": PNG + b"\0" * LIMIT},
            "https://img.example/big.png",
            "too_large",
            {"max_mb": "2"},
        ),
        ({}, "https://img.example/gone.png", "unreachable", {}),
        ({"http://img.example/a.png": PNG}, "http://img.example/a.png", "not_allowed", {}),
        ({"https://evil.example/a.png": PNG}, "https://evil.example/a.png", "not_allowed", {}),
    ],
)
async def test_what_is_not_a_usable_image_says_why(
    files: dict[str, bytes], url: str, problem: str, values: dict[str, str]
) -> None:
    downloads = FakeFileDownloads(files, refused_hosts=("evil.example",))
    found = await ImageCheck(downloads, LIMIT).check(url)
    assert found is not None
    assert found.message_key == f"announcements.error.image_{problem}"
    assert found.values == values
