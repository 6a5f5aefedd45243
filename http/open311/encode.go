package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// An answer is built once as a tree and written in the format the path's
// extension names. GeoReport v2 defines each answer in both formats: a
// JSON object's fields are the XML element's children in the same order,
// and a JSON array is an element whose children all carry one name
// (<services><service>…). So a tree of ordered objects, named lists and
// scalars writes both, and the two can never disagree.

// obj is an object whose fields keep their order.
type obj []field

type field struct {
	k string
	v any // string, int, int64, float64, bool, nil, obj, list
}

// list is an array; item is the element name of each entry in XML.
type list struct {
	item string
	v    []any
}

// format is how an answer is written.
type format string

const (
	formatJSON format = "json"
	formatXML  format = "xml"
)

// write answers status with v in the format f; root names XML's root
// element (the spec's: services, service_definition, service_requests,
// errors, discovery, service_request_updates).
func write(w http.ResponseWriter, f format, status int, root string, v any) {
	var b bytes.Buffer
	if f == formatXML {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		b.WriteString(xml.Header)
		writeXML(&b, root, v)
		b.WriteByte('\n')
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		writeJSON(&b, v)
		b.WriteByte('\n')
	}
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case obj:
		b.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, f.k)
			b.WriteByte(':')
			writeJSON(b, f.v)
		}
		b.WriteByte('}')
	case list:
		b.WriteByte('[')
		for i, e := range v.v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, v)
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		// nil, bools and integers: encoding/json writes them as JSON has them.
		j, _ := json.Marshal(v)
		b.Write(j)
	}
}

// writeJSONString writes s as a JSON string without encoding/json's
// HTML escapes (a description's "<" stays "<"; the content type is JSON).
func writeJSONString(b *bytes.Buffer, s string) {
	var e bytes.Buffer
	enc := json.NewEncoder(&e)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Write(bytes.TrimRight(e.Bytes(), "\n"))
}

func writeXML(b *bytes.Buffer, name string, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("<" + name + "/>")
		return
	case list:
		b.WriteString("<" + name + ">")
		for _, e := range v.v {
			writeXML(b, v.item, e)
		}
		b.WriteString("</" + name + ">")
		return
	case obj:
		b.WriteString("<" + name + ">")
		for _, f := range v {
			writeXML(b, f.k, f.v)
		}
		b.WriteString("</" + name + ">")
		return
	}
	b.WriteString("<" + name + ">")
	switch v := v.(type) {
	case string:
		xml.EscapeText(b, []byte(v))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	}
	b.WriteString("</" + name + ">")
}

// orNull is s, or JSON's null (XML's empty element) when s is empty: the
// spec's optional fields are null when there is nothing to say.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
