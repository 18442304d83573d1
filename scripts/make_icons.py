"""Rasterise static/icons/icon.svg (DKFDS's 'groups' icon, Apache-2.0, on the primary colour) into the
favicon and app icons with the same Chromium the browser tests use. Run by hand when the icon changes:
    .venv/bin/python scripts/make_icons.py
"""
from __future__ import annotations

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
SIZES = {"favicon-32.png": 32, "favicon-16.png": 16, "apple-touch-icon.png": 180, "icon-192.png": 192, "icon-512.png": 512}


def ico(pngs: list[tuple[int, bytes]]) -> bytes:
    """An ICO file holding PNG images (allowed since Windows Vista, read by every browser)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, data = b"", b""
    for size, png in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


def main() -> None:
    svg = (ICONS / "icon.svg").read_text()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        for name, size in SIZES.items():
            page.set_viewport_size({"width": size, "height": size})
            page.set_content(f"<html><body style='margin:0;background:transparent'>"
                             f"{svg.replace('<svg ', f'<svg width={size} height={size} ', 1)}</body></html>")
            (ICONS / name).write_bytes(page.screenshot(omit_background=True))
        browser.close()
    (ICONS / "favicon.ico").write_bytes(ico([(16, (ICONS / "favicon-16.png").read_bytes()),
                                             (32, (ICONS / "favicon-32.png").read_bytes())]))


if __name__ == "__main__":
    main()
