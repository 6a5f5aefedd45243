package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	wanggehttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/api"
	"github.com/wangge/wangge/http/open311"
	"github.com/wangge/wangge/http/ui"
)

// newWebServer is the web server as the command line serves it: the core
// (sessions, middleware, the error renderer, and the pages not yet moved)
// with each handler package over it: the JSON API, the pages and Open311. Every
// command that builds a server builds this one; the tests of package http
// compose the same (compose_test.go).
func newWebServer(store wangge.Store, opts wanggehttp.Options) *wanggehttp.Server {
	return wanggehttp.NewServer(store, opts, api.Routes, ui.Routes, open311.Routes)
}

// checkpointEvery is how often a server checkpoints the audit chain's head
// when it appended since its last checkpoint.
const checkpointEvery = 5 * time.Minute

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dsn := dbFlag(fs)
	defAddr := os.Getenv("WANGGE_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "address to listen on (env WANGGE_ADDR)")
	tiles := fs.String("tiles", os.Getenv("WANGGE_TILES"), "map tile URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png (env WANGGE_TILES; empty: vector maps only)")
	public := fs.String("public-url", os.Getenv("WANGGE_PUBLIC_URL"), "address residents reach this server at, for QR codes on door plates (env WANGGE_PUBLIC_URL)")
	object := fs.String("cjt349-object", os.Getenv("WANGGE_CJT349_OBJECT"), "6-digit CJ/T 348 object code; ledger exports then carry each grid's 20-digit CJ/T 349 code (env WANGGE_CJT349_OBJECT)")
	kioskAt := fs.String("kiosk-at", os.Getenv("WANGGE_KIOSK_AT"), "where the kiosk stands, LNG,LAT in WGS-84, marked \"you are here\" on /kiosk (env WANGGE_KIOSK_AT; a kiosk's own address may give ?at=LNG,LAT)")
	var proxies []netip.Prefix
	addProxies := func(v string) error {
		ps, err := parseTrustedProxies(v)
		proxies = append(proxies, ps...)
		return err
	}
	if err := addProxies(os.Getenv("WANGGE_TRUSTED_PROXIES")); err != nil {
		return fmt.Errorf("WANGGE_TRUSTED_PROXIES: %w", err)
	}
	messages := addOutboxFlags(fs)
	fs.Func("trusted-proxy", "a reverse proxy whose X-Forwarded-For is believed, as CIDR or an address; repeatable or comma-separated (env WANGGE_TRUSTED_PROXIES; none: the peer is the client)", addProxies)
	fs.Parse(args)
	var here *wanggehttp.LngLat
	if *kioskAt != "" {
		p, err := wanggehttp.ParseLngLat("kiosk-at", *kioskAt)
		if err != nil {
			return fmt.Errorf("--kiosk-at: %w", err)
		}
		here = p
	}
	if _, err := wanggehttp.TileOrigin(*tiles); err != nil {
		return err
	}
	if _, err := wanggehttp.PublicBase(*public); err != nil {
		return err
	}
	if *object != "" {
		if _, err := geo.ToCJT349("000000000000001", *object); err != nil {
			return fmt.Errorf("--cjt349-object: %w", err)
		}
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	sender, err := messages.sender(log)
	if err != nil {
		return err
	}
	db, err := createStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if empty, err := db.Empty(ctx); err == nil && empty {
		log.Warn("the database is empty: run `wangge demo` for the demo district, or import areas", "db", *dsn)
	}
	// The audit chain's head is checkpointed every CheckpointEvery entries,
	// every few minutes (so a quiet server's last entries are anchored too)
	// and at shutdown, when the store closes.
	go func() {
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := db.Checkpoint(); err != nil {
					log.Error("audit checkpoint", "file", db.CheckpointFile(), "err", err)
				}
			}
		}
	}()
	// Messages to reporters go out while the server serves, and stop with
	// it, before the store closes.
	stopOutbox := startOutbox(ctx, db, sender, log)
	defer stopOutbox()
	srv := newWebServer(db, wanggehttp.Options{Logger: log, TileURL: *tiles, PublicURL: *public, CJT349Object: *object, KioskAt: here, TrustedProxies: proxies})
	log.Info("serving", "url", "http://"+*addr+"/", "db", db.Dialect())
	return srv.ListenAndServe(ctx, *addr)
}

// parseTrustedProxies reads a comma-separated list of CIDR prefixes or
// single addresses (a /32 or /128), as --trusted-proxy takes them.
func parseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return out, fmt.Errorf("%q is neither a CIDR prefix nor an address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
