# ASB Portal: two commands on a fresh machine.
#   make run   set everything up and start the web app, Celery worker and beat (PORT=NNNN make run: another port)
#   make test  set everything up and run the whole test suite
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
# The web app's port: the banner prints it and honcho gives it to the web process (honcho's own default is 5000).
PORT ?= 8000

.PHONY: run test setup venv pdflibs assets services database migrate demo lint bench clean collectstatic prod-check

run: setup demo
	@PORT=$(PORT) $(PY) scripts/banner.py
	.venv/bin/honcho start -f Procfile -p $(PORT)

test: setup chromium
	.venv/bin/pytest $(PYTEST_ARGS)

setup: venv pdflibs assets services database migrate

venv: .venv/.installed
.venv/.installed: requirements.txt
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

assets: static/css/app.css
static/css/app.css: node_modules/.installed $(shell find frontend -type f 2>/dev/null)
	bash frontend/build.sh
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

pdflibs:
	@bash scripts/ensure_pdf_libs.sh

services: venv
	@$(PY) scripts/check_services.py

database: venv
	@bash scripts/ensure_database.sh

migrate: venv
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py seed_demo

chromium:
	@bash scripts/ensure_chromium.sh

lint: venv
	.venv/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Production (README "Production deployment"): run with the production environment variables set.
collectstatic: venv assets
	DEBUG=false $(PY) manage.py collectstatic --no-input

prod-check: venv
	DEBUG=false $(PY) manage.py check --deploy --fail-level WARNING
	DEBUG=false .venv/bin/gunicorn --check-config -c gunicorn.conf.py asb_portal.wsgi

clean:
	rm -rf .venv node_modules static/css static/govuk staticfiles
