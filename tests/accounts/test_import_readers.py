"""Reading awkward real-world exports: encodings, delimiters, quoting, shapes, xlsx, zip, limits."""

import codecs
import dataclasses
import zipfile

import openpyxl
import pytest

from accounts.importing.errors import ImportRefused
from accounts.importing.readers import Limits, open_table

LIMITS = Limits(
    max_file_bytes=10_000_000,
    max_rows=1000,
    max_columns=50,
    max_field_chars=32_768,
    max_zip_uncompressed_bytes=5_000_000,
    max_zip_entries=5,
)
SF_TEXT = "Id,Name,BillingCity,BillingCountry\n001A,Müller & Söhne GmbH,Köln,Deutschland\n001B,Crème Brûlée SARL,Orléans,France\n"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path, limits=LIMITS):
    table = open_table(path, limits=limits)
    return table, list(table.rows())


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", SF_TEXT.encode("utf-8")),
        ("utf-8 with BOM", codecs.BOM_UTF8 + SF_TEXT.encode("utf-8")),
        (
            "utf-16 LE with BOM (Excel Unicode text)",
            codecs.BOM_UTF16_LE + SF_TEXT.encode("utf-16-le"),
        ),
        ("utf-16 BE with BOM", codecs.BOM_UTF16_BE + SF_TEXT.encode("utf-16-be")),
        ("windows-1252", SF_TEXT.encode("cp1252")),
        ("latin-1 (Salesforce ISO-8859-1)", SF_TEXT.encode("latin-1")),
    ],
)
def test_every_common_encoding_decodes_to_the_same_text(tmp_path, label, data):
    # given a Salesforce export saved in this encoding
    path = write(tmp_path, "accounts.csv", data)
    # when it is read
    table, rows = read_all(path)
    # then the headers and accented names come out intact
    assert table.headers == ["Id", "Name", "BillingCity", "BillingCountry"], label
    assert rows[0].values == ["001A", "Müller & Söhne GmbH", "Köln", "Deutschland"]
    assert rows[1].values[1:3] == ["Crème Brûlée SARL", "Orléans"]


def test_windows_1252_only_characters_such_as_the_euro_sign_decode(tmp_path):
    path = write(
        tmp_path,
        "opps.csv",
        "Name,Amount\nDeal “Q3”,1.200.000,00 €\n".encode("cp1252").replace(b",00", b";00"),
    )
    table, rows = read_all(path)
    assert "€" in "".join(rows[0].values)
    assert "“Q3”" in rows[0].values[0]


