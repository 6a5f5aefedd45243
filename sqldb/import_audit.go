package sqldb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/wangge/wangge"
)

// recordAudit is the audit entry of one record an import added or changed:
// "who changed this person, when, through which import" has an answer for
// every person, household, unit and membership, without a million calls to
// Tx.audit (three statements each). The entry names the import job and
// the fields changed, never their values.
//
// The entries are kept in memory, compactly (a million-row import keeps a
// million), and written when the import ends: appending holds the chain's
// head, which in PostgreSQL would otherwise stop every other audited
// change in the cluster for as long as the import runs.
type recordAudit struct {
	id     int64
	grid   string
	object uint8 // index in recordObjects
	status wangge.ImportStatus
	fields uint64 // bits: indexes in importer.fieldNames
}

var recordObjects = []string{"person", "household", "unit", "membership"}

// record notes an entry for a record the import adds or changes. A dry
// run notes nothing.
func (im *importer) record(object string, id int64, grid string, status wangge.ImportStatus, fields []string) {
	if im.dry {
		return
	}
	o := uint8(0)
	for i, x := range recordObjects {
		if x == object {
			o = uint8(i)
		}
	}
	var bits uint64
	for _, f := range fields {
		bits |= 1 << im.fieldBit(f)
	}
	im.audits = append(im.audits, recordAudit{id: id, grid: grid, object: o, status: status, fields: bits})
}

// fieldBit interns a field name. Past 63 names (key-group attributes are
// the only open set) the rest share the last bit, named by their prefix.
func (im *importer) fieldBit(f string) uint {
	for i, x := range im.fieldNames {
		if x == f {
			return uint(i)
		}
	}
	if len(im.fieldNames) == 63 {
		im.fieldNames = append(im.fieldNames, "attrs")
	}
	if len(im.fieldNames) >= 64 {
		return 63
	}
	im.fieldNames = append(im.fieldNames, f)
	return uint(len(im.fieldNames) - 1)
}

var auditLogCols = []string{"seq", "at", "user_id", "username", "role", "addr", "action", "object", "object_id", "grid_code", "detail", "prev_hash", "hash"}

// flushAudits appends the noted entries to the chain: one update of the
// head reserves their sequence numbers (and locks the head, as Tx.audit
// does), the links are chained in memory, multi-row INSERTs write them.
func (im *importer) flushAudits() error {
	es := im.audits
	if len(es) == 0 || im.dry {
		return nil
	}
	im.audits = nil
	tx := im.tx
	var last int64
	var prev []byte
	if err := tx.queryRow(`UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash`, len(es)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	if prev == nil {
		prev = []byte{}
	}
	link, err := tx.linker()
	if err != nil {
		return err
	}
	a := tx.actor
	// The detail is written out rather than marshalled from a map per
	// entry. The keys are in the order json.Marshal gives a map's.
	file, _ := json.Marshal(im.opt.File)
	job, _ := json.Marshal(im.job)
	tail := `],"file":` + string(file) + `,"job":` + string(job) + `,"status":"`
	quoted := make([][]byte, len(im.fieldNames))
	for i, f := range im.fieldNames {
		quoted[i], _ = json.Marshal(f)
	}
	var b strings.Builder
	const chunk = 5000 // rows of arguments built at a time
	for lo := 0; lo < len(es); lo += chunk {
		part := es[lo:min(lo+chunk, len(es))]
		args := make([]any, 0, len(part)*len(auditLogCols))
		for i, r := range part {
			b.Reset()
			b.WriteString(`{"fields":[`)
			first := true
			for bit := 0; bit < len(im.fieldNames); bit++ {
				if r.fields&(1<<bit) == 0 {
					continue
				}
				if !first {
					b.WriteByte(',')
				}
				first = false
				b.Write(quoted[bit])
			}
			b.WriteString(tail)
			b.WriteString(r.status.String())
			b.WriteString(`"}`)
			object := recordObjects[r.object]
			e := wangge.AuditEntry{Seq: last - int64(len(es)) + 1 + int64(lo+i), At: tx.now, UserID: a.UserID, Username: a.Username, Role: a.Role, Addr: a.Addr,
				Action: object + ".import", Object: object, ObjectID: strconv.FormatInt(r.id, 10), GridCode: r.grid, PrevHash: prev, Detail: b.String()}
			e.Hash = link(&e)
			prev = e.Hash
			args = append(args, e.Seq, e.At, e.UserID, e.Username, string(e.Role), e.Addr, e.Action, e.Object, e.ObjectID, e.GridCode, e.Detail, e.PrevHash, e.Hash)
		}
		if err := im.insert("audit_log", auditLogCols, args); err != nil {
			return fmt.Errorf("audit append: %w", err)
		}
	}
	if _, err := tx.exec(`UPDATE audit_head SET hash = ? WHERE id = 1`, prev); err != nil {
		return err
	}
	tx.lastSeq, tx.lastLink = last, prev
	return nil
}
