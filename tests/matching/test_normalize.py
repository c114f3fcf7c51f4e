"""Each normalisation rule on its own: these forms decide what can ever match."""

import pytest

from matching.normalize import (
    account_name_variants,
    email_domain,
    is_free_email_domain,
    is_junk_company_name,
    name_parts,
    normalize_company_name,
    normalize_country,
    normalize_phone,
    registrable_domain,
)


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("ann@acme.com", "acme.com"),
        ("Ann.Lee@ACME.COM ", "acme.com"),
        ("ann@mail.acme.co.uk", "acme.co.uk"),
        ("<ann@eu.sales.acme.de>", "acme.de"),
        ("not an address", ""),
        ("", ""),
        ("ann@localhost", ""),
    ],
)
def test_email_gives_its_registrable_domain(email, domain):
    assert email_domain(email) == domain


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "yahoo.com", "yahoo.co.uk", "gmx.de", "web.de", "qq.com", "163.com",
     "hotmail.fr", "outlook.com", "mail.ru", "naver.com", "mailinator.com", "icloud.com"],
)  # fmt: skip
def test_personal_and_disposable_providers_are_free_mail(domain):
    assert is_free_email_domain(domain)


@pytest.mark.parametrize("domain", ["acme.com", "siemens.de", "toyota.co.jp", ""])
def test_corporate_domains_are_not_free_mail(domain):
    assert not is_free_email_domain(domain)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("www.shop.acme.co.uk/x", "acme.co.uk"),
        ("https://user@Acme.COM:8080/path?q=1#top", "acme.com"),
        ("http://www.acme.com.au", "acme.com.au"),
        ("acme.com.", "acme.com"),
        ("sub.example.kawasaki.jp", "sub.example.kawasaki.jp"),  # wildcard public suffix
        ("192.168.0.1", ""),
        ("n/a", ""),
        ("acme", ""),
        ("", ""),
    ],
)
def test_url_gives_the_registrable_domain_from_the_bundled_suffix_list(value, expected):
    assert registrable_domain(value) == expected


def test_registrable_domain_never_touches_the_network(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    registrable_domain.cache_clear()
    assert registrable_domain("https://www.example.co.nz/path") == "example.co.nz"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ACME", "acme"),  # case
        ("Société Générale", "societe generale"),  # accents
        ("ＡＣＭＥ", "acme"),  # full-width
        ("Müller & Söhne", "muller sohne"),
        ("Procter & Gamble", "procter gamble"),  # & / and / +
        ("Procter and Gamble", "procter gamble"),
        ("Procter + Gamble", "procter gamble"),
        ("AT&T", "att"),  # letters around & stay one word
        ("McDonald's", "mcdonalds"),  # apostrophes
        ("Wal-Mart", "wal mart"),  # punctuation
        ("The Home Depot", "home depot"),  # leading The
        ("Acme, The", "acme"),
    ],
)
def test_company_name_folding(name, expected):
    assert normalize_company_name(name) == expected


@pytest.mark.parametrize(
    "name",
    ["Acme Inc", "Acme Inc.", "Acme Corp", "Acme Corporation", "Acme LLC", "Acme Ltd",
     "Acme Limited", "Acme PLC", "Acme GmbH", "Acme AG", "Acme SA", "Acme S.A.", "Acme SAS",
     "Acme SpA", "Acme S.p.A.", "Acme BV", "Acme B.V.", "Acme NV", "Acme AB", "Acme AB (publ)",
     "Acme Oy", "Acme Oyj", "Acme AS", "Acme KK", "Acme K.K.", "Acme Pty Ltd", "Acme Pty. Ltd.",
     "Acme Co., Ltd.", "Acme GmbH & Co. KG", "Acme S.L.", "Acme Ltda", "Acme Sp. z o.o.",
     "Acme s.r.o.", "Acme Pvt Ltd", "Acme SARL", "Acme SE", "Acme & Co.", "ACME株式会社",
     "株式会社ACME", "ACME有限公司", "ACME 주식회사", "PT Acme Tbk", "ООО Acme"],
)  # fmt: skip
def test_legal_forms_in_many_languages_are_removed(name):
    assert normalize_company_name(name) == "acme"


def test_a_legal_form_alone_is_kept_rather_than_emptied():
    assert normalize_company_name("AG") == "ag"


def test_weak_words_stay_in_the_name_but_leave_the_core():
    parts = name_parts("Acme Holdings International")
    assert parts.normalized == "acme holdings international"
    assert parts.core == "acme"
    assert parts.key == "acme"


def test_a_name_made_only_of_weak_words_keeps_them_as_its_core():
    assert name_parts("Global Group").core == "global group"


def test_acronym_of_a_multi_word_name():
    assert name_parts("International Business Machines Corp.").acronym == "ibm"
    assert name_parts("IBM").key == "ibm"
    assert name_parts("Bank of America").acronym == "ba"


def test_brand_and_legal_name_share_their_key():
    assert name_parts("Wal-Mart Stores, Inc.").key == name_parts("Walmart").key == "walmart"


@pytest.mark.parametrize(
    "company", ["n/a", "N/A", "NA", "self", "Self-employed", "student", "-", ".", "none",
                "Gmail", "yahoo", "Hotmail", "unknown", "123", ""],
)  # fmt: skip
def test_junk_company_fields_are_recognised(company):
    assert is_junk_company_name(company)


@pytest.mark.parametrize("company", ["Acme", "Delta Air Lines", "3M", "トヨタ自動車"])
def test_real_company_names_are_not_junk(company):
    assert not is_junk_company_name(company)


def test_a_name_written_beside_its_other_script_form_yields_both():
    variants = account_name_variants("トヨタ自動車株式会社 (Toyota Motor Corporation)")
    assert "Toyota Motor Corporation" in variants
    assert "トヨタ自動車株式会社" in variants


def test_phone_keeps_the_subscriber_digits_whatever_the_prefix():
    assert normalize_phone("+44 (0)20 7946 0958") == normalize_phone("020 7946 0958")
    assert normalize_phone("0044 20 7946 0958") == normalize_phone("+44-20-7946-0958")
    assert normalize_phone("123") == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [("DE", "DE"), ("de", "DE"), ("Germany", "DE"), ("Deutschland", "DE"), ("USA", "US"),
     ("U.S.A.", "US"), ("United Kingdom", "GB"), ("UK", "GB"), ("", "")],
)  # fmt: skip
def test_country_to_iso_code(value, code):
    assert normalize_country(value) == code