def test_a_stray_windows_1252_byte_late_in_a_utf8_file_does_not_break_reading(tmp_path):
    body = "Name,City\n" + "Acme,Berlin\n" * 30_000
    path = write(tmp_path, "mixed.csv", body.encode("utf-8") + "Café Olé,Zürich\n".encode("cp1252"))
    table, rows = read_all(path, dataclasses.replace(LIMITS, max_rows=100_000))
    assert rows[-1].values == ["Café Olé", "Zürich"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(tmp_path, delimiter):
    text = delimiter.join(["Email", "First Name", "Amount"]) + "\n"
    text += (
        delimiter.join(["ada@acme.com", "Ada", "1,200.50" if delimiter != "," else '"1,200.50"'])
        + "\n"
    )
    path = write(tmp_path, "people.csv", text.encode())
    table, rows = read_all(path)
    assert table.delimiter == delimiter
    assert rows[0].values == ["ada@acme.com", "Ada", "1,200.50"]


def test_quoted_fields_keep_embedded_newlines_quotes_and_delimiters_and_lines_are_counted(tmp_path):
    text = (
        'Id,Name,Description\n1,"Acme, Inc.","Line one\nline two with ""quotes"""\n2,Globex,plain\n'
    )
    path = write(tmp_path, "q.csv", text.encode())
    table, rows = read_all(path)
    assert rows[0].values == ["1", "Acme, Inc.", 'Line one\nline two with "quotes"']
    # the second record starts on physical line 4 because the first spans lines 2-3
    assert [r.line for r in rows] == [2, 4]


def test_ragged_rows_are_padded_and_overlong_rows_keep_their_extra_values(tmp_path):
    path = write(tmp_path, "ragged.csv", b"A,B,C\n1,2\n1,2,3,,\n1,2,3,4\n")
    table, rows = read_all(path)
    assert rows[0].values == ["1", "2", ""]
    assert rows[0].extra == []
    assert rows[1].values == ["1", "2", "3"]
    assert rows[1].extra == []
    assert rows[2].extra == ["4"]


def test_blank_and_duplicate_headers_get_distinct_names(tmp_path):
    path = write(tmp_path, "h.csv", b"Email,,Email, Name \nada@x.com,1,ada2@x.com,Ada\n")
    table, rows = read_all(path)
    assert table.headers == ["Email", "Column 2", "Email (2)", "Name"]


def test_blank_lines_are_skipped_but_line_numbers_stay_true(tmp_path):
    path = write(tmp_path, "b.csv", b"\nName\n\nAcme\n,\n\nGlobex\n")
    table, rows = read_all(path)
    assert [(r.line, r.values) for r in rows] == [(4, ["Acme"]), (7, ["Globex"])]
    assert table.header_line == 2


def test_an_xlsx_sheet_is_read_with_typed_cells_as_text(tmp_path):
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Id", "Name", "Amount", "CloseDate", "IsWon"])
    sheet.append(["006A", "Renewal", 1200000, dt.datetime(2024, 3, 5), True])
    sheet.append([None, None, None, None, None])
    sheet.append(["006B", "Upsell", 99.5, dt.datetime(2024, 3, 5, 14, 22), False])
    path = tmp_path / "opps.xlsx"
    workbook.save(path)
    table, rows = read_all(path)
    assert table.kind == "xlsx"
    assert rows[0].values == ["006A", "Renewal", "1200000", "2024-03-05", "true"]
    assert rows[1].line == 4
    assert rows[1].values[2:4] == ["99.5", "2024-03-05T14:22:00"]


def test_a_zip_holding_one_csv_is_read(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Account.csv", SF_TEXT.encode("latin-1"))
        archive.writestr("__MACOSX/._Account.csv", b"junk")
    table, rows = read_all(path)
    assert rows[0].values[1] == "Müller & Söhne GmbH"


def test_a_zip_with_two_csvs_is_refused(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Account.csv", b"Id\n1\n")
        archive.writestr("Contact.csv", b"Id\n1\n")
    with pytest.raises(ImportRefused, match="exactly one CSV"):
        open_table(path, limits=LIMITS)


def test_a_zip_bomb_is_refused_from_its_directory_before_unpacking(tmp_path):
    # given a zip whose single CSV unpacks to far more than the limit (compresses to a few KB)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.csv", b"Name\n" + b"a" * 6_000_000)
    assert path.stat().st_size < 100_000
    # then it is refused naming the uncompressed-size limit
    with pytest.raises(ImportRefused, match="IMPORT_MAX_ZIP_UNCOMPRESSED_BYTES"):
        open_table(path, limits=LIMITS)


def test_a_zip_with_too_many_entries_is_refused(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(6):
            archive.writestr(f"f{i}.txt", b"x")
    with pytest.raises(ImportRefused, match="IMPORT_MAX_ZIP_ENTRIES"):
        open_table(path, limits=LIMITS)


def test_a_200000_character_cell_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, "huge.csv", b"Name,Notes\nAcme,ok\nGlobex," + b"x" * 200_000 + b"\n")
    table = open_table(path, limits=LIMITS)
    with pytest.raises(ImportRefused, match=r"Line 3: a cell is longer than 32,768 characters"):
        table.scan()


def test_an_unclosed_quote_swallowing_the_file_hits_the_field_limit(tmp_path):
    path = write(
        tmp_path, "open.csv", b'Name,Notes\nAcme,"never closed\n' + b"Globex,fine\n" * 5000
    )
    table = open_table(path, limits=LIMITS)
    with pytest.raises(ImportRefused, match="unclosed quote"):
        table.scan()


def test_too_many_rows_columns_or_bytes_are_refused(tmp_path):
    rows = write(tmp_path, "rows.csv", b"Name\n" + b"Acme\n" * 1001)
    with pytest.raises(ImportRefused, match="IMPORT_MAX_ROWS"):
        open_table(rows, limits=LIMITS).scan()
    cols = write(tmp_path, "cols.csv", (",".join(f"c{i}" for i in range(51)) + "\n").encode())
    with pytest.raises(ImportRefused, match="51 columns"):
        open_table(cols, limits=LIMITS)
    with pytest.raises(ImportRefused, match="IMPORT_MAX_FILE_BYTES"):
        open_table(rows, limits=dataclasses.replace(LIMITS, max_file_bytes=100))


def test_empty_binary_and_legacy_excel_files_are_refused(tmp_path):
    with pytest.raises(ImportRefused, match="empty"):
        open_table(write(tmp_path, "e.csv", b""), limits=LIMITS)
    with pytest.raises(ImportRefused, match=".xls"):
        open_table(
            write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
            limits=LIMITS,
        )
    with pytest.raises(ImportRefused, match="binary"):
        open_table(
            write(tmp_path, "img.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40), limits=LIMITS
        )


def test_chunks_stream_the_rows_in_bounded_lists_and_resume_after_a_skip(tmp_path):
    path = write(tmp_path, "n.csv", b"N\n" + b"".join(f"{i}\n".encode() for i in range(25)))
    table = open_table(path, limits=LIMITS)
    assert [len(c) for c in table.chunks(10)] == [10, 10, 5]
    assert [r.values[0] for r in table.rows(skip=22)] == ["22", "23", "24"]
