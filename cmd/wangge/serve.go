package main

import (
	"context"
	"flag"
	"log/slog"
	"os"

	wanggehttp "github.com/wangge/wangge/http"
)

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dsn := dbFlag(fs)
	defAddr := os.Getenv("WANGGE_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "address to listen on (env WANGGE_ADDR)")
	fs.Parse(args)

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if empty, err := db.Empty(ctx); err == nil && empty {
		log.Warn("the database is empty: run `wangge demo` for the demo district, or import areas", "db", *dsn)
	}
	srv := wanggehttp.NewServer(db, wanggehttp.Options{Logger: log})
	log.Info("serving", "url", "http://"+*addr+"/", "db", db.Dialect())
	return srv.ListenAndServe(ctx, *addr)
}
