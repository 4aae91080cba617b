# Two entry points for a fresh machine (see README): `make serve` and `make test`.
# Both create .venv and install the project from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test build validate clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/.installed
	$(BIN)/mkdocs serve --livereload --dev-addr $(HOST)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

build: $(BIN)/.installed
	$(BIN)/mkdocs build --strict

validate: $(BIN)/.installed
	$(BIN)/sopkb validate sops

clean:
	rm -rf site $(VENV)
