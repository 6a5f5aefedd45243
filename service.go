package wangge

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Line is a business line (条线): the departments whose work reaches the grid.
type Line string

const (
	LineParty   Line = "party"   // 党群
	LineCivil   Line = "civil"   // 民政残联
	LineLabor   Line = "labor"   // 劳动保障
	LineHealth  Line = "health"  // 计生防保
	LineCity    Line = "city"    // 城市管理
	LineOrder   Line = "order"   // 综合治理
	LineGeneral Line = "general" // 综合服务
)

// Lines lists the business lines in display order.
var Lines = []Line{LineParty, LineCivil, LineLabor, LineHealth, LineCity, LineOrder, LineGeneral}

// Valid reports whether l is a known line.
func (l Line) Valid() bool {
	for _, x := range Lines {
		if l == x {
			return true
		}
	}
	return false
}

// Zh returns the Chinese name of the line.
func (l Line) Zh() string {
	switch l {
	case LineParty:
		return "党群"
	case LineCivil:
		return "民政残联"
	case LineLabor:
		return "劳动保障"
	case LineHealth:
		return "计生防保"
	case LineCity:
		return "城市管理"
	case LineOrder:
		return "综合治理"
	case LineGeneral:
		return "综合服务"
	}
	return string(l)
}

// Service is one entry of the hundred-services catalogue (社区百项服务): what a
// resident can ask their assistant for, who is responsible, what to bring and
// how long it may take.
type Service struct {
	ID         int64
	Code       string // S001 …
	Name       string
	Line       Line
	Department string
	Materials  []string
	// TimeLimitDays is the promised time limit in working days; 0 means on
	// the spot.
	TimeLimitDays int
	Description   string
	Active        bool
	Version       int
	UpdatedAt     time.Time
}

// Validate checks the fields staff set.
func (s *Service) Validate() error {
	if s.Code == "" || len(s.Code) > 20 {
		return Invalid("code", "error.service.code")
	}
	if s.Name == "" || len([]rune(s.Name)) > 100 {
		return Invalid("name", "error.service.name")
	}
	if !s.Line.Valid() {
		return Invalid("line", "error.service.line")
	}
	if s.TimeLimitDays < 0 || s.TimeLimitDays > 365 {
		return Invalid("time_limit_days", "error.service.time_limit_days")
	}
	return nil
}

//go:embed seed/services.tsv
var servicesTSV []byte

// DefaultServices returns the catalogue every new database starts with.
func DefaultServices() ([]Service, error) {
	sc := bufio.NewScanner(bytes.NewReader(servicesTSV))
	var out []Service
	for n := 0; sc.Scan(); n++ {
		if n == 0 {
			continue // header
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("services.tsv line %d: %d fields, want 7", n+1, len(f))
		}
		days, err := strconv.Atoi(f[5])
		if err != nil {
			return nil, fmt.Errorf("services.tsv line %d: %v", n+1, err)
		}
		s := Service{Code: f[0], Name: f[1], Line: Line(f[2]), Department: f[3], TimeLimitDays: days, Description: f[6], Active: true}
		if f[4] != "无" && f[4] != "" {
			s.Materials = strings.Split(f[4], "；")
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("services.tsv line %d: %v", n+1, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}
