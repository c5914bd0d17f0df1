"""What a file holds, found before anything reads it whole.

The first bytes say what a file is, whatever its name: a ZIP (.xlsx, .xlsm,
.xlsb, .ods, or a Word document, or any archive), an OLE compound file (.xls,
an encrypted OOXML workbook, a Word .doc, a WPS .et), a web page or Excel 2003
XML saved as .xls, a PDF, or text (a CSV). ``identify`` names it.

calamine reads a workbook whole and lays each sheet out as a dense grid from
its first to its last cell, so two cells far apart in a tiny hostile file ask
it for billions of cells; and a ZIP member may unpack to gigabytes. So before
calamine sees a workbook, ``Workbook.scan`` walks the sheet's own records
(the XML of an .xlsx or .ods, the BIFF records of an .xls, the binary records
of an .xlsb) to find how far its cells reach, and which rows are hidden, and
the ZIP's declared sizes are bounded (calamine refuses a member larger than
it declares). What a scan refuses is a ``UserError`` naming the file.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from branchtool.errors import UserError

# What a damaged or hostile archive raises while it is read: zipfile's own
# errors, zlib's for a broken deflate stream, a short read, a member named but
# absent, a compression method zipfile lacks.
_BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
           KeyError, NotImplementedError, RuntimeError)

MAX_FILE_BYTES = 64 << 20  # a 30,000-row roster is 2–6 MB in any format
MAX_UNZIPPED = 200 << 20  # all members of a ZIP workbook, as declared
MAX_MEMBERS = 10_000
MAX_CELLS = 2_000_000  # rows × columns of one sheet, as calamine lays it out
MAX_XML_PART = 16 << 20  # workbook.xml, its relationships, an .xlsb's workbook.bin
_CHUNK = 1 << 20

# What a file can be.
XLSX, XLSB, ODS, XLS, TEXT = "xlsx", "xlsb", "ods", "xls", "text"
WORKBOOKS = (XLSX, XLSB, ODS, XLS)


@dataclass
class SheetScan:
    """How far a sheet's cells reach (``rows`` × ``columns`` from A1, what
    calamine will lay out) and its hidden rows (0-based)."""

    rows: int = 0
    columns: int = 0
    hidden: set[int] = field(default_factory=set)

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def refuse(key: str, name: str, **params: object) -> UserError:
    return UserError(key, name=name, **params)


# -- what a file is ------------------------------------------------------------------------
_MAGIC = (
    (b"%PDF", "table.is_pdf"),
    (b"{\\rtf", "table.is_rtf"),
    (b"\x89PNG", "table.is_image"), (b"\xff\xd8\xff", "table.is_image"),
    (b"GIF8", "table.is_image"), (b"BM", None),
    (b"Rar!", "table.is_archive"), (b"7z\xbc\xaf\x27\x1c", "table.is_archive"),
    (b"\x1f\x8b", "table.is_archive"),
)
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|table|head|body|meta)\b",
                   re.IGNORECASE | re.DOTALL)
_SPREADSHEET_ML = re.compile(rb"urn:schemas-microsoft-com:office:spreadsheet")


def identify(data: bytes, name: str, suffix: str) -> str:
    """What ``data`` is: one of ``WORKBOOKS`` or ``TEXT``; anything else is
    refused with a sentence naming what it is."""
    if not data:
        raise refuse("table.is_empty", name)
    if data.startswith(_ZIP):
        return _zip_kind(data, name)
    if data.startswith(_CFB):
        return _cfb_kind(data, name, suffix)
    for magic, key in _MAGIC:
        if data.startswith(magic) and key:
            raise refuse(key, name)
    head = _text_head(data)
    if _HTML.match(head):
        raise refuse("table.is_html", name)
    if head.lstrip().startswith(b"<?xml"):
        if _SPREADSHEET_ML.search(data[:4096].replace(b"\x00", b"")):
            raise refuse("table.is_xml2003", name)
        raise refuse("table.is_xml", name)
    if suffix == ".et":
        raise refuse("table.is_et", name)
    if not _looks_like_text(data):
        raise refuse("table.unknown_type", name)
    return TEXT


def _text_head(data: bytes) -> bytes:
    """The first bytes as ASCII-ish text (UTF-16's zero bytes and BOMs dropped)."""
    head = data[:1024]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    return head.replace(b"\x00", b"")


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when ``data`` looks like UTF-16 text without a
    BOM (Chinese or ASCII: one byte of most pairs is zero, or the text is CJK),
    else ``None``."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    pairs = len(even)
    if odd.count(0) > pairs * 0.3 and even.count(0) < pairs * 0.05:
        return "utf-16-le"
    if even.count(0) > pairs * 0.3 and odd.count(0) < pairs * 0.05:
        return "utf-16-be"
    return None


def _looks_like_text(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if utf16_without_bom(data):
        return True
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12, 26))
    return controls <= len(sample) // 100


