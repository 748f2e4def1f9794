"""Draws ``dudao.ico``, the programs' icon on Windows: the character 督 on a blue square.

Run once by hand when the icon should change (``QT_QPA_PLATFORM=offscreen .venv/bin/python
packaging/make_icon.py``); the .ico is committed, so a build needs neither Qt's painting nor a
converter. An .ico holding PNG images (one per size) is what Windows Vista and later read.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

SIZES = (16, 24, 32, 48, 64, 128, 256)
HERE = Path(__file__).resolve().parent


def picture(size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#1f5fa8"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(0, 0, size, size), size * 0.18, size * 0.18)
    font = QFont("Noto Sans CJK SC")
    font.setPixelSize(max(int(size * 0.72), 8))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "督")
    p.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data)


def ico(pngs: list[tuple[int, bytes]]) -> bytes:
    head = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in pngs:
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return head + entries + blobs


if __name__ == "__main__":
    app = QGuiApplication(sys.argv)
    (HERE / "dudao.ico").write_bytes(ico([(s, picture(s)) for s in SIZES]))
    print(HERE / "dudao.ico")
