package open311

import (
	"net/http"
	"strings"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// changeset is when this API last changed as discovery describes it: a
// client that cached the service list may compare it.
const changeset = "2026-12-02T00:00:00+08:00"

// Specifications discovery names.
const (
	specGeoReport = "http://wiki.open311.org/GeoReport_v2"
)

// handleDiscovery answers discovery: the one production endpoint, its
// formats, and who to ask for a key.
func (h *handlers) handleDiscovery(w http.ResponseWriter, r *http.Request, c *call) error {
	base := h.core.Options().PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	endpoint := obj{
		{"specification", specGeoReport},
		{"url", strings.TrimSuffix(base, "/") + strings.TrimSuffix(Prefix, "/")},
		{"changeset", changeset},
		{"type", "production"},
		{"formats", list{item: "format", v: []any{"text/xml", "application/json"}}},
	}
	write(w, c.format, http.StatusOK, "discovery", obj{
		{"changeset", changeset},
		{"contact", c.text("open311.discovery.contact")},
		{"key_service", c.text("open311.discovery.key_service")},
		{"endpoints", list{item: "endpoint", v: []any{endpoint}}},
	})
	return nil
}

// categories are what a client may report: the problem types and the
// active entries of the services catalogue.
func (h *handlers) categories(r *http.Request) ([]casework.Category, map[string]wangge.Service, error) {
	services, err := h.cat.ListServices(r.Context(), "", true)
	if err != nil {
		return nil, nil, err
	}
	byCode := make(map[string]wangge.Service, len(services))
	for _, s := range services {
		byCode[s.Code] = s
	}
	return casework.Categories(services), byCode, nil
}

// category returns the reportable category of code, or false.
func (h *handlers) category(r *http.Request, code string) (casework.Category, bool, error) {
	cats, _, err := h.categories(r)
	if err != nil {
		return casework.Category{}, false, err
	}
	for _, cat := range cats {
		if cat.Code == code {
			return cat, true, nil
		}
	}
	return casework.Category{}, false, nil
}

// handleServices answers services: one entry per category, grouped by its
// business line, metadata true where a definition asks for more.
func (h *handlers) handleServices(w http.ResponseWriter, r *http.Request, c *call) error {
	cats, services, err := h.categories(r)
	if err != nil {
		return err
	}
	out := list{item: "service"}
	for _, cat := range cats {
		out.v = append(out.v, obj{
			{"service_code", cat.Code},
			{"service_name", c.nameOf(cat)},
			{"description", c.describe(cat, services[cat.Code])},
			{"metadata", len(cat.Attributes) > 0},
			{"type", "realtime"},
			{"keywords", c.keywords(cat)},
			{"group", c.text("line." + string(cat.Line))},
		})
	}
	write(w, c.format, http.StatusOK, "services", out)
	return nil
}

// nameOf is a category's name in the call's language (a service of the
// catalogue has only its Chinese name).
func (c *call) nameOf(cat casework.Category) string {
	if c.lang == "en" && cat.NameEn != "" {
		return cat.NameEn
	}
	return cat.Name
}

// describe is a service's description: the catalogue's own for an entry
// of the hundred services, else who handles it; and the numbers to call
// for an emergency, which a report here does not replace.
func (c *call) describe(cat casework.Category, s wangge.Service) string {
	d := s.Description
	if d == "" {
		d = c.text("open311.service.handled_by", "Department", cat.Department)
	}
	if len(cat.Calls) > 0 {
		d += " " + c.text("open311.service.calls", "Calls", strings.Join(cat.Calls, "/"))
	}
	return d
}

// keywords are the words a client may match a resident's words against:
// both names and the department.
func (c *call) keywords(cat casework.Category) string {
	words := []string{cat.Name}
	if cat.NameEn != "" {
		words = append(words, cat.NameEn)
	}
	words = append(words, cat.Department)
	return strings.Join(words, ",")
}

// handleDefinition answers services/{code}: the attributes a request of
// the category may or must carry (an empty list where none).
func (h *handlers) handleDefinition(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := known(r); err != nil {
		return err
	}
	cat, ok, err := h.category(r, c.name)
	if err != nil {
		return err
	}
	if !ok {
		return errNoService(c.name)
	}
	attrs := list{item: "attribute"}
	for _, a := range cat.Attributes {
		values := list{item: "value"}
		for _, v := range a.Values {
			name := v.Name
			if c.lang == "en" && v.NameEn != "" {
				name = v.NameEn
			}
			values.v = append(values.v, obj{{"key", v.Key}, {"name", name}})
		}
		desc := a.Description
		if c.lang == "en" && a.DescriptionEn != "" {
			desc = a.DescriptionEn
		}
		if desc == "" {
			desc = a.Name
			if c.lang == "en" && a.NameEn != "" {
				desc = a.NameEn
			}
		}
		attrs.v = append(attrs.v, obj{
			{"variable", true},
			{"code", a.Code},
			{"datatype", a.Datatype},
			{"required", a.Required},
			{"datatype_description", c.text("open311.datatype." + a.Datatype)},
			{"order", a.Order},
			{"description", desc},
			{"values", values},
		})
	}
	write(w, c.format, http.StatusOK, "service_definition", obj{{"service_code", cat.Code}, {"attributes", attrs}})
	return nil
}

func errNoService(code string) error {
	return wangge.E(wangge.ENotFound, "open311.error.no_service", "Code", code)
}
