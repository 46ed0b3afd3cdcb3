"""CSV files as Brazilian spreadsheets save them: Windows-1252 with ";", UTF-8 with a BOM,
tabs, quoted cells; and files whose encoding cannot be read are refused, never guessed."""

from __future__ import annotations

import codecs

import pytest

from whatsapp_saas.csvfiles import decode, read_csv
from whatsapp_saas.errors import UserError
from whatsapp_saas.scheduling.csv_import import parse_recipients

ROWS = "telefone;nome\r\n+55 11 98888-1001;José Maçã\r\n(11) 98888-1002;Conceição\r\n"


def test_windows_1252_from_excel_keeps_the_accents() -> None:
    data = ROWS.encode("cp1252")
    assert b"Jos\xe9 Ma\xe7\xe3" in data and b"Concei\xe7\xe3o" in data  # real 1252 bytes
    text, encoding = decode(data)
    assert encoding == "cp1252" and "Conceição" in text
    result = parse_recipients(data, "BR")
    assert [(r.phone, r.name) for r in result.recipients] == [
        ("+5511988881001", "José Maçã"),
        ("+5511988881002", "Conceição"),
    ]
    assert result.separator == ";" and not result.errors


@pytest.mark.parametrize(
    ("data", "encoding", "separator"),
    [
        (codecs.BOM_UTF8 + ROWS.replace(";", ",").encode("utf-8"), "utf-8-sig", ","),
        (ROWS.replace(";", "\t").encode("utf-8"), "utf-8", "\t"),
        (ROWS.replace(";", "\t").encode("utf-16"), "utf-16", "\t"),
        (ROWS.encode("latin-1"), "cp1252", ";"),
    ],
)
def test_utf8_bom_tabs_and_latin1(data: bytes, encoding: str, separator: str) -> None:
    table = read_csv(data)
    assert (table.encoding, table.separator) == (encoding, separator)
    assert table.rows[1] == ["+55 11 98888-1001", "José Maçã"]
    assert table.rows[2][1] == "Conceição"


def test_quoted_cells_keep_their_separators() -> None:
    text = 'telefone,nome\n+5511988881001,"Souza, José"\n"+55 11 98888-1002","Ana ""Aninha"""\n'
    result = parse_recipients(text.encode("utf-8"), "BR")
    assert [r.name for r in result.recipients] == ["Souza, José", 'Ana "Aninha"']


def test_a_file_no_encoding_reads_is_refused() -> None:
    # 0x81 and 0x8D are undefined in Windows-1252 and invalid here as UTF-8.
    with pytest.raises(UserError) as err:
        parse_recipients(b"telefone;nome\n5511988881001;Jo\x81o \x8d\n", "BR")
    assert err.value.code == "error.csv_encoding_unreadable"
    with pytest.raises(UserError):  # a binary file (a spreadsheet's .xlsx, renamed)
        decode(b"PK\x03\x04\x00\x00\x08\x00 binary")


def test_phones_are_read_through_the_phone_module() -> None:
    result = parse_recipients("011 98888-1003\n5511988881004\n+1 415 555 2671\n", "BR")
    assert [r.phone for r in result.recipients] == [
        "+5511988881003",
        "+5511988881004",
        "+14155552671",
    ]
