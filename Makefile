# 专家库 — two commands: `make run` starts the app, `make test` runs every test layer.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
EXPERT_DATA_DIR ?= ./data
export EXPERT_DATA_DIR

.PHONY: run test bench clean-venv

$(BIN)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m streamlit run server.py --server.port=$(PORT)

# JC 附件1 uses the project's own {% vm_start %} merge tag (forms/render.py), unknown to the linter (DTL103).
LINT_SPECIAL := templates_docx/jc_fj1_专家类别划分表.docx

test: $(BIN)/.installed
	$(BIN)/docxtpl-lint --no-color --fail-on warning $(filter-out $(LINT_SPECIAL),$(wildcard templates_docx/*.docx))
	$(BIN)/docxtpl-lint --no-color --fail-on warning --ignore DTL103 $(LINT_SPECIAL)
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_registry_page.py
	$(BIN)/python benchmarks/bench_forms.py
	$(BIN)/python benchmarks/bench_drawing.py
	$(BIN)/python benchmarks/bench_fees.py
	$(BIN)/python benchmarks/bench_impact.py
	$(BIN)/python benchmarks/bench_crafted_xlsx.py

clean-venv:
	rm -rf $(VENV)
