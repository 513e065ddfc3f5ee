"""Where apps above `cases` hear about what happens in it, without `cases` importing them (DESIGN.md).

An app registers a callback in its AppConfig.ready(); `cases` calls every registered callback at the named
moment, inside the same transaction, so what a callback writes is saved or rolled back with the report.

- `on_report_taken(callback)`: after intake has saved a report, its parties (linked to the register) and the
  reporter's first-contact deadline, just before the acknowledgement is queued. The callback gets the report
  and returns acknowledgement notes: paragraphs added to the reporter's email and text message (casereview
  explains the ASB Case Review to someone making a second report within six months). A callback must keep to
  a fixed number of queries: it runs on every report.
- `on_diary_entry_taken(callback)`: after a resident's online diary entry (cases.DiaryEntry) and its files are saved,
  inside the same transaction (cases.services.resident_actions.diary_entry_add). casereview counts an entry as a
  report where its threshold rules say so. Returns nothing; same fixed-query rule.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class AcknowledgementNote:
    """A paragraph for the acknowledgement: the email's text and a short form for a text message."""

    email: str
    sms: str = ""


ReportTaken = Callable[..., Iterable[AcknowledgementNote] | None]

_report_taken: list[ReportTaken] = []


def on_report_taken(callback: ReportTaken) -> ReportTaken:
    """Register `callback(report=Report)`, once (registering the same function again does nothing)."""
    if callback not in _report_taken:
        _report_taken.append(callback)
    return callback


def report_taken(*, report) -> list[AcknowledgementNote]:
    """Run every registered callback for a report just taken; their acknowledgement notes, in order."""
    notes: list[AcknowledgementNote] = []
    for callback in _report_taken:
        notes.extend(callback(report=report) or ())
    return notes


DiaryEntryTaken = Callable[..., None]

_diary_entry_taken: list[DiaryEntryTaken] = []


def on_diary_entry_taken(callback: DiaryEntryTaken) -> DiaryEntryTaken:
    """Register `callback(entry=DiaryEntry)`, once (registering the same function again does nothing)."""
    if callback not in _diary_entry_taken:
        _diary_entry_taken.append(callback)
    return callback


def diary_entry_taken(*, entry) -> None:
    """Run every registered callback for a diary entry just saved."""
    for callback in _diary_entry_taken:
        callback(entry=entry)
