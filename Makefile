# Pilar: `make run` and `make test` do everything on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo-data

.PHONY: run test bench lint soak clean venv kit kit-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `make run` installs the app only; the test tools come with `make test` (and the other targets).
APP_STAMP := $(VENV)/.installed-app

$(APP_STAMP): pyproject.toml storage/core/formats.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(APP_STAMP)

$(STAMP): pyproject.toml storage/core/formats.py | $(BIN)/python
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

# The offline install/update kit for offices without internet: dist/pilar-kit-VERSION/ (downloads
# the wheels of every dependency for Windows 64-bit and this machine; .ci/make_kit.py).
kit: $(APP_STAMP)
	$(BIN)/python .ci/make_kit.py --verify

# CI: a kit of this machine's wheels only, installed into a fresh venv with the network cut.
kit-check: $(APP_STAMP)
	$(BIN)/python .ci/make_kit.py --here-only --verify --out build/kit-check

lint: $(STAMP)
	$(BIN)/ruff check storage tui tests benchmarks sample_data

clean:
	rm -rf $(VENV) $(DEMO) *.egg-info dist
