#!/usr/bin/env python3
"""Writes a small PDF with a real text layer from a text file: the first line is the title, and a
line of one or two words is a heading. Used by scripts/seed-demo.sh so the demo library has a PDF
without a binary in the repository. Usage: pdf.py <input.txt> <output.pdf>"""
import sys


def escape(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def page_stream(lines):
    ops = ["BT", "72 740 Td", "16 TL"]
    for i, line in enumerate(lines):
        size = 18 if i == 0 else (13 if len(line.split()) <= 2 else 11)
        ops.append(f"/F1 {size} Tf ({escape(line)}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def build(lines):
    stream = page_stream(lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        text_lines = [line.rstrip("\n") for line in source if line.strip()]
    with open(sys.argv[2], "wb") as target:
        target.write(build(text_lines))
