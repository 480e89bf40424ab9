# Tessera — the two set-up commands are `make demo` and `make test`; both install what is missing first.
SWIFT ?= swift
BIN := .build/release

.PHONY: deps build demo test bench parity bench-train bench-lib clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product tessera

# The main job on the embedded default vocabulary (o200k_base) and the committed demo corpus.
demo: build
	@echo "== tessera inspect (embedded o200k_base)"
	@$(BIN)/tessera inspect
	@echo "== tessera count corpora/demo/*.txt"
	@$(BIN)/tessera count corpora/demo/*.txt
	@echo "== tessera encode --output pieces (first line of Genesis)"
	@head -n 2 corpora/demo/genesis-kjv.txt | tail -n 1 | $(BIN)/tessera encode --output pieces
	@echo "== round trip: encode | decode reproduces the corpus byte for byte"
	@$(BIN)/tessera encode corpora/demo/genesis-rv1909.txt | $(BIN)/tessera decode | cmp - corpora/demo/genesis-rv1909.txt && echo "round trip OK"

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	./bench/run-encode-bench.sh

parity: deps
	./bench/run-parity.sh

bench-train: deps
	./bench/run-train-bench.sh

bench-lib: deps
	./bench/run-lib-bench.sh

clean:
	rm -rf .build
