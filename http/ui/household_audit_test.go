package ui

import (
	"context"
	"fmt"
	"testing"

	"github.com/wangge/wangge"
)

// TestHouseholdViewIsAudited: opening a household's file leaves an entry
// naming the viewer and the household.
func TestHouseholdViewIsAudited(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	scenario{url: fmt.Sprintf("/households/%d", f.householdA2.ID), as: "dongyuan", status: 200}.run(t, h)
	es, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "household.view", Username: "dongyuan"})
	if err != nil || len(es) != 1 || es[0].ObjectID != fmt.Sprint(f.householdA2.ID) || es[0].Addr == "" {
		t.Fatalf("household views audited: %+v, %v", es, err)
	}
}
