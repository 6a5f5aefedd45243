package storetest

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/anchor"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
)

var chainTests = []test{
	{"KeyedChainLinksEveryEntryUnderTheKey", testChainKeyed},
	{"KeyedChainDetectsDeletionAndRecomputation", testChainForged},
	{"KeyedChainDetectsATruncatedTailAgainstCheckpoints", testChainTruncated},
	{"KeyedChainHoldsAfterAFieldKeyRotationAndReopening", testChainRotation},
	{"KeyedChainRelinksAPlainChainOnce", testChainRelink},
	{"KeyedChainRefusesAMissingOrWrongKey", testChainKeyRefused},
	{"KeyedChainCheckpointsEveryHundredEntries", testChainCheckpointEvery},
}

// keyed keys the env's chain with a fresh audit key and a checkpoint file
// in the test's temporary directory, and returns both.
func (e *env) keyed(t *testing.T) (master []byte, file string) {
	t.Helper()
	master = secret.NewKey()
	file = filepath.Join(t.TempDir(), "wangge.audit")
	_, err := e.db.UseAuditKey(e.ctx, master, file)
	ok(t, err, "UseAuditKey")
	return master, file
}

func (e *env) chain(t *testing.T) *sqldb.ChainReport {
	t.Helper()
	r, err := e.db.VerifyChain(e.ctx)
	ok(t, err, "VerifyChain")
	return r
}

// entries reads the whole log in order.
func (e *env) entries(t *testing.T) []wangge.AuditEntry {
	t.Helper()
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT seq, at, user_id, username, role, addr, action, object, object_id, grid_code, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	ok(t, err)
	defer rows.Close()
	var out []wangge.AuditEntry
	for rows.Next() {
		var a wangge.AuditEntry
		ok(t, rows.Scan(&a.Seq, &a.At, &a.UserID, &a.Username, &a.Role, &a.Addr, &a.Action, &a.Object, &a.ObjectID, &a.GridCode, &a.Detail, &a.PrevHash, &a.Hash))
		out = append(out, a)
	}
	ok(t, rows.Err())
	return out
}

func testChainKeyed(t *testing.T, e *env) {
	master, file := e.keyed(t)
	e.workload(t)
	key, _, err := secret.ChainKey(master)
	ok(t, err)
	es := e.entries(t)
	if len(es) < 30 {
		t.Fatalf("only %d entries", len(es))
	}
	for _, a := range es {
		if !bytes.Equal(a.Hash, a.ComputeLink(key)) {
			t.Fatalf("entry %d is not linked under the chain key", a.Seq)
		}
		if bytes.Equal(a.Hash, a.ComputeHash()) {
			t.Fatalf("entry %d is linked with plain SHA-256", a.Seq)
		}
	}
	ok(t, e.db.Checkpoint())
	r := e.chain(t)
	if !r.Intact() || !r.Keyed || r.Checked != int64(len(es)) || r.Checkpoints != 2 {
		t.Errorf("VerifyChain on an untouched log = %+v; want intact, keyed, %d entries, 2 checkpoints (the base and the one just written)", r, len(es))
	}
	cps, err := anchor.Read(file, key)
	ok(t, err)
	if len(cps) != 2 || !cps[0].Base || cps[0].Seq != 0 || cps[1].Seq != es[len(es)-1].Seq || !bytes.Equal(cps[1].Hash, es[len(es)-1].Hash) {
		t.Errorf("checkpoints %+v; want the base at 0 and one at the head, entry %d", cps, es[len(es)-1].Seq)
	}
	// A checkpoint file signed under another key does not hold.
	if _, err := anchor.Read(file, secret.NewKey()); err == nil {
		t.Errorf("the checkpoint file reads under another key")
	}
}

