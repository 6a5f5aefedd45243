// Package schemacheck validates Open311 answers against JSON schemas: the
// few keywords GeoReport v2's schemas use (type, required, properties,
// additionalProperties, enum, anyOf, items, maxLength, minItems, format
// date-time and uri, and $ref to another file of the set or a JSON pointer
// in one). An XML answer is read into elements and turned into the same
// tree by element names, guided by the schema (an element the schema
// calls an array is the list of its children; an empty element is null
// where null is allowed; a number or a boolean is read from its text), so
// one schema checks both formats. Imported only by tests.
package schemacheck

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Set is a directory of schema files, referred to by file name.
type Set struct {
	docs map[string]any
}

// Load reads every *.json file of dir.
func Load(dir string) (*Set, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("schemacheck: no schema in %s", dir)
	}
	s := &Set{docs: map[string]any{}}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("schemacheck: %s: %w", p, err)
		}
		s.docs[filepath.Base(p)] = doc
	}
	return s, nil
}

// Has reports whether ref ("file.json" or "file.json#/pointer") names a
// schema of the set.
func (s *Set) Has(ref string) bool {
	_, err := s.resolve(ref)
	return err == nil
}

// resolve returns the schema ref names.
func (s *Set) resolve(ref string) (any, error) {
	file, pointer, _ := strings.Cut(ref, "#")
	doc, ok := s.docs[file]
	if !ok {
		return nil, fmt.Errorf("schemacheck: no schema file %q", file)
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if tok == "" {
			continue
		}
		m, ok := doc.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("schemacheck: %s: %q is not an object", ref, tok)
		}
		if doc, ok = m[tok]; !ok {
			return nil, fmt.Errorf("schemacheck: %s: no %q", ref, tok)
		}
	}
	return doc, nil
}

// Array is a schema of an array of what ref names (the swagger file
// defines single objects, an answer is a list of them).
func Array(ref string) map[string]any {
	return map[string]any{"type": "array", "items": map[string]any{"$ref": ref}}
}

// Errors are the places where a value breaks its schema.
type Errors []string

func (e Errors) Error() string { return strings.Join(e, "; ") }

// CheckJSON validates a JSON document against the schema (a ref string
// or a schema value; a ref inside a file is resolved against that file).
func (s *Set) CheckJSON(schema any, doc []byte) error {
	var v any
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return fmt.Errorf("schemacheck: not JSON: %w", err)
	}
	return s.Check(schema, v)
}

// Check validates a decoded value (json.Number or float64 for numbers).
func (s *Set) Check(schema any, v any) error {
	c := &checker{set: s}
	sch, base, err := c.deref(schema, "")
	if err != nil {
		return err
	}
	c.check(sch, base, v, "$")
	if len(c.errs) > 0 {
		return c.errs
	}
	return nil
}

// CheckXML reads an XML document and validates it against the schema as
// the tree its elements make; it returns the root element's name too.
func (s *Set) CheckXML(schema any, doc []byte) (root string, err error) {
	el, err := ParseXML(doc)
	if err != nil {
		return "", err
	}
	c := &checker{set: s}
	sch, base, err := c.deref(schema, "")
	if err != nil {
		return el.Name, err
	}
	v := c.fromXML(el, sch, base)
	return el.Name, s.Check(schema, v)
}

type checker struct {
	set  *Set
	errs Errors
}

func (c *checker) fail(path, format string, args ...any) {
	c.errs = append(c.errs, path+": "+fmt.Sprintf(format, args...))
}

// deref follows $ref (and a bare ref string) to a schema object; base is
// the file later relative refs resolve in.
func (c *checker) deref(schema any, base string) (map[string]any, string, error) {
	for range 20 {
		var ref string
		switch sch := schema.(type) {
		case string:
			ref = sch
		case map[string]any:
			r, ok := sch["$ref"].(string)
			if !ok {
				return sch, base, nil
			}
			ref = r
		default:
			return nil, base, fmt.Errorf("schemacheck: a schema is an object, not %T", schema)
		}
		if strings.HasPrefix(ref, "#") {
			ref = base + ref
		}
		file, _, _ := strings.Cut(ref, "#")
		next, err := c.set.resolve(ref)
		if err != nil {
			return nil, base, err
		}
		schema, base = next, file
	}
	return nil, base, errors.New("schemacheck: $ref loops")
}

