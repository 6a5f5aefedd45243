package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/storetest"
)

const defaultDSN = "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"

// TestConformance runs the store suite on PostgreSQL with a database of its
// own for every test: CREATE DATABASE wangge_test_<random hex> from one
// migrated template, dropped again when the test ends.
//
// The server comes from WANGGE_TEST_POSTGRES (default: the local one on
// 5432). Without a server the test skips, unless WANGGE_REQUIRE_POSTGRES=1
// (as in CI), when it fails.
func TestConformance(t *testing.T) {
	dsn := os.Getenv("WANGGE_TEST_POSTGRES")
	if dsn == "" {
		dsn = defaultDSN
	}
	base, err := url.Parse(dsn)
	if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") {
		t.Fatalf("WANGGE_TEST_POSTGRES must be a postgres:// URL, got %q", dsn)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = admin.PingContext(pingCtx)
	cancel()
	if err != nil {
		if os.Getenv("WANGGE_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("WANGGE_REQUIRE_POSTGRES=1 but PostgreSQL at %s does not answer: %v", base.Redacted(), err)
		}
		t.Skipf("no PostgreSQL at %s (%v): set WANGGE_TEST_POSTGRES to a server's URL to run the store suite on PostgreSQL", base.Redacted(), err)
	}
	admin.SetMaxOpenConns(makers + droppers + 1)

	dbURL := func(name string) string {
		u := *base
		u.Path, u.RawPath = "/"+name, ""
		return u.String()
	}

	// Migrate once into a template; every test database is a copy.
	template := "wangge_test_" + randomHex() + "_tmpl"
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+template); err != nil {
		t.Fatalf("create the template database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+template+` WITH (FORCE)`); err != nil {
			t.Errorf("drop the template database %s: %v", template, err)
		}
	})
	tdb, err := postgres.Open(ctx, dbURL(template))
	if err != nil {
		t.Fatalf("migrate the template database: %v", err)
	}
	if err := tdb.Close(); err != nil {
		t.Fatal(err)
	}

	dbs := newDatabases(admin, template)
	t.Cleanup(func() {
		for _, err := range dbs.close() {
			t.Errorf("test databases: %v", err)
		}
	})

	storetest.Run(t, func(t *testing.T) (*sqldb.DB, func(t *testing.T) *sqldb.DB) {
		name := dbs.take(t)
		t.Cleanup(func() { dbs.drop(name) })
		u := dbURL(name)
		box, err := secret.New(secret.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		open := func(t *testing.T) *sqldb.DB {
			t.Helper()
			db, err := postgres.Open(ctx, u)
			if err != nil {
				t.Fatalf("open test database %s: %v", name, err)
			}
			t.Cleanup(func() {
				if err := db.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			if err := db.UseKey(ctx, box); err != nil {
				t.Fatalf("UseKey: %v", err)
			}
			return db
		}
		return open(t), open
	})
}

// CREATE DATABASE and DROP DATABASE each take a few hundred milliseconds on
// a server that syncs to disk, but run well side by side. So a few makers
// create the next databases while tests run, and databases are dropped in
// the background; both are done before TestConformance returns.
const (
	makers   = 3
	droppers = 4
)

type databases struct {
	admin    *sql.DB
	template string
	ready    chan string
	broken   chan struct{} // closed when a CREATE DATABASE failed
	once     sync.Once
	failure  error
	stop     chan struct{}
	makers   sync.WaitGroup
	drops    sync.WaitGroup
	dropSlot chan struct{}
	mu       sync.Mutex
	errs     []error
}

func newDatabases(admin *sql.DB, template string) *databases {
	d := &databases{admin: admin, template: template, ready: make(chan string, makers), broken: make(chan struct{}),
		stop: make(chan struct{}), dropSlot: make(chan struct{}, droppers)}
	for range makers {
		d.makers.Add(1)
		go d.make()
	}
	return d
}

func (d *databases) make() {
	defer d.makers.Done()
	for {
		select {
		case <-d.stop:
			return
		default:
		}
		name := "wangge_test_" + randomHex()
		if _, err := d.admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + d.template); err != nil {
			d.once.Do(func() {
				d.failure = fmt.Errorf("CREATE DATABASE %s: %w", name, err)
				close(d.broken)
			})
			return
		}
		select {
		case d.ready <- name:
		case <-d.stop:
			d.drop(name)
			return
		}
	}
}

// take returns a fresh database, empty but migrated.
func (d *databases) take(t *testing.T) string {
	t.Helper()
	select {
	case name := <-d.ready:
		return name
	case <-d.broken:
		t.Fatal(d.failure)
	case <-time.After(time.Minute):
		t.Fatal("no test database after a minute")
	}
	return ""
}

// drop drops the database in the background, whoever is still connected.
func (d *databases) drop(name string) {
	d.drops.Add(1)
	go func() {
		defer d.drops.Done()
		d.dropSlot <- struct{}{}
		defer func() { <-d.dropSlot }()
		if _, err := d.admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			d.mu.Lock()
			d.errs = append(d.errs, fmt.Errorf("DROP DATABASE %s: %w", name, err))
			d.mu.Unlock()
		}
	}()
}

// close stops the makers, drops what is left and waits for every drop.
func (d *databases) close() []error {
	close(d.stop)
	d.makers.Wait()
	for done := false; !done; {
		select {
		case name := <-d.ready:
			d.drop(name)
		default:
			done = true
		}
	}
	d.drops.Wait()
	return d.errs
}

func randomHex() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
