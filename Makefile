# Kedai Tong — the two commands a new machine needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/kedaitong
DATA    ?= ./data
PKGS    ?= ./...
TESTFLAGS ?= -count=1 -timeout 40m

.PHONY: run build test test-go fuzz bench lint browser-deps clean race

## run: the server on the embedded store in $(DATA), with demo data, on http://localhost:8080
run: build
	$(BIN) serve --demo --data $(DATA)

## build: the one binary
build:
	$(GO) build -o $(BIN) ./cmd/kedaitong

## test: every test (installs Chromium and a CJK font for the browser tests when missing)
test: browser-deps lint test-go fuzz

test-go:
	$(GO) test $(TESTFLAGS) $(PKGS)

## fuzz: a short run of each fuzz target
fuzz:
	@./scripts/fuzz.sh

## browser-deps: Debian's chromium and a CJK font, needed by the browser tests
browser-deps:
	@./scripts/browser-deps.sh

## bench: the benchmark scenarios recorded in BENCHMARKS.md
bench:
	@./scripts/bench.sh

STATICCHECK_VERSION ?= v0.8.2
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck

## lint: gofmt, a tidy go.mod, go vet and staticcheck (installed when missing)
lint: $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	$(STATICCHECK) ./...

$(STATICCHECK):
	GOTOOLCHAIN=local $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

clean:
	rm -rf bin

## race: the race detector over every package (slow: several minutes)
race:
	$(GO) test -race -count=1 -timeout 30m $(PKGS)
