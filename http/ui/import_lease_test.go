package ui

import (
	"context"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// TestImportHeartbeatRenewsTheLeaseAndYieldsATakenJob: the server's
// heartbeat (run by the core's Every) records the progress of each job it
// runs under its lease; a job another server has taken over is stopped
// here, and a run that has ended is not beaten again.
func TestImportHeartbeatRenewsTheLeaseAndYieldsATakenJob(t *testing.T) {
	f := newFixture(t)
	var im *imports
	whttp.NewServer(f.store, testOptions(t), func(core *whttp.Server, store wangge.Store) []whttp.Route {
		im = newImports(core, store)
		return im.routes()
	})
	ctx := t.Context()
	u, err := f.store.UserByUsername(ctx, "dongyuan")
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := importCSV(f)
	start := func() (*wangge.ImportJob, *importRun, context.Context) {
		t.Helper()
		j := &wangge.ImportJob{UserID: u.ID, Session: []byte("session"), Kind: wangge.ImportPersons, File: "居民.csv", Holder: im.jobs.holder}
		if err := f.store.CreateImportJob(ctx, j, []byte(csv), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.ClaimImportJob(ctx, u.ID, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, im.jobs.holder, time.Hour); err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		run := &importRun{id: j.ID, cancel: cancel}
		im.jobs.mu.Lock()
		im.jobs.running[j.Token] = run
		im.jobs.mu.Unlock()
		return j, run, rctx
	}
	job := func(j *wangge.ImportJob) *wangge.ImportJob {
		t.Helper()
		got, err := f.store.ImportJob(ctx, u.ID, j.Token)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	held, heldRun, heldCtx := start()
	taken, _, takenCtx := start()
	ended, endedRun, endedCtx := start()
	heldRun.done.Store(3)
	heldRun.total.Store(7)
	endedRun.done.Store(5)
	endedRun.end()
	if _, err := f.store.ClaimImportJob(ctx, u.ID, taken.Token, []string{wangge.JobChecking}, wangge.JobChecking, "another server", time.Hour); err != nil {
		t.Fatal(err)
	}

	im.heartbeat(ctx)
	if got := job(held); got.Done != 3 || got.Total != 7 || got.Holder != im.jobs.holder {
		t.Errorf("the held job after a beat: done %d of %d, holder %q", got.Done, got.Total, got.Holder)
	}
	if heldCtx.Err() != nil {
		t.Error("the beat stopped a job this server holds")
	}
	if takenCtx.Err() == nil {
		t.Error("the job another server took over still runs here")
	}
	if got := job(taken); got.Holder != "another server" {
		t.Errorf("the taken job is held by %q", got.Holder)
	}
	if got := job(ended); got.Done != 0 || endedCtx.Err() != nil {
		t.Errorf("an ended run was beaten: done %d, stopped %v", got.Done, endedCtx.Err())
	}
}
