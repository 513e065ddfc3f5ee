"""asb_portal.pdf: a real PDF from a template; the printer fetches nothing but data: URLs (no file, no network, not
even a relative path), whatever the template or a record's text asks for; the download's headers."""

import socket
from datetime import date, time

import pytest
from weasyprint import HTML

from asb_portal.pdf import DataOnlyFetcher, FetchRefused, pdf_from_html, pdf_from_template, pdf_html, pdf_response
from jag.selectors import Pack, PackItem

PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
         "RU5ErkJggg==")


def _pack(n_items=3, theme="Off-road bikes"):
    items = [PackItem(item_id=i, position=i, kind="theme", kind_label="A theme", source_label="Added by the chair",
                      carried_over=False, theme=f"{theme} {i}", why=f"Why {i}") for i in range(1, n_items + 1)]
    return Pack(meeting_id=1, group_name="Oadby and Wigston JAG", held_on=date(2026, 3, 10), starts_at=time(10),
                location="Council Offices", status_label="Scheduled", confidentiality_statement="Confidential to members.",
                agency_name="", is_full=True, items=items)


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("no network in PDFs")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.css", "https://example.com/logo.png", "file:///etc/passwd",
                                 "FILE:///etc/hostname", "ftp://example.com/a", "/static/app.css", "x.png"])
def test_the_fetcher_refuses_everything_but_data_urls(url):
    with pytest.raises(FetchRefused):
        DataOnlyFetcher().fetch(url)


def test_the_fetcher_reads_a_data_url():
    response = DataOnlyFetcher().fetch(PIXEL)
    assert response.read().startswith(b"\x89PNG")


def test_a_template_becomes_a_real_pdf_with_a_page_per_overflow(no_network):
    html = pdf_html("jag/pdf/pack.html", {"pack": _pack(80)})
    assert "OFFICIAL-SENSITIVE" in html and "counter(page)" in html and "size: A4" in html
    pdf = pdf_from_template("jag/pdf/pack.html", {"pack": _pack(80)})
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-32:]
    assert len(HTML(string=html, url_fetcher=DataOnlyFetcher()).render().pages) > 1
    assert no_network == []


def test_a_record_asking_for_files_or_hosts_gets_nothing(no_network, monkeypatch):
    asked = []
    original = DataOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(DataOnlyFetcher, "fetch", spy)
    html = ("<html><head><link rel='stylesheet' href='http://127.0.0.1:9/evil.css'>"
            "<style>@import url('file:///etc/passwd'); body { background: url('https://example.com/b.png') }</style></head>"
            f"<body><img src='file:///etc/passwd'><img src='/media/evidence/1.png'><img src='{PIXEL}' alt='dot'>"
            "<iframe src='http://example.com'></iframe><p>Text</p></body></html>")
    pdf = pdf_from_html(html)
    assert pdf.startswith(b"%PDF") and no_network == []
    assert any(u.startswith("file:") for u in asked) and any(u.startswith("http") for u in asked)


def test_typed_text_cannot_inject_markup_into_the_pack():
    html = pdf_html("jag/pdf/pack.html", {"pack": _pack(1, theme="<img src='file:///etc/passwd'>")})
    assert "<img src='file:///etc/passwd'>" not in html and "&lt;img" in html


def test_the_response_is_a_private_download():
    response = pdf_response(b"%PDF-1.7 x", 'jag-pack-2026-03-10".pdf\r\nX: y')
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="jag-pack-2026-03-10.pdfXy"')
    assert response["Cache-Control"] == "no-store, private" and response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"%PDF-1.7 x"