func (c *checker) check(sch map[string]any, base string, v any, path string) {
	if alts, ok := sch["anyOf"].([]any); ok {
		var first Errors
		matched := false
		for i, alt := range alts {
			a, b, err := c.deref(alt, base)
			if err != nil {
				c.fail(path, "%v", err)
				return
			}
			sub := &checker{set: c.set}
			sub.check(a, b, v, path)
			if len(sub.errs) == 0 {
				matched = true
				break
			}
			if i == 0 {
				first = sub.errs
			}
		}
		if !matched {
			c.fail(path, "matches none of anyOf (first: %v)", first)
		}
	}
	if t, ok := sch["type"]; ok && !c.typeOK(t, v) {
		c.fail(path, "is %s, want %v", kind(v), t)
		return
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) && kind(e) == kind(v) {
				found = true
			}
		}
		if !found {
			c.fail(path, "%v is not one of %v", v, enum)
		}
	}
	switch v := v.(type) {
	case string:
		if max, ok := number(sch["maxLength"]); ok && float64(len([]rune(v))) > max {
			c.fail(path, "is %d characters long, at most %v", len([]rune(v)), max)
		}
		switch sch["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				c.fail(path, "%q is not a date-time (RFC 3339 with an offset)", v)
			}
		case "uri":
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" && u.Opaque == "" {
				c.fail(path, "%q is not an absolute URI", v)
			}
		}
	case []any:
		if min, ok := number(sch["minItems"]); ok && float64(len(v)) < min {
			c.fail(path, "has %d items, at least %v", len(v), min)
		}
		if items, ok := sch["items"]; ok {
			is, ib, err := c.deref(items, base)
			if err != nil {
				c.fail(path, "%v", err)
				return
			}
			for i, e := range v {
				c.check(is, ib, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case map[string]any:
		if req, ok := sch["required"].([]any); ok {
			for _, r := range req {
				if _, ok := v[fmt.Sprint(r)]; !ok {
					c.fail(path, "lacks the required %q", r)
				}
			}
		}
		props, _ := sch["properties"].(map[string]any)
		for k, pv := range v {
			ps, ok := props[k]
			if !ok {
				if sch["additionalProperties"] == false {
					c.fail(path, "has %q, which the schema does not allow", k)
				}
				continue
			}
			p, pb, err := c.deref(ps, base)
			if err != nil {
				c.fail(path, "%v", err)
				continue
			}
			c.check(p, pb, pv, path+"."+k)
		}
	}
}

// typeOK reports whether v is of the type t names (a name or a list).
func (c *checker) typeOK(t any, v any) bool {
	if ts, ok := t.([]any); ok {
		for _, one := range ts {
			if c.typeOK(one, v) {
				return true
			}
		}
		return false
	}
	switch t {
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := number(v)
		return ok
	case "integer":
		f, ok := number(v)
		return ok && f == math.Trunc(f)
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	}
	return 0, false
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, json.Number, int:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// Element is an XML element: its name, its text and its child elements.
type Element struct {
	Name     string
	Text     string
	Children []*Element
}

// ParseXML reads a document into its root element. Attributes are not
// read: GeoReport v2 has none.
func ParseXML(doc []byte) (*Element, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var stack []*Element
	var root *Element
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" && root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, fmt.Errorf("schemacheck: not XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := &Element{Name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, el)
			} else if root != nil {
				return nil, errors.New("schemacheck: two root elements")
			} else {
				root = el
			}
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			} else if strings.TrimSpace(string(t)) != "" {
				return nil, errors.New("schemacheck: text outside the root element")
			}
		}
	}
}

// fromXML turns an element into the value the schema describes.
func (c *checker) fromXML(el *Element, sch map[string]any, base string) any {
	empty := len(el.Children) == 0 && strings.TrimSpace(el.Text) == ""
	if alts, ok := sch["anyOf"].([]any); ok {
		var firstNonNull map[string]any
		var firstBase string
		for _, alt := range alts {
			a, b, err := c.deref(alt, base)
			if err != nil {
				continue
			}
			if a["type"] == "null" {
				if empty {
					return nil
				}
				continue
			}
			v := c.fromXML(el, a, b)
			sub := &checker{set: c.set}
			if sub.check(a, b, v, "$"); len(sub.errs) == 0 {
				return v
			}
			if firstNonNull == nil {
				firstNonNull, firstBase = a, b
			}
		}
		if firstNonNull != nil {
			return c.fromXML(el, firstNonNull, firstBase)
		}
	}
	t, _ := sch["type"].(string)
	_, hasProps := sch["properties"]
	switch {
	case t == "array":
		out := []any{}
		is, ib, err := c.deref(sch["items"], base)
		for _, ch := range el.Children {
			if err != nil || sch["items"] == nil {
				out = append(out, generic(ch))
				continue
			}
			out = append(out, c.fromXML(ch, is, ib))
		}
		return out
	case t == "object" || hasProps || len(el.Children) > 0:
		props, _ := sch["properties"].(map[string]any)
		out := map[string]any{}
		for _, ch := range el.Children {
			if ps, ok := props[ch.Name]; ok {
				if p, pb, err := c.deref(ps, base); err == nil {
					out[ch.Name] = c.fromXML(ch, p, pb)
					continue
				}
			}
			out[ch.Name] = generic(ch)
		}
		return out
	}
	text := strings.TrimSpace(el.Text)
	switch t {
	case "number", "integer":
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(text); err == nil && (text == "true" || text == "false") {
			return b
		}
	case "null":
		if empty {
			return nil
		}
	}
	return el.Text
}

// generic is an element the schema says nothing of: its text, or an
// object of its children.
func generic(el *Element) any {
	if len(el.Children) == 0 {
		return el.Text
	}
	out := map[string]any{}
	for _, ch := range el.Children {
		out[ch.Name] = generic(ch)
	}
	return out
}
