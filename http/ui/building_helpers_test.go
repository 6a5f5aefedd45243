package ui

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/synth"
)

// The building head's, the ledgers' width and the search tests run on the
// demo district.

// demoDistrict fills a fresh SQLite store with the demo district at the
// given scale, as `wangge demo` does, and returns it with its accounts.
func demoDistrict(t *testing.T, scale float64) (wangge.Store, map[string]synth.Account) {
	t.Helper()
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "demo", Role: wangge.RoleSystem})
	db, _, box := webtest.OpenSQLite(t, ctx, "demo.db")
	if err := db.UseKey(ctx, box); err != nil {
		t.Fatal(err)
	}
	bulk, err := db.Bulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	res, err := synth.Generate(synth.Config{Seed: 1, Scale: scale, Now: testNow}, bulk, "Demo-Test-2026",
		func(pw string) string { return passwd.Hash(pw, cheap) }, nil)
	if err != nil {
		bulk.Rollback()
		t.Fatal(err)
	}
	if err := bulk.Commit(); err != nil {
		t.Fatal(err)
	}
	accounts := map[string]synth.Account{}
	for _, a := range res.Accounts {
		accounts[a.Username] = a
	}
	return db, accounts
}

// demoServer serves the store with the test clock.
func demoServer(t *testing.T, store wangge.Store) *whttp.Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return newTestServer(store, whttp.Options{Logger: log, Now: func() time.Time { return testNow }})
}
