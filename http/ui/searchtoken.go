package ui

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// An ID number typed into the residents' ledger search must not land in
// a URL: browser history, the page's own links (sorting, pages, exports),
// a proxy's log. The search form posts; a search for an ID number then
// goes on under an opaque search token (qt=) in place of q=. The token is
// the query sealed (AES-GCM) under a key the core derives from the
// session's own secret token (whttp.SessionKey), with an expiry: only the
// session that searched can open it, any server of a cluster can (the
// session cookie travels with every request, nothing is stored), and it
// stops working after searchTokenTTL or at logout.

// searchTokenTTL is how long the links of an ID-number search work.
const searchTokenTTL = 30 * time.Minute

// searchTokenParam is the query parameter carrying a search token.
const searchTokenParam = "qt"

// searchKeyPurpose names the session key the tokens are sealed under.
const searchKeyPurpose = "wangge ledger search token"

var errSearchExpired = wangge.Invalid("q", "error.search.expired")

// searchAEAD returns the cipher of the request's session.
func searchAEAD(r *http.Request) (cipher.AEAD, bool) {
	key, ok := whttp.SessionKey(r, searchKeyPurpose)
	if !ok {
		return nil, false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	aead, err := cipher.NewGCM(block)
	return aead, err == nil
}

// sealSearch returns the search token of q for the request's session.
func (s *ledgerFilters) sealSearch(r *http.Request, q string) (string, error) {
	aead, ok := searchAEAD(r)
	if !ok {
		// Pages need a session, so only a request without one gets here.
		return "", wangge.E(wangge.EUnauthorized, "error.search.session")
	}
	plain := binary.BigEndian.AppendUint64(nil, uint64(s.core.Now().Add(searchTokenTTL).Unix()))
	plain = append(plain, q...)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, nil)), nil
}

// openSearch returns the query a search token holds. A token of another
// session, a forged or an expired one is refused alike.
func (s *ledgerFilters) openSearch(r *http.Request, tok string) (string, error) {
	aead, ok := searchAEAD(r)
	if !ok {
		return "", errSearchExpired
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < aead.NonceSize() {
		return "", errSearchExpired
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], nil)
	if err != nil || len(plain) < 8 {
		return "", errSearchExpired
	}
	if !s.core.Now().Before(time.Unix(int64(binary.BigEndian.Uint64(plain)), 0)) {
		return "", errSearchExpired
	}
	return string(plain[8:]), nil
}

// hideIDSearch rewrites query values whose q is an ID number to carry a
// search token instead; it reports whether it did.
func (s *ledgerFilters) hideIDSearch(r *http.Request, v url.Values) (bool, error) {
	if _, ok := wangge.SearchIDNumber(v.Get("q")); !ok {
		return false, nil
	}
	tok, err := s.sealSearch(r, strings.TrimSpace(v.Get("q")))
	if err != nil {
		return false, err
	}
	v.Del("q")
	v.Set(searchTokenParam, tok)
	return true, nil
}

// handleResidentsSearch takes the residents' ledger's search form (it
// posts, so that the query is in no URL) and sends the browser to the
// ledger's page: with q= for an ordinary search, which stays a link one
// may keep, with a search token for an ID number. The filters are checked
// as the page checks them, so an area outside the scope is not found.
func (s *ledgers) handleResidentsSearch(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{}
	for _, k := range []string{"area", "q", "sort"} {
		if x := strings.TrimSpace(r.PostFormValue(k)); x != "" {
			v.Set(k, x)
		}
	}
	check := r.Clone(r.Context())
	check.URL.RawQuery = v.Encode()
	if _, err := s.filterOf(check, ledgerResidents); err != nil {
		return err
	}
	if _, err := s.hideIDSearch(r, v); err != nil {
		return err
	}
	http.Redirect(w, r, "/ledgers/residents?"+v.Encode(), http.StatusSeeOther)
	return nil
}
