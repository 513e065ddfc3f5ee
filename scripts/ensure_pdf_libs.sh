#!/usr/bin/env bash
# WeasyPrint (JAG packs and minutes as PDF) draws text with Pango from Debian.
set -euo pipefail
# HarfBuzz's subsetter keeps only the glyphs a PDF uses (small files; WeasyPrint warns without it).
if ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && ldconfig -p | grep -q 'libharfbuzz-subset.so.0'; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Pango for PDF papers…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation >/dev/null
else
  echo "Pango is missing: install it with 'sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0' (needed for PDF papers)." >&2
  exit 1
fi
