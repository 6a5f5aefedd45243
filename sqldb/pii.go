package sqldb

import (
	"fmt"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// Field names bind each ciphertext and blind index to its column.
const (
	fPersonID    = "persons.id_number"
	fPersonPhone = "persons.phone"
	fHouseholdPh = "households.phone"
	fUnitPhone   = "units.contact_phone"
	fAssistantPh = "assistants.phone"
	fHeadPhone   = "building_heads.phone"
)

func maskPhone(s string) string { return ident.MaskPhone(s) }
func maskID(s string) string    { return ident.MaskID(s) }
func plain(s string) string     { return s }

// openMasked decrypts a sealed field and masks it for an ordinary read.
func (db *DB) openMasked(field string, sealed []byte, mask func(string) string) (string, error) {
	v, err := db.box.Open(field, sealed)
	if err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	if v == "" {
		return "", nil
	}
	return mask(v), nil
}

// parsePhone validates and normalises a phone for storage.
func parsePhone(field, s string) (string, error) {
	p, err := ident.ParsePhone(s)
	if err != nil {
		if e, ok := err.(*ident.Error); ok {
			return "", &wangge.Error{Code: wangge.EInvalid, Field: field, Key: e.Key, Params: e.Params}
		}
		return "", err
	}
	return string(p), nil
}

// masked reports whether a value came from a masked read and so stands for
// "unchanged" on update.
func masked(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' {
			return true
		}
	}
	return false
}
