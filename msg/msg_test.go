package msg

import (
	"strings"
	"testing"
)

func TestCatalogueHasEveryKeyInEveryLanguage(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	if len(Keys()) == 0 {
		t.Fatal("the catalogue is empty")
	}
}

func TestTextFillsParametersAndShowsAGapAsItsKey(t *testing.T) {
	if got := Text("zh", "error.building.not_empty", map[string]any{"N": 3}); got != "楼院内仍有 3 户，不能删除。" {
		t.Errorf("zh: %q", got)
	}
	if got := Text("en", "error.building.not_empty", map[string]any{"N": 3}); !strings.Contains(got, "still holds 3 households") {
		t.Errorf("en: %q", got)
	}
	if got := Text("fr", "error.building.not_empty", map[string]any{"N": 3}); !strings.HasPrefix(got, "楼院内仍有 3") {
		t.Errorf("another language falls back to Chinese: %q", got)
	}
	if got := Text("zh", "error.no.such.key", nil); got != "error.no.such.key" {
		t.Errorf("a missing key: %q", got)
	}
	if got := Text("zh", "error.building.not_empty", nil); got != "error.building.not_empty" {
		t.Errorf("a missing parameter: %q", got)
	}
}

// TestOneSpellingOfLedger: the catalogue writes 台账, the standard form,
// never the variant 台帐.
func TestOneSpellingOfLedger(t *testing.T) {
	for _, k := range Keys() {
		for _, l := range Languages {
			if s := Text(l, k, nil); strings.Contains(s, "台帐") {
				t.Errorf("%s (%s) writes 台帐: %s", k, l, s)
			}
		}
	}
}