// rewrite replaces the whole log by es, renumbered from 1 and relinked
// from entry from on with link, and moves the head: what someone who can
// write to the database, but has not the key, can do.
func (e *env) rewrite(t *testing.T, es []wangge.AuditEntry, from int64, link func(*wangge.AuditEntry) []byte) {
	t.Helper()
	e.exec(`DELETE FROM audit_log`)
	prev := []byte{}
	for i := range es {
		a := &es[i]
		a.Seq = int64(i + 1)
		if a.PrevHash == nil {
			a.PrevHash = []byte{} // NOT NULL; the first entry's is empty
		}
		if a.Seq >= from {
			a.PrevHash = prev
			a.Hash = link(a)
		}
		prev = a.Hash
		e.exec(`INSERT INTO audit_log (seq, at, user_id, username, role, addr, action, object, object_id, grid_code, detail, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Seq, a.At, a.UserID, a.Username, string(a.Role), a.Addr, a.Action, a.Object, a.ObjectID, a.GridCode, a.Detail, a.PrevHash, a.Hash)
	}
	e.exec(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, int64(len(es)), prev)
}

func testChainForged(t *testing.T, e *env) {
	for name, link := range map[string]func(*wangge.AuditEntry) []byte{
		"PlainSHA256": (*wangge.AuditEntry).ComputeHash,
		"WrongKey": func() func(*wangge.AuditEntry) []byte {
			wrong := secret.NewKey()
			return func(a *wangge.AuditEntry) []byte { return a.ComputeLink(wrong) }
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			x := e.fresh(t)
			x.keyed(t)
			x.workload(t)
			ok(t, x.db.Checkpoint())
			if r := x.chain(t); !r.Intact() {
				t.Fatalf("before: %+v", r)
			}
			// Every reveal and every person creation goes, and the chain is
			// recomputed from the first gap on.
			var kept []wangge.AuditEntry
			first := int64(0)
			for _, a := range x.entries(t) {
				if a.Action == "person.reveal" || a.Action == "person.create" {
					if first == 0 {
						first = a.Seq
					}
					continue
				}
				kept = append(kept, a)
			}
			if first == 0 {
				t.Fatal("the workload made no reveal or person")
			}
			x.rewrite(t, kept, first, link)
			r := x.chain(t)
			if r.Intact() || r.Bad != first || !r.Forged {
				t.Errorf("VerifyChain after deleting from entry %d and recomputing = %+v; want entry %d named as forged", first, r, first)
			}
			if bad, _, err := x.db.VerifyAudit(x.ctx); err != nil || bad != first {
				t.Errorf("VerifyAudit = %d, %v; want %d", bad, err, first)
			}
		})
	}
	// An edit without a recomputation is named, and not as a forgery.
	t.Run("EditOnly", func(t *testing.T) {
		x := e.fresh(t)
		x.keyed(t)
		x.fixture()
		x.exec(`UPDATE audit_log SET detail = ? WHERE seq = 5`, `{"name":"改过"}`)
		if r := x.chain(t); r.Bad != 5 || r.Forged {
			t.Errorf("VerifyChain after an edit = %+v; want entry 5, not forged", r)
		}
	})
}

func testChainTruncated(t *testing.T, e *env) {
	prepare := func(t *testing.T) (x *env, good, cut anchor.Checkpoint, x0 int64) {
		x = e.fresh(t)
		_, file := x.keyed(t)
		x.workload(t)
		ok(t, x.db.Checkpoint())
		x.touch(t, x.auditCount()+10)
		ok(t, x.db.Checkpoint())
		r := x.chain(t)
		if !r.Intact() || r.Checkpoints != 3 {
			t.Fatalf("before: %+v (file %s)", r, file)
		}
		cps := x.checkpoints(t)
		good, cut = cps[1], cps[2]
		x0 = (good.Seq + cut.Seq) / 2
		var hash []byte
		ok(t, x.db.Reader().QueryRowContext(x.ctx, x.rebind(`SELECT hash FROM audit_log WHERE seq = ?`), x0).Scan(&hash))
		x.exec(`DELETE FROM audit_log WHERE seq > ?`, x0)
		x.exec(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, x0, hash)
		return x, good, cut, x0
	}
	t.Run("CutAndHeadMoved", func(t *testing.T) {
		x, good, cut, x0 := prepare(t)
		r := x.chain(t)
		if r.Intact() || r.Bad != 0 || r.Against == nil || !r.Missing || r.LastGood == nil {
			t.Fatalf("VerifyChain after cutting the tail at %d = %+v; want the truncation against checkpoint #%d", x0, r, cut.N)
		}
		if r.Against.N != cut.N || r.LastGood.N != good.N || r.LastGood.Seq != good.Seq || r.LastSeq != x0 {
			t.Errorf("truncation reported against #%d, last good #%d (seq %d), log ends at %d; want #%d, #%d (seq %d), %d",
				r.Against.N, r.LastGood.N, r.LastGood.Seq, r.LastSeq, cut.N, good.N, good.Seq, x0)
		}
		if bad, _, err := x.db.VerifyAudit(x.ctx); err != nil || bad != x0+1 {
			t.Errorf("VerifyAudit = %d, %v; want %d, the first missing entry", bad, err, x0+1)
		}
	})
	t.Run("CutAndWrittenOver", func(t *testing.T) {
		// The store goes on appending after the cut: the log grows past the
		// checkpoint again, with other entries there.
		x, good, cut, _ := prepare(t)
		x.touch(t, int(cut.Seq)+2)
		r := x.chain(t)
		if r.Intact() || r.Against == nil || r.Missing || r.Against.N != cut.N || r.LastGood == nil || r.LastGood.N != good.N {
			t.Errorf("VerifyChain after a cut written over = %+v; want entry %d not matching checkpoint #%d, last good #%d", r, cut.Seq, cut.N, good.N)
		}
	})
}

// checkpoints reads the env's checkpoint file, every line checked.
func (e *env) checkpoints(t *testing.T) []anchor.Checkpoint {
	t.Helper()
	cps, err := e.db.Checkpoints()
	ok(t, err, "Checkpoints")
	return cps
}

// touch updates the district's area until the log holds n entries.
func (e *env) touch(t *testing.T, n int) {
	t.Helper()
	for e.auditCount() < n {
		a, err := e.db.Area(e.ctx, District)
		ok(t, err)
		a.Phone = "0355-" + itoa(int64(e.auditCount()))
		ok(t, e.db.UpdateArea(e.ctx, a))
	}
}

func testChainRotation(t *testing.T, e *env) {
	master, file := e.keyed(t)
	e.workload(t)
	db2 := e.reopen(t) // another process, opened before the rotation
	// Rotate the field key: the chain's key is its own and stays.
	fresh, err := secret.New(secret.NewKey())
	ok(t, err)
	ring, err := secret.Join(fresh, e.db.Box())
	ok(t, err)
	ok(t, e.db.UseKey(e.ctx, ring))
	_, err = e.db.RotateKey(e.ctx, sqldb.RotateOptions{})
	ok(t, err, "RotateKey")
	e.unit(GridA2, "东苑书店")
	e.assistant("协理员乙")
	ok(t, e.db.Checkpoint())
	if r := e.chain(t); !r.Intact() {
		t.Fatalf("after a field key rotation: %+v", r)
	}
	// Another process with the same key file sees the same.
	_, err = db2.UseAuditKey(e.ctx, master, file)
	ok(t, err)
	r, err := db2.VerifyChain(e.ctx)
	ok(t, err)
	if !r.Intact() || r.Checkpoints < 2 {
		t.Errorf("reopened: %+v", r)
	}
}

func testChainRelink(t *testing.T, e *env) {
	// A log an older version chained with plain SHA-256.
	e.workload(t)
	n := e.auditCount()
	e.verifyAudit()
	master, file := e.keyed(t)
	key, _, _ := secret.ChainKey(master)
	es := e.entries(t)
	if len(es) != n+1 || es[n].Action != "audit.relink" {
		t.Fatalf("after keying: %d entries, last %q; want %d and an audit.relink entry", len(es), es[len(es)-1].Action, n+1)
	}
	for _, a := range es {
		if !bytes.Equal(a.Hash, a.ComputeLink(key)) {
			t.Fatalf("entry %d is not re-linked", a.Seq)
		}
	}
	if r := e.chain(t); !r.Intact() || r.Checkpoints != 1 || r.LastGood == nil || !r.LastGood.Base || r.LastGood.Seq != int64(n+1) {
		t.Errorf("after the re-link: %+v; want intact and one base checkpoint at %d", r, n+1)
	}
	// Once keyed, opening again re-links nothing.
	again, err := e.reopen(t).UseAuditKey(e.ctx, master, file)
	ok(t, err)
	if again != 0 {
		t.Errorf("a second keying re-linked %d entries", again)
	}

	// Rewriting the keyed chain in plain SHA-256 and removing the record of
	// its key, to have it re-linked, is refused: the checkpoints say the
	// chain was keyed.
	ok(t, e.db.Checkpoint())
	rw := e.entries(t)
	e.rewrite(t, rw[:len(rw)-3], 1, (*wangge.AuditEntry).ComputeHash)
	e.exec(`DELETE FROM meta WHERE name = 'audit_key_id'`)
	if _, err := e.reopen(t).UseAuditKey(e.ctx, master, file); !errors.Is(err, sqldb.ErrChainUnkeyed) {
		t.Errorf("keying a chain rewritten in plain with its record removed: %v; want ErrChainUnkeyed", err)
	}

	// A plain chain that does not hold is not re-linked.
	x := e.fresh(t)
	x.fixture()
	x.exec(`UPDATE audit_log SET username = 'someone' WHERE seq = 3`)
	_, err = x.db.UseAuditKey(x.ctx, secret.NewKey(), filepath.Join(t.TempDir(), "x.audit"))
	var broken *sqldb.PlainChainBrokenError
	if !errors.As(err, &broken) || broken.Seq != 3 {
		t.Errorf("keying a tampered plain chain: %v; want a refusal naming entry 3", err)
	}
	if id, _ := x.db.AuditKeyID(x.ctx); id != "" {
		t.Errorf("the refused re-link recorded audit key %s", id)
	}
}

func testChainKeyRefused(t *testing.T, e *env) {
	e.keyed(t)
	e.fixture()
	// A second store without the audit key neither appends nor verifies.
	db2 := e.reopen(t)
	if err := db2.CreateArea(e.ctx, &wangge.Area{Code: GridA3, Name: "东苑第三网格"}); !errors.Is(err, sqldb.ErrChainKeyMissing) {
		t.Errorf("an append without the audit key: %v; want ErrChainKeyMissing", err)
	}
	if _, err := db2.VerifyChain(e.ctx); !errors.Is(err, sqldb.ErrChainKeyMissing) {
		t.Errorf("verify without the audit key: %v; want ErrChainKeyMissing", err)
	}
	if _, err := db2.UseAuditKey(e.ctx, secret.NewKey(), filepath.Join(t.TempDir(), "w.audit")); !errors.Is(err, sqldb.ErrChainKeyMismatch) {
		t.Errorf("another audit key: %v; want ErrChainKeyMismatch", err)
	}
	e.verifyAudit()
}

func testChainCheckpointEvery(t *testing.T, e *env) {
	e.keyed(t)
	e.fixture()
	e.touch(t, e.auditCount()+sqldb.CheckpointEvery+1)
	// Without a call to Checkpoint, the store has written one.
	cps := e.checkpoints(t)
	if len(cps) < 2 || cps[len(cps)-1].Base || cps[len(cps)-1].Seq < int64(sqldb.CheckpointEvery) {
		t.Errorf("checkpoints after %d appends: %+v; want one written on the way", sqldb.CheckpointEvery+1, cps)
	}
}