def _zip_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            mimetype = b""
            if "mimetype" in names and z.getinfo("mimetype").file_size < 200:
                mimetype = z.read("mimetype").strip()
    except (*_BROKEN, ValueError):
        raise refuse("table.bad_xlsx", name) from None
    if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
        kind = ODS
    elif mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise refuse("table.is_odf_other", name)
    elif "xl/workbook.xml" in names:
        kind = XLSX
    elif "xl/workbook.bin" in names:
        kind = XLSB
    elif "word/document.xml" in names:
        raise refuse("table.is_docx", name)
    elif "ppt/presentation.xml" in names:
        raise refuse("table.is_pptx", name)
    else:
        raise refuse("table.is_zip", name)
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise refuse("table.bomb", name, mb=MAX_UNZIPPED >> 20)
    return kind


def _cfb_kind(data: bytes, name: str, suffix: str) -> str:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True)}
    except Exception:  # olefile is not written for hostile files either
        raise refuse("table.et_or_damaged" if suffix == ".et" else "table.bad_xls",
                     name) from None
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        raise refuse("table.is_encrypted", name)
    if "workbook" in streams or "book" in streams:
        return XLS
    if "worddocument" in streams:
        raise refuse("table.is_doc", name)
    if "powerpoint document" in streams:
        raise refuse("table.is_ppt", name)
    if suffix == ".et":
        raise refuse("table.is_et", name)
    raise refuse("table.is_other_office", name)


# -- workbooks --------------------------------------------------------------------------------
class Workbook:
    """A workbook's sheets (in order) and, on demand, each sheet's scan."""

    def __init__(self, kind: str, data: bytes, name: str) -> None:
        self.kind, self.data, self.name = kind, data, name
        self.parts: dict[str, str] = {}  # sheet name -> ZIP member (xlsx, xlsb)
        self.scans: dict[str, SheetScan] = {}
        if kind == XLS:
            self.scans = _scan_xls(data, name)
        elif kind in (XLSX, XLSB):
            self.parts = _ooxml_parts(data, name, kind)
        elif kind == ODS:
            self.scans = _scan_ods(data, name)

    def scan(self, sheet: str) -> SheetScan:
        """The sheet's reach and hidden rows; refuses a sheet calamine would
        lay out over ``MAX_CELLS``."""
        if sheet not in self.scans:
            part = self.parts.get(sheet)
            if part is None:
                self.scans[sheet] = SheetScan()
            else:
                reader = _scan_xlsx_sheet if self.kind == XLSX else _scan_xlsb_sheet
                self.scans[sheet] = reader(self.data, part, self.name)
        found = self.scans[sheet]
        if found.cells > MAX_CELLS:
            raise refuse("table.too_many_cells", self.name, sheet=sheet, rows=found.rows,
                         columns=found.columns, limit=MAX_CELLS)
        return found

    def check_all(self) -> None:
        """calamine reads every sheet of an .xls when it opens it."""
        for sheet in self.scans:
            self.scan(sheet)


