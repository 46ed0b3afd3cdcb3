"""Reading CSV files people export from spreadsheets: the one way the app reads a CSV.

Excel in Brazil saves "CSV" as Windows-1252 with ``;`` between cells; other tools write
UTF-8 (with or without a byte-order mark) and ``,``; "Unicode text" is UTF-16 with tabs. The
encoding is found by strict decoding, never guessed: UTF-8 first (a Windows-1252 file with
accents is almost never valid UTF-8), then Windows-1252, which also reads Latin-1 text. Bytes
that neither reads, or that decode to control characters, refuse the file with a clear error
instead of storing "Jos�". The separator (``;``, ``,`` or tab) and the quoting are detected
from the first lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass

from whatsapp_saas.errors import UserError

SEPARATORS = (";", ",", "\t")
SAMPLE_LINES = 20
# Names shown to people (the codec names Python uses are not what a spreadsheet calls them).
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class CsvTable:
    rows: list[list[str]]
    encoding: str  # a key of ENCODING_LABELS ("" for text that was never bytes)
    separator: str

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def separator_label(self) -> str:
        return "tab" if self.separator == "\t" else self.separator


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file's bytes; ``UserError`` when no encoding reads them."""
    if data.startswith(codecs.BOM_UTF8):
        return _checked(data[len(codecs.BOM_UTF8) :], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(data, "utf-16"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return _checked(data, encoding), encoding
        except UserError:
            continue
    raise UserError("error.csv_encoding_unreadable")


def _checked(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UserError("error.csv_encoding_unreadable") from exc
    if any(_is_control(ch) for ch in text):
        # NUL bytes, C1 controls: a binary file, or an encoding we do not know.
        raise UserError("error.csv_encoding_unreadable")
    return text


def _is_control(ch: str) -> bool:
    return ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"


def read_csv(content: bytes | str, *, max_rows: int | None = None) -> CsvTable:
    """The rows of a CSV file (bytes as uploaded, or text as pasted), cells stripped."""
    if isinstance(content, bytes):
        text, encoding = decode(content)
    else:
        text, encoding = content, ""
    text = text.lstrip("\ufeff")
    separator = detect_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if max_rows is not None and len(rows) > max_rows:
                raise UserError("error.csv_too_many_rows", limit=max_rows)
    except csv.Error as exc:
        raise UserError("error.csv_malformed", line=reader.line_num) from exc
    return CsvTable(rows, encoding, separator)


def detect_separator(text: str) -> str:
    """``;``, ``,`` or tab: the one that splits the first lines into the same number of cells."""
    sample = "\n".join(text.splitlines()[:SAMPLE_LINES])
    if not sample.strip():
        return ","
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        pass
    # One column, or too few lines for the sniffer: the separator seen most outside quotes.
    counts = {sep: _unquoted(sample).count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _unquoted(text: str) -> str:
    parts = text.split('"')
    return "".join(parts[::2])
