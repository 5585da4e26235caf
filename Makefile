# Two entry points for a fresh machine with Python 3.11 (see README.md):
#   make demo  — install kerasvg and render the built-in demo model in every format
#   make test  — install test dependencies (Debian: chromium, fonts) and run the test suite
#   make docs  — build the documentation site (docs/_build/html), warnings as errors
# In an activated virtual environment they install into it instead of creating .venv.
PYTHON ?= python3.11
VENV ?= $(or $(VIRTUAL_ENV),.venv)
BIN := $(VENV)/bin

.PHONY: demo test docs gallery bench system-packages

# Real clients the `destinations` tests open the output in: pdflatex (TikZ), LibreOffice Impress (.pptx), pdftotext.
DESTINATION_PACKAGES := texlive-latex-base texlive-latex-extra texlive-pictures texlive-fonts-recommended lmodern \
	poppler-utils libreoffice-impress

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

demo: $(BIN)/python
	$(BIN)/pip install --quiet .
	$(BIN)/kerasvg demo -o kerasvg-demo

system-packages:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		missing=""; \
		for p in chromium fonts-dejavu-core fonts-noto-cjk $(DESTINATION_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then apt-get -o DPkg::Lock::Timeout=300 update -q && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $$missing; fi; \
	else echo "not root or no apt-get: install chromium fonts-dejavu-core fonts-noto-cjk $(DESTINATION_PACKAGES) yourself"; fi

test: system-packages $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/ruff check kerasvg
	$(BIN)/python -m pytest -q -m "slow or not slow"; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

docs: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[docs]"
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

gallery: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/python gallery/build.py

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_cli.py
