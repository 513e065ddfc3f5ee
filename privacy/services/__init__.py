"""Writes of the privacy app, one module per part: retention (schedule, holds, runs), rights requests."""
