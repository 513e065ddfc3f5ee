#!/usr/bin/env bash
# Build the front-end assets into static/ (run from the project root after `npm ci`).
#
# Output (generated, not committed; see frontend/GITIGNORE-SUGGESTION.txt):
#   static/css/app.css, static/css/app.css.map   GOV.UK Frontend + app styles, from Sass
#   static/govuk/govuk-frontend.min.js(.map)     GOV.UK Frontend JS (an ES module)
#   static/govuk/assets/                         GOV.UK Frontend images + manifest (no fonts)
# Safe to run repeatedly: it removes its own previous output first.
set -euo pipefail

cd "$(dirname "$0")/.."

GOVUK=node_modules/govuk-frontend/dist/govuk
SASS=node_modules/.bin/sass

if [[ ! -d "$GOVUK" || ! -x "$SASS" ]]; then
  echo "build.sh: node_modules is missing; run 'npm ci' first" >&2
  exit 1
fi

rm -rf static/govuk
rm -f static/css/app.css static/css/app.css.map
mkdir -p static/css static/govuk/assets

# The source map embeds its sources (they are not served) and is shipped beside
# the CSS: whitenoise's manifest storage fails collectstatic if a referenced .map
# is missing. --quiet-deps hides deprecation warnings from inside govuk-frontend.
"$SASS" --load-path=node_modules --style=compressed --embed-sources --quiet-deps \
  --no-error-css frontend/scss/app.scss static/css/app.css

cp "$GOVUK/govuk-frontend.min.js" "$GOVUK/govuk-frontend.min.js.map" static/govuk/
# Fonts are GDS Transport, reserved for GOV.UK: deliberately not copied.
cp -R "$GOVUK/assets/images" static/govuk/assets/
cp "$GOVUK/assets/manifest.json" static/govuk/assets/

# Guards: no GOV.UK font, no root-relative /assets/ URLs, every url() resolves.
css=static/css/app.css
if grep -q "GDS Transport" "$css"; then
  echo "build.sh: $css still mentions GDS Transport" >&2
  exit 1
fi
if grep -Eq "url\\([\"']?/assets/" "$css"; then
  echo "build.sh: $css has url(/assets/...) references" >&2
  exit 1
fi
missing=0
while IFS= read -r ref; do
  ref=${ref#url(}; ref=${ref%)}; ref=${ref//\"/}; ref=${ref//\'/}
  [[ $ref == data:* || $ref == \#* ]] && continue
  path=${ref%%[?#]*}
  if [[ $path == /static/* ]]; then target=static/${path#/static/}; else target=static/css/$path; fi
  if [[ ! -f $target ]]; then
    echo "build.sh: $css refers to $ref, but $target does not exist" >&2
    missing=1
  fi
done < <(grep -o "url([^)]*)" "$css" | sort -u)
[[ $missing -eq 0 ]] || exit 1

echo "build.sh: built $css and static/govuk/"
