"""Read any CRM export as a stream of rows: CSV in any common encoding and delimiter, .xlsx, .zip.

Nothing here touches the database. `open_table(path)` inspects the file (type, encoding,
delimiter, header) and refuses it with `ImportRefused` when it cannot be read or is over a
limit; `TableReader.scan()` walks the whole file once to enforce the per-row limits before any
work, and `TableReader.chunks()` streams rows in bounded chunks so memory stays flat however
large the file is.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

import charset_normalizer

from accounts.importing.errors import ImportRefused

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
# An .xlsx is a zip too; a real workbook has a few dozen parts, a zip bomb has thousands.
XLSX_MAX_ENTRIES = 2000
# charset-normalizer is trusted for multi-byte encodings it recognises well; among single-byte
# Western code pages its guesses on short samples are noise, and CRM exports (Salesforce's
# ISO-8859-1, Excel's "CSV" on Windows) are Windows-1252, which is a superset of Latin-1's
# printable range.
TRUSTED_MULTIBYTE = {"cp932", "shift_jis", "euc_jp", "gb2312", "gb18030", "big5", "euc_kr", "cp949"}


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_rows: int
    max_columns: int
    max_field_chars: int
    max_zip_uncompressed_bytes: int
    max_zip_entries: int

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_field_chars=settings.IMPORT_MAX_FIELD_CHARS,
            max_zip_uncompressed_bytes=settings.IMPORT_MAX_ZIP_UNCOMPRESSED_BYTES,
            max_zip_entries=settings.IMPORT_MAX_ZIP_ENTRIES,
        )


@dataclass(slots=True)
class Row:
    """One record: `line` is where it starts in the file (1-based), as a person would count."""

    line: int
    values: list[str]
    extra: list[str] = field(default_factory=list)


def _lenient_decode(error: UnicodeError) -> tuple[str, int]:
    """Decode the odd byte a mostly-UTF-8 (or Windows-1252) file holds instead of failing.

    A file that is UTF-8 for its first megabyte and has one Windows-1252 "é" later on is common
    (rows pasted in from another system); the byte is read as Windows-1252, else Latin-1.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    out = []
    for byte in bad:
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(bytes([byte]).decode("latin-1"))
    return "".join(out), error.end


codecs.register_error("abm_lenient", _lenient_decode)


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV from its first bytes: BOMs, UTF-16 without BOM, UTF-8, else 1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and sample[:4] in (
        codecs.BOM_UTF32_LE,
        codecs.BOM_UTF32_BE,
    ):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:
        # UTF-16 without a BOM: every other byte of ASCII text is NUL.
        even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
        return "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = charset_normalizer.from_bytes(sample[:65536]).best()
    if best is not None and best.encoding in TRUSTED_MULTIBYTE:
        return best.encoding
    undefined_in_1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    return "latin-1" if undefined_in_1252 & set(sample) else "cp1252"


_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})


