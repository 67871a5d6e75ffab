# Two entry points for a fresh machine:  `make demo`  and  `make test`.
# Each bootstraps .venv (Python deps) and Debian's clang / libdpdk-dev when absent.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test bootstrap sysdeps clean bench

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

sysdeps:
	@sh tools/install-sysdeps.sh

bootstrap: sysdeps $(STAMP)

demo: bootstrap
	$(BIN)/flowmagec examples/demo/chain.click --src corpus/fastclick --cores 8 --nic mlx5 \
	    --assume Classifier=stateless --assume MarkIPHeader=stateless \
	    -o examples/demo/out/chain.opt.click --dispatcher examples/demo/out/dispatch.c \
	    --report examples/demo/out/report.json --graph examples/demo/out/chain.dot \
	    --explain --force --mkdir

test: bootstrap
	$(BIN)/python -m pytest -q tests

# Benchmarks print ratios measured in one run (not part of `make test`).
bench: bootstrap
	$(BIN)/python tools/bench_parse.py
	$(BIN)/python tools/bench_keys.py
	$(BIN)/python tools/bench_solver.py --reps 3
	$(BIN)/python tools/bench_dispatch.py

clean:
	rm -rf $(VENV) examples/demo/out .flowmagec-cache
