"""PDFs from Django templates (WeasyPrint): JAG packs and minutes now, letters later (issue 15).

A PDF template is a complete HTML document with its CSS inline (a `<style>` element: A4, margins, running header
and page numbers through `@page` rules). Rendering fetches nothing: the URL fetcher answers `data:` URLs only (an
image embedded in the page) and refuses every other URL (http, https, file, a relative path), so a template, or text
typed into a record, can never make the server read a local file or call another host while printing.
"""

from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher


class FetchRefused(ValueError):
    """A PDF asked for something other than a data: URL."""


class DataOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher restricted to `data:` URLs: anything else raises (WeasyPrint then leaves it out)."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False, timeout=1)

    def fetch(self, url, headers=None):
        if not str(url).lower().startswith("data:"):
            raise FetchRefused(f"PDFs fetch nothing but data: URLs, not {str(url)[:80]!r}")
        return super().fetch(url, headers)


def pdf_html(template_name: str, context: dict, *, request=None) -> str:
    """The HTML a PDF is printed from (what tests read to check what a PDF says)."""
    return render_to_string(template_name, context, request=request)


def pdf_from_html(html: str) -> bytes:
    # No base_url: a relative URL has nothing to resolve against and is refused like any other.
    return HTML(string=html, url_fetcher=DataOnlyFetcher()).write_pdf()


def pdf_from_template(template_name: str, context: dict, *, request=None) -> bytes:
    """The PDF of `template_name` rendered with `context` (and the request's context processors, when given)."""
    return pdf_from_html(pdf_html(template_name, context, request=request))


def pdf_response(pdf_bytes: bytes, filename: str) -> HttpResponse:
    """A download of `pdf_bytes` named `filename`, kept out of every cache (it holds personal data)."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    safe = "".join(c for c in filename if c.isalnum() or c in "-_.") or "document.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(safe)}"
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(pdf_bytes))
    return response
