package sqldb

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wangge/wangge"
)

// recordAudit is the audit entry of one record an import added or changed:
// "who changed this person, when, through which import" has an answer for
// every person, household, unit and membership, without a million calls to
// Tx.audit (three statements each). The entry names the import job and
// the fields changed, never their values.
type recordAudit struct {
	action, object string
	id             int64
	grid           string
	status         wangge.ImportStatus
	fields         []string
}

// record notes an entry for a record the import adds or changes; written
// by flushAudits, in the import's transaction. A dry run notes nothing.
func (im *importer) record(object string, id int64, grid string, status wangge.ImportStatus, fields []string) {
	if im.dry {
		return
	}
	im.audits = append(im.audits, recordAudit{action: object + ".import", object: object, id: id, grid: grid, status: status, fields: fields})
}

var auditLogCols = []string{"seq", "at", "user_id", "username", "role", "addr", "action", "object", "object_id", "grid_code", "detail", "prev_hash", "hash"}

// flushAudits appends the noted entries to the chain: one update of the
// head reserves their sequence numbers (and locks the head, as Tx.audit
// does), the hashes are chained in memory, multi-row INSERTs write them.
func (im *importer) flushAudits() error {
	es := im.audits
	if len(es) == 0 || im.dry {
		return nil
	}
	im.audits = im.audits[:0]
	tx := im.tx
	var last int64
	var prev []byte
	if err := tx.queryRow(`UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash`, len(es)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	if prev == nil {
		prev = []byte{}
	}
	args := make([]any, 0, len(es)*len(auditLogCols))
	a := tx.actor
	// The detail is written out rather than marshalled from a map per
	// entry: a big import writes a million of them. The keys are in the
	// order json.Marshal gives a map's.
	file, _ := json.Marshal(im.opt.File)
	job, _ := json.Marshal(im.job)
	tail := `],"file":` + string(file) + `,"job":` + string(job) + `,"status":"`
	var b strings.Builder
	for i, r := range es {
		b.Reset()
		b.WriteString(`{"fields":[`)
		for k, f := range r.fields {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(f) // field names are identifiers: nothing to escape
			b.WriteByte('"')
		}
		b.WriteString(tail)
		b.WriteString(r.status.String())
		b.WriteString(`"}`)
		e := wangge.AuditEntry{Seq: last - int64(len(es)) + 1 + int64(i), At: tx.now, UserID: a.UserID, Username: a.Username, Role: a.Role, Addr: a.Addr,
			Action: r.action, Object: r.object, ObjectID: fmt.Sprint(r.id), GridCode: r.grid, PrevHash: prev,
			Detail: b.String()}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		args = append(args, e.Seq, e.At, e.UserID, e.Username, string(e.Role), e.Addr, e.Action, e.Object, e.ObjectID, e.GridCode, e.Detail, e.PrevHash, e.Hash)
	}
	if err := im.insert("audit_log", auditLogCols, args); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	_, err := tx.exec(`UPDATE audit_head SET hash = ? WHERE id = 1`, prev)
	return err
}
