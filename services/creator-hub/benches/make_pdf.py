"""Writes a PDF of PAGES pages (argv[1]) with about 3,000 characters of prose a page, each page
opening with "Page N", to argv[2]: the 1,000-page document of the ingestion memory figure.

Plain PDF 1.4 written by hand (one Helvetica font, one content stream a page, a correct xref
table), so the benchmark needs no PDF library.
"""

import sys

WORDS = ["squat", "tempo", "protein", "recovery", "mobility", "hinge", "breathing",
         "progressive", "overload", "sleep", "hydration", "warm-up", "cadence", "deload",
         "posture", "endurance"]
LINE_CHARS = 90
PAGE_CHARS = 3000


def page_lines(n):
    """Lines of page n: a heading, then prose cut into lines of at most LINE_CHARS."""
    words, i = [], n
    while sum(len(w) + 1 for w in words) < PAGE_CHARS:
        words.extend(WORDS[(i * 7 + w * 3) % len(WORDS)] for w in range(6 + i % 11))
        words[-1] += "."
        i += 1
    lines, line = [f"Page {n}"], ""
    for word in words:
        if len(line) + len(word) + 1 > LINE_CHARS:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return lines + [line]


def content_stream(n):
    ops = ["BT", "/F1 9 Tf", "11 TL", "40 800 Td"]
    ops += [f"({line}) Tj T*" for line in page_lines(n)]
    ops.append("ET")
    return "\n".join(ops).encode()


def write_pdf(pages, out):
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for n in range(1, pages + 1):
        page_id, stream_id = 2 + 2 * n, 3 + 2 * n
        stream = content_stream(n)
        objects[stream_id] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objects[page_id] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                            % stream_id)
        kids.append(b"%d 0 R" % page_id)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    body, offsets = bytearray(b"%PDF-1.4\n"), {}
    for oid in sorted(objects):
        offsets[oid] = len(body)
        body += b"%d 0 obj\n%s\nendobj\n" % (oid, objects[oid])
    xref = len(body)
    size = max(objects) + 1
    body += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for oid in range(1, size):
        body += b"%010d 00000 n \n" % offsets[oid] if oid in offsets else b"0000000000 65535 f \n"
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    with open(out, "wb") as f:
        f.write(body)


if __name__ == "__main__":
    write_pdf(int(sys.argv[1]), sys.argv[2])