def _looks_binary(sample: bytes) -> bool:
    """Images, PDFs and other binaries are full of control bytes; text has almost none."""
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(len(sample) // 50, 2)


def sniff_delimiter(text: str) -> str:
    """The delimiter among `, ; tab |` that splits the sample into the most consistent table."""
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [
                r
                for r in csv.reader(io.StringIO(text), delimiter=delimiter)
                if any(c.strip() for c in r)
            ][:200]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def unique_headers(raw: list[str]) -> list[str]:
    """Header names a person can tell apart: blanks named by position, duplicates numbered."""
    seen: dict[str, int] = {}
    out = []
    for index, name in enumerate(raw, start=1):
        name = (name or "").replace("\ufeff", "").strip().strip('"').strip()
        if not name:
            name = f"Column {index}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
            key = name.casefold()
        seen.setdefault(key, 1)
        out.append(name)
    return out


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


class TableReader:
    """A readable table: `headers`, then rows streamed from the file as often as needed."""

    def __init__(
        self, path: Path, *, limits: Limits, kind: str, zip_member: str | None = None
    ) -> None:
        self.path = path
        self.limits = limits
        self.kind = kind  # "csv" | "xlsx"
        self.zip_member = zip_member
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.raw_headers: list[str] = []
        self.headers: list[str] = []
        self.header_line = 0
        self._inspect()

    # -- opening -------------------------------------------------------------------------
    @contextmanager
    def _binary(self) -> Iterator[IO[bytes]]:
        with ExitStack() as stack:
            if self.zip_member is not None:
                archive = stack.enter_context(zipfile.ZipFile(self.path))
                yield stack.enter_context(archive.open(self.zip_member))
            else:
                yield stack.enter_context(open(self.path, "rb"))  # noqa: SIM115 - closed by the stack

    def _inspect(self) -> None:
        if self.kind == "xlsx":
            for line, values in self._xlsx_records():
                self.raw_headers, self.header_line = values, line
                break
        else:
            with self._binary() as raw:
                sample = raw.read(SAMPLE_BYTES)
            if not sample.strip():
                raise ImportRefused("The file is empty.")
            self.encoding = detect_encoding(sample)
            if not self.encoding.startswith("utf-16") and _looks_binary(sample):
                raise ImportRefused(
                    "This does not look like a CSV or Excel file (it holds binary data)."
                )
            text = sample.decode(self.encoding, errors="abm_lenient")
            if len(sample) == SAMPLE_BYTES and "\n" in text:
                text = text[: text.rindex("\n")]
            self.delimiter = sniff_delimiter(text)
            for line, values in self._csv_records():
                self.raw_headers, self.header_line = values, line
                break
        if not self.raw_headers:
            raise ImportRefused("The file has no header row.")
        if len(self.raw_headers) > self.limits.max_columns:
            raise ImportRefused(
                f"The file has {len(self.raw_headers):,} columns; the limit is {self.limits.max_columns:,} "
                "(IMPORT_MAX_COLUMNS)."
            )
        self.headers = unique_headers(self.raw_headers)

    # -- records -------------------------------------------------------------------------
    def _csv_records(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank records with the physical line each starts on."""
        limit = self.limits.max_field_chars
        csv.field_size_limit(max(limit, 1))
        with self._binary() as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="abm_lenient", newline="")
            reader = csv.reader(text, delimiter=self.delimiter or ",", strict=False)
            previous_end = 0
            try:
                for record in reader:
                    start, previous_end = previous_end + 1, reader.line_num
                    # any() is a C-speed test for all-empty; the join catches whitespace-only rows
                    if any(record) and "".join(record).strip():
                        yield start, record
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise ImportRefused(
                        f"Line {previous_end + 1}: a cell is longer than {limit:,} characters "
                        "(IMPORT_MAX_FIELD_CHARS). Check for an unclosed quote or remove the oversized text."
                    ) from exc
                raise ImportRefused(
                    f"Line {previous_end + 1}: the CSV cannot be parsed ({exc})."
                ) from exc

    def _xlsx_records(self) -> Iterator[tuple[int, list[str]]]:
        import openpyxl

        limit = self.limits.max_field_chars
        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise ImportRefused(
                f"The Excel file cannot be opened ({exc.__class__.__name__})."
            ) from exc
        try:
            sheet = workbook.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = [_cell_text(c) for c in cells]
                while values and values[-1] == "":
                    values.pop()
                if not any(v.strip() for v in values):
                    continue
                if any(len(v) > limit for v in values):
                    raise ImportRefused(
                        f"Row {number}: a cell is longer than {limit:,} characters (IMPORT_MAX_FIELD_CHARS)."
                    )
                yield number, values
        finally:
            workbook.close()

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        return self._xlsx_records() if self.kind == "xlsx" else self._csv_records()

    def rows(self, *, skip: int = 0) -> Iterator[Row]:
        """Data rows after the header, each fitted to the header's width; `skip` resumes."""
        width = len(self.headers)
        max_rows, max_columns = self.limits.max_rows, self.limits.max_columns
        records = self._records()
        next(records, None)  # the header
        count = 0
        for line, values in records:
            count += 1
            if count <= skip:
                continue
            if count > max_rows:
                raise ImportRefused(
                    f"The file has more than {max_rows:,} rows (IMPORT_MAX_ROWS); split it."
                )
            size = len(values)
            if size == width:
                yield Row(line, values)
            elif size < width:
                yield Row(line, values + [""] * (width - size))
            elif size > max_columns:
                raise ImportRefused(
                    f"Line {line} has {size:,} values; the limit is {max_columns:,} (IMPORT_MAX_COLUMNS)."
                )
            else:
                yield Row(line, values[:width], [v for v in values[width:] if v.strip()])

    def chunks(self, size: int, *, skip: int = 0) -> Iterator[list[Row]]:
        chunk: list[Row] = []
        for row in self.rows(skip=skip):
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def sample(self, n: int = 20) -> list[Row]:
        out = []
        for row in self.rows():
            out.append(row)
            if len(out) >= n:
                break
        return out

    def scan(self, visit: Callable[[list[str]], None] | None = None) -> int:
        """Walk the whole file once, enforcing every limit; the number of data rows.

        `visit` sees each data row's cells as read (a short row is not padded here).
        """
        max_columns = self.limits.max_columns
        count = -1  # the header is the first record
        for line, values in self._records():
            count += 1
            if len(values) > max_columns:
                raise ImportRefused(
                    f"Line {line} has {len(values):,} values; the limit is {max_columns:,} (IMPORT_MAX_COLUMNS)."
                )
            if visit is not None and count:
                visit(values)
        if count > self.limits.max_rows:
            raise ImportRefused(
                f"The file has more than {self.limits.max_rows:,} rows (IMPORT_MAX_ROWS); split it."
            )
        return max(count, 0)


def _check_zip(path: Path, limits: Limits, *, max_entries: int) -> list[zipfile.ZipInfo]:
    """The zip's directory, refused before anything is unpacked when it is over a limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportRefused("The zip file is damaged and cannot be opened.") from exc
    if len(infos) > max_entries:
        raise ImportRefused(
            f"The zip holds {len(infos):,} entries; the limit is {max_entries:,} (IMPORT_MAX_ZIP_ENTRIES)."
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_zip_uncompressed_bytes:
        raise ImportRefused(
            f"The zip would unpack to {unpacked:,} bytes; the limit is {limits.max_zip_uncompressed_bytes:,} "
            "(IMPORT_MAX_ZIP_UNCOMPRESSED_BYTES)."
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise ImportRefused("The zip is password-protected; upload it unencrypted.")
    return infos


def open_table(path: str | Path, *, limits: Limits | None = None) -> TableReader:
    """Inspect a file and return its reader, or raise `ImportRefused` with the reason."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    if not path.is_file():
        raise ImportRefused(f"File not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused("The file is empty.")
    if size > limits.max_file_bytes:
        raise ImportRefused(
            f"The file is {size:,} bytes; the limit is {limits.max_file_bytes:,} (IMPORT_MAX_FILE_BYTES)."
        )
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            "Excel 97-2003 (.xls) files are not supported; save the sheet as .xlsx or CSV."
        )
    if not magic.startswith(b"PK\x03\x04"):
        return TableReader(path, limits=limits, kind="csv")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist()) if len(archive.infolist()) <= XLSX_MAX_ENTRIES else set()
    if "xl/workbook.xml" in names:
        _check_zip(path, limits, max_entries=XLSX_MAX_ENTRIES)
        return TableReader(path, limits=limits, kind="xlsx")
    infos = _check_zip(path, limits, max_entries=limits.max_zip_entries)
    files = [
        i
        for i in infos
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not Path(i.filename).name.startswith(".")
    ]
    tables = [i for i in files if i.filename.lower().endswith(TEXT_SUFFIXES)]
    if len(tables) != 1:
        found = ", ".join(i.filename for i in files[:5]) or "nothing"
        raise ImportRefused(f"A zip must hold exactly one CSV file; this one holds {found}.")
    return TableReader(path, limits=limits, kind="csv", zip_member=tables[0].filename)
