# Two entry points for a fresh machine (see README): `make serve` and `make test`.
# Both create .venv and install the project from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test check build validate clean browser hardening check-content lint

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/.installed
	$(BIN)/mkdocs serve --livereload --dirty --dev-addr $(HOST)

# The browser tests drive Debian's chromium (no browser download at run time).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The code's own checks, the tool's tests (on fixtures under tests/), then the shipped
# content's checks.
test: $(BIN)/.installed browser lint
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory check-content

# The edit loop's checks, in well under two minutes: lint, then every test marked neither
# browser (drives Chromium) nor slow (seconds each: real builds and servers, fuzzing; see
# tests/conftest.py). `make test` runs them all.
check: $(BIN)/.installed lint
	$(BIN)/python -m pytest -m "not browser and not slow"

# ruff (lint, import order) over the code and its tests; mypy --strict over build_tools/.
lint: $(BIN)/.installed
	$(BIN)/ruff check build_tools tests benchmarks
	$(BIN)/mypy

# The shipped content (sops/, reference/, training/, docs/): valid, builds with
# --strict, every link of the built site resolves. Asserts nothing about which SOPs exist,
# so adding, retiring or renaming one keeps it green. It also builds with ProperDocs (the
# continuation of MkDocs 1.x, the second build path), which must give the same site but for
# the generator's name in each page's head; both builds at one date (SOURCE_DATE_EPOCH).
CONTENT_SITE ?= .check/site
# The last line compares the site built by MkDocs and by ProperDocs, but for the generator's
# name in each page, and the offline list and service worker, which hold hashes of pages.
check-content: export SOURCE_DATE_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell date +%s))
check-content: $(BIN)/.installed
	$(BIN)/sopkb validate
	$(BIN)/sopkb codeowners --check
	$(BIN)/mkdocs build --strict --site-dir $(CONTENT_SITE)
	$(BIN)/sopkb check-site $(CONTENT_SITE)
	$(BIN)/properdocs build --strict -f mkdocs.yml --site-dir $(CONTENT_SITE)-properdocs
	diff -r -q -I '^ *<meta name="generator" content="mkdocs-' -x offline.json -x service-worker.js $(CONTENT_SITE) $(CONTENT_SITE)-properdocs

# The hardening figures of benchmarks/README.md: malformed inputs tried, crashes, text-path cases, pages
# opened with payloads, payloads executed, CSP violations, fault cases.
hardening: $(BIN)/.installed browser
	rm -f tests/output/hardening.json
	$(BIN)/python -m pytest -q tests/test_markup.py tests/test_hardening.py tests/test_safe_output.py tests/test_safe_builds.py
	cat tests/output/hardening.json

build: $(BIN)/.installed
	$(BIN)/mkdocs build --strict

validate: $(BIN)/.installed
	$(BIN)/sopkb validate sops

clean:
	rm -rf site $(CONTENT_SITE) $(CONTENT_SITE)-properdocs $(VENV)
