# Pilar: `make run` and `make test` do everything on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo-data

.PHONY: run test bench lint soak clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `make run` installs the app only; the test tools come with `make test` (and the other targets).
APP_STAMP := $(VENV)/.installed-app

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(APP_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(APP_STAMP)

venv: $(STAMP)

run: $(APP_STAMP)
	$(BIN)/pilar --data $(DEMO) demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

soak: $(STAMP)
	PILAR_SOAK=1 $(BIN)/python -m pytest -p no:cacheprovider -m slow tests

lint: $(STAMP)
	$(BIN)/ruff check storage tui tests benchmarks sample_data

clean:
	rm -rf $(VENV) $(DEMO) *.egg-info