def _member_chunks(z: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    with z.open(member) as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _small_member(z: zipfile.ZipFile, member: str) -> bytes:
    info = z.getinfo(member)
    if info.file_size > MAX_XML_PART:
        raise zipfile.BadZipFile(member)
    return z.read(info)


_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _ooxml_parts(data: bytes, name: str, kind: str) -> dict[str, str]:
    """Sheet name -> the ZIP member holding it (via the workbook's relationships)."""
    bad = "table.bad_xlsx"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            rels_name = f"xl/_rels/workbook.{'xml' if kind == XLSX else 'bin'}.rels"
            targets = {}
            if rels_name in z.namelist():
                for rel in ElementTree.fromstring(_small_member(z, rels_name)).iter(
                        f"{_REL_NS}Relationship"):
                    target = rel.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    targets[rel.get("Id", "")] = target
            if kind == XLSX:
                root = ElementTree.fromstring(_small_member(z, "xl/workbook.xml"))
                sheets = [(s.get("name", ""), s.get(_R_ID, "")) for s in root.iter()
                          if s.tag.endswith("}sheet") or s.tag == "sheet"]
            else:
                sheets = list(_xlsb_sheets(_small_member(z, "xl/workbook.bin")))
    except (*_BROKEN, ElementTree.ParseError, ValueError, struct.error, UnicodeDecodeError):
        raise refuse(bad, name) from None
    return {sheet: targets[rid] for sheet, rid in sheets if rid in targets}


def _attribute(name: bytes, value: bytes | None = None) -> re.Pattern[bytes]:
    """An XML attribute ``name="value"`` inside a tag's text (any spaces around
    ``=``): ``name`` is literal text without pattern characters, ``value`` a
    pattern (its group, if any, is what a match gives); without one, the
    attribute whatever its value."""
    pattern = rb"\b" + name + rb"\s*="
    return re.compile(pattern if value is None else pattern + rb'\s*"' + value + rb'"')


# .xlsx: <row r="5" hidden="1"> and <c r="B5" ...>value</c>; an empty cell is <c .../>.
_XML_ROW = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*)>")
_XML_CELL_REF = re.compile(
    rb'<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*"([A-Z]{1,3})(\d{1,7})"[^>]*?(?<!/)>')
_XML_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?:\s[^>]*?)?(?<!/)>")
_ATTR_R = _attribute(b"r", rb"(\d{1,7})")
_ATTR_HIDDEN = _attribute(b"hidden", rb"(?:1|true)")


# What Excel, WPS, LibreOffice and openpyxl write: r first, no prefix, no "/"
# in a value; a self-closing cell is empty.
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>/]*(/?)>')
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s>/]")


