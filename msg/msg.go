// Package msg is the one message catalogue: the Chinese and English text of
// every message, by key, embedded in the binary. The pages take their words
// from it (ui.*.json), and domain errors carry a key and parameters and take
// their text from it (errors.*.json, and one pair per package whose errors
// it holds: ident, ledger, geo, proposal, passwd, cli).
//
// Files are flat JSON objects, one per part and language, NAME.LANG.json; a
// key is defined once across all of them. Messages are text/template
// strings; parameters fill {{.Name}}.
package msg

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"text/template"
)

// Files holds the message files (*.zh.json, *.en.json).
//
//go:embed *.json
var Files embed.FS

// Languages are the languages every key must have, Chinese first.
var Languages = []string{"zh", "en"}

var (
	once    sync.Once
	texts   map[string]map[string]*template.Template // lang → key → text
	loadErr error
)

func load() {
	texts = map[string]map[string]*template.Template{}
	paths, err := fs.Glob(Files, "*.json")
	if err != nil {
		loadErr = err
		return
	}
	for _, p := range paths {
		parts := strings.Split(p, ".")
		if len(parts) != 3 {
			loadErr = fmt.Errorf("msg: %s: want NAME.LANG.json", p)
			return
		}
		lang := parts[1]
		b, err := Files.ReadFile(p)
		if err != nil {
			loadErr = err
			return
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			loadErr = fmt.Errorf("msg: %s: %w", p, err)
			return
		}
		if texts[lang] == nil {
			texts[lang] = map[string]*template.Template{}
		}
		for k, v := range m {
			if _, dup := texts[lang][k]; dup {
				loadErr = fmt.Errorf("msg: %s: key %q is defined twice", p, k)
				return
			}
			t, err := template.New(k).Option("missingkey=error").Parse(v)
			if err != nil {
				loadErr = fmt.Errorf("msg: %s: %s: %w", p, k, err)
				return
			}
			texts[lang][k] = t
		}
	}
}

// Check loads the catalogue and reports a broken file, or a key that one
// language has and another lacks.
func Check() error {
	once.Do(load)
	if loadErr != nil {
		return loadErr
	}
	for _, l := range Languages {
		for _, o := range Languages {
			for k := range texts[l] {
				if texts[o][k] == nil {
					return fmt.Errorf("msg: key %q has %s text but no %s text", k, l, o)
				}
			}
		}
	}
	return nil
}

// Has reports whether the catalogue holds key in every language.
func Has(key string) bool {
	once.Do(load)
	for _, l := range Languages {
		if texts[l][key] == nil {
			return false
		}
	}
	return true
}

// Keys returns every key, sorted.
func Keys() []string {
	once.Do(load)
	var ks []string
	for k := range texts[Languages[0]] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Text returns the text of key in lang ("zh" or "en"; anything else is
// Chinese) with the parameters filled in. A missing key or parameter gives
// the key itself, so that a gap shows rather than breaks a page.
func Text(lang, key string, params map[string]any) string {
	once.Do(load)
	if lang != "en" {
		lang = "zh"
	}
	t := texts[lang][key]
	if t == nil {
		return key
	}
	var b bytes.Buffer
	if err := t.Execute(&b, params); err != nil {
		return key
	}
	return b.String()
}

// Params turns name/value pairs, as error constructors take them, into a
// message's parameters; nil for none.
func Params(kv ...any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}
