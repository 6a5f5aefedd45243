# The two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
DB      ?= wangge.db
ADDR    ?= 127.0.0.1:8080
SEED    ?= 1
# The demo's admin password; the demo is synthetic, so a known one is fine.
DEMO_ADMIN_PASSWORD ?= Wangge-Demo-2026

.PHONY: all build run demo test test-race lint fuzz bench bench-1m bench-reports vet fmt clean assets

all: build

build:
	$(GO) build -o wangge ./cmd/wangge

# Build, fill $(DB) with the demo district when it is empty, and serve.
run: build
	./wangge demo --db $(DB) --seed $(SEED) --if-empty --admin-password $(DEMO_ADMIN_PASSWORD)
	@echo
	@echo "打开 Open http://$(ADDR)/ — 登录 log in as admin / $(DEMO_ADMIN_PASSWORD)"
	@echo "(every demo account and its password is listed above, on every run)"
	@echo
	./wangge serve --db $(DB) --addr $(ADDR)

demo: build
	./wangge demo --db $(DB) --seed $(SEED) --force --admin-password $(DEMO_ADMIN_PASSWORD)

# Every test: the store suite on SQLite and on PostgreSQL (a throwaway
# server when none is running), and the browser tests in headless Chromium.
test: vet
	scripts/with-postgres scripts/gotest ./...

# The race detector over the packages whose code runs concurrently: the
# server (locator, import jobs, metrics, sessions), the stores and their
# conformance suite (concurrent writers, the audit chain, LISTEN/NOTIFY),
# the ledger import and the spatial index. Browser tests drive the same
# handlers one click at a time, so they stay out of the slow race build, as
# do the tests -short skips (large single-goroutine imports and partitions).
RACE_PKGS ?= ./http/... ./sqlite/ ./postgres/ ./ledger/ ./geo/
test-race:
	scripts/with-postgres scripts/gotest -race -short -skip '^TestBrowser' $(RACE_PKGS)

# staticcheck, pinned, installed into bin/ from the Go module proxy when
# missing there.
STATICCHECK_VERSION ?= v0.8.2
bin/staticcheck-$(STATICCHECK_VERSION):
	GOBIN=$(CURDIR)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv bin/staticcheck $@
lint: bin/staticcheck-$(STATICCHECK_VERSION)
	bin/staticcheck-$(STATICCHECK_VERSION) ./...

# Each fuzz test for a short while (FUZZTIME each); CI runs this after test.
fuzz:
	scripts/fuzz

# Benchmarks, each reporting a ratio against an anchor measured in the same
# run: locate against a brute-force scan and against PostGIS, the locate
# API against a trivial handler in the same server, a million-person xlsx
# import against excelize alone reading the file (WANGGE_BENCH_ROWS=N for
# fewer).
bench:
	$(GO) test -run '^$$' -bench . ./geo/
	scripts/with-postgres $(GO) test -run '^$$' -bench . -benchtime 1x ./http/... ./postgres/
	$(GO) test -run '^$$' -bench ImportPersonsXLSX -benchtime 1x -timeout 60m ./ledger/

# The key-group list of the busiest grid on a database of about 1,000,000
# persons (the demo at scale 3, made once in $(BIG_DB)), against a raw read.
BIG_DB ?= /tmp/wangge-1m.db
bench-1m: build
	./wangge demo --db $(BIG_DB) --scale 3 --if-empty --admin-password $(DEMO_ADMIN_PASSWORD)
	./wangge bench grouplist --db $(BIG_DB)

# Every report page of the whole demo district (made once in $(DB)),
# against a raw scan of the persons measured in the same run.
bench-reports: build
	./wangge demo --db $(DB) --seed $(SEED) --if-empty --admin-password $(DEMO_ADMIN_PASSWORD)
	./wangge bench reports --db $(DB)

# Copy Leaflet (pinned in web/package-lock.json) from npm into web/static/vendor.
assets:
	scripts/assets

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

clean:
	rm -f wangge