def _cell_refs(text: bytes) -> list[tuple[bytes, bytes]] | None:
    """The references of the cells with a value, when every cell is written
    the plain way (the fast path); else ``None``."""
    found = _PLAIN_CELL.findall(text)
    if len(found) != text.count(b"<c ") + text.count(b"<c>") or _PREFIXED_CELL.search(text):
        return None
    return [(col, row) for col, row, empty in found if not empty]


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _tag_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The stream cut before its last ``<`` so that no tag is split."""
    rest = b""
    for chunk in chunks:
        buf = rest + chunk
        cut = buf.rfind(b"<")
        if cut <= 0:
            rest = buf
            continue
        yield buf[:cut]
        rest = buf[cut:]
    if rest:
        yield rest


def _scan_xlsx_sheet(data: bytes, part: str, name: str) -> SheetScan:
    scan = SheetScan()
    row = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for text in _tag_chunks(_member_chunks(z, part)):
                for attrs in _XML_ROW.findall(text):
                    found = _ATTR_R.search(attrs)
                    row = int(found.group(1)) if found else row + 1
                    if _ATTR_HIDDEN.search(attrs):
                        scan.hidden.add(row - 1)
                refs = _cell_refs(text)
                if refs is None:
                    refs = _XML_CELL_REF.findall(text)
                    cells = len(_XML_CELL.findall(text))
                    if len(refs) != cells:  # cells without a reference sit one after another
                        scan.columns = max(scan.columns, cells)
                        scan.rows = max(scan.rows, row)
                if refs:
                    columns, rows = zip(*refs, strict=True)
                    scan.rows = max(scan.rows, max(map(int, rows)))
                    letters = max(set(columns), key=lambda c: (len(c), c))
                    scan.columns = max(scan.columns, _column_number(letters))
    except _BROKEN:
        raise refuse("table.bad_xlsx", name) from None
    return scan


# .ods: content.xml's <table:table table:name>, rows (repeated, collapsed or
# filtered) and cells (repeated); a self-closing cell without a value is empty.
_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_ODS_NAME = _attribute(b"table:name", rb'([^"]*)')
_ODS_ROWS = _attribute(b"table:number-rows-repeated", rb"(\d{1,9})")
_ODS_COLS = _attribute(b"table:number-columns-repeated", rb"(\d{1,9})")
_ODS_HIDDEN = _attribute(b"table:visibility", rb"(?:collapse|filter)")
_ODS_VALUE = _attribute(b"office:value-type")


def _scan_ods(data: bytes, name: str) -> dict[str, SheetScan]:
    from xml.sax.saxutils import unescape

    scans: dict[str, SheetScan] = {}
    scan = SheetScan()
    hidden: list[tuple[int, int]] = []
    row = col = row_repeat = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for text in _tag_chunks(_member_chunks(z, "content.xml")):
                for closing, tag, attrs, empty in _ODS_TAG.findall(text):
                    if tag == b"table":
                        if closing:
                            scan.hidden = {r for a, b in hidden for r in range(a, b)
                                           if r < scan.rows}
                        else:
                            found = _ODS_NAME.search(attrs)
                            sheet = unescape(found.group(1).decode("utf-8", "replace"),
                                             {"&quot;": '"', "&apos;": "'"}) if found else ""
                            scan, hidden, row = SheetScan(), [], 0
                            scans.setdefault(sheet, scan)
                    elif tag == b"table-row":
                        if closing:
                            row += row_repeat
                            continue
                        found = _ODS_ROWS.search(attrs)
                        row_repeat = int(found.group(1)) if found else 1
                        if _ODS_HIDDEN.search(attrs):
                            hidden.append((row, row + row_repeat))
                        col = 0
                        if empty:
                            row += row_repeat
                    elif not closing:
                        found = _ODS_COLS.search(attrs)
                        repeat = int(found.group(1)) if found else 1
                        if not empty or _ODS_VALUE.search(attrs):
                            scan.columns = max(scan.columns, col + repeat)
                            scan.rows = max(scan.rows, row + row_repeat)
                        col += repeat
    except _BROKEN:
        raise refuse("table.bad_ods", name) from None
    return scans


# .xls (BIFF8, and BIFF5's "Book"): records of type, length, data.
_XLS_CELLS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}


def _records(stream: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4: pos + 4 + size]
        pos += 4 + size


def _scan_xls(data: bytes, name: str) -> dict[str, SheetScan]:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            entry = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(entry).read()
    except Exception:
        raise refuse("table.bad_xls", name) from None
    sheets: list[tuple[str, int]] = []
    for kind, record in _records(stream, 0):
        if kind == 0x002F and record[:2] != b"\x00\x00":  # FilePass
            raise refuse("table.is_encrypted", name)
        if kind == 0x0085 and len(record) >= 8:  # BoundSheet8
            sheets.append((_xls_sheet_name(record[6:]), struct.unpack_from("<I", record)[0]))
        if kind == 0x000A:
            break
    return {sheet: _scan_xls_sheet(stream, pos) for sheet, pos in sheets}


def _xls_sheet_name(raw: bytes) -> str:
    if not raw:
        return ""
    count = raw[0]
    if len(raw) >= 2 and raw[1] in (0, 1) and len(raw) in (2 + count, 2 + 2 * count):
        return (raw[2:2 + 2 * count].decode("utf-16-le", "replace") if raw[1]
                else raw[2:2 + count].decode("latin-1"))
    return raw[1:1 + count].decode("latin-1")


def _scan_xls_sheet(stream: bytes, pos: int) -> SheetScan:
    scan = SheetScan()
    depth = 0
    seen_bof = False
    for kind, record in _records(stream, pos):
        if depth:
            depth += {0x0809: 1, 0x000A: -1}.get(kind, 0)
            continue
        if kind == 0x0809:
            if seen_bof:
                depth = 1
            seen_bof = True
        elif kind == 0x000A:
            break
        elif kind == 0x0200 and len(record) in (10, 14):  # Dimensions: what calamine reserves
            if len(record) == 10:
                first, last, cfirst, clast = struct.unpack_from("<HHHH", record)
            else:
                first, last, cfirst, clast = struct.unpack_from("<IIHH", record)
            if cfirst > 0xFF or clast < cfirst:
                cfirst = 0
            if last >= 1 and clast >= 1:
                rows, cols = max(last - first, 0), max(clast - cfirst, 0)
                scan.rows, scan.columns = max(scan.rows, rows), max(scan.columns, cols)
        elif kind == 0x0208 and len(record) >= 14:  # Row: fDyZero is a hidden row
            if struct.unpack_from("<H", record, 12)[0] & 0x20:
                scan.hidden.add(struct.unpack_from("<H", record)[0])
        elif kind in _XLS_CELLS and len(record) >= 4:
            row, col = struct.unpack_from("<HH", record)
            scan.rows, scan.columns = max(scan.rows, row + 1), max(scan.columns, col + 1)
        elif kind == 0x00BD and len(record) >= 6:  # MulRk
            row, col = struct.unpack_from("<HH", record)
            scan.rows = max(scan.rows, row + 1)
            scan.columns = max(scan.columns, col + (len(record) - 6) // 6)
    return scan


# .xlsb: records with a variable-length type and size.
def _xlsb_number(buf: bytes, pos: int, most: int) -> tuple[int, int]:
    """A record's type or size at ``pos`` (7 bits a byte, the low first, at
    most ``most`` bytes) and the position after it; ``-1`` for the position
    when ``buf`` ends first (or ``pos`` is already ``-1``)."""
    if pos < 0:
        return 0, -1
    value = 0
    for shift in range(0, 7 * most, 7):
        if pos >= len(buf):
            return 0, -1
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    return value, pos


def _xlsb_records(stream: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    buf = b""
    pos = 0
    for chunk in stream:
        buf = buf[pos:] + chunk
        pos = 0
        while True:
            kind, at = _xlsb_number(buf, pos, 2)
            size, at = _xlsb_number(buf, at, 4)
            if at < 0 or at + size > len(buf):
                break  # the record goes on in the next chunk
            yield kind, buf[at:at + size]
            pos = at + size


def _xlsb_sheets(workbook: bytes) -> Iterator[tuple[str, str]]:
    for kind, record in _xlsb_records(iter([workbook])):
        if kind == 0x9C and len(record) >= 12:  # BrtBundleSh: state, tab id, rel id, name
            at = 8
            rid, at = _wide(record, at)
            sheet, _ = _wide(record, at)
            yield sheet, rid


def _wide(record: bytes, at: int) -> tuple[str, int]:
    count = struct.unpack_from("<I", record, at)[0]
    at += 4
    if count == 0xFFFFFFFF:
        return "", at
    return record[at:at + 2 * count].decode("utf-16-le", "replace"), at + 2 * count


def _scan_xlsb_sheet(data: bytes, part: str, name: str) -> SheetScan:
    scan = SheetScan()
    row = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for kind, record in _xlsb_records(_member_chunks(z, part)):
                if kind == 0x0000 and len(record) >= 12:  # BrtRowHdr
                    row = struct.unpack_from("<I", record)[0]
                    if record[11] & 0x10:  # fDyZero: a hidden row
                        scan.hidden.add(row)
                elif 0x02 <= kind <= 0x0B and len(record) >= 4:  # a cell with a value
                    col = struct.unpack_from("<I", record)[0]
                    scan.rows = max(scan.rows, row + 1)
                    scan.columns = max(scan.columns, col + 1)
    except (*_BROKEN, struct.error):
        raise refuse("table.bad_xlsx", name) from None
    return scan
