package open311

import (
	"context"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// HeldStore keeps the Open311 requests whose address named no single
// building until staff place them (the store's held requests): a token
// for the client, and the number once the request is a case.
type HeldStore interface {
	HoldReport(ctx context.Context, r casework.HeldReport) (token string, err error)
	HeldByToken(ctx context.Context, token string) (number string, found bool, err error)
}

// heldHolder holds requests in the store.
type heldHolder struct{ store HeldStore }

func (h heldHolder) hold(ctx context.Context, rep casework.PublicReport, words string) (string, error) {
	return h.store.HoldReport(ctx, casework.HeldReport{
		Source: rep.Source, CategoryCode: rep.Category.Code, Description: rep.Description, Attributes: rep.Attributes,
		Address: words, Name: rep.Name, Phone: rep.Phone, Email: rep.Email, Lang: rep.Lang, MediaURL: rep.MediaURL,
		APIKeyID: rep.APIKeyID, Limits: rep.Limits,
	})
}

func (h heldHolder) byToken(ctx context.Context, token string) (string, bool, error) {
	return h.store.HeldByToken(ctx, token)
}

func init() {
	newHolder = func(store wangge.Store) holder {
		if hs, ok := store.(HeldStore); ok {
			return heldHolder{hs}
		}
		return nil
	}
}
