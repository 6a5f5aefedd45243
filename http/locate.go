package http

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

// Locator keeps the in-process spatial index of the current grid outlines.
// It is rebuilt when the outlines change: at most once a second a request
// asks the store whether they have (a cheap stamp), and a rebuild swaps the
// index in whole, so lookups never wait on it.
type Locator struct {
	store   LocatorStore
	index   atomic.Pointer[geo.Index]
	stamp   atomic.Value // string
	checked atomic.Int64 // unix nanoseconds of the last check
	mu      sync.Mutex   // one rebuild at a time
	answers sync.Map     // grid code → *cachedAnswer
	// now is the clock of the once-a-second check and the answer cache
	// (time.Now when nil); a test stops it to see what pushes alone do.
	now func() time.Time
}

// LocatorStore is what the locator reads: the outlines, their stamp, and
// the names and assistant of the grid a point falls in.
type LocatorStore interface {
	BoundaryStamp(ctx context.Context) (string, error)
	Boundaries(ctx context.Context, prefix string, level wangge.Level, at time.Time) ([]wangge.Boundary, error)
	Area(ctx context.Context, code string) (*wangge.Area, error)
	GridAssistant(ctx context.Context, gridCode string) (*wangge.Assistant, error)
}

func (l *Locator) clock() time.Time {
	if l.now == nil {
		return time.Now()
	}
	return l.now()
}

const (
	locatorRecheck = time.Second
	// answerTTL bounds how long a grid's names and assistant are reused
	// before they are read again (an assistant replaced shows within it).
	answerTTL = 10 * time.Second
)

type cachedAnswer struct {
	ans GridPlace
	at  time.Time
}

// GridPlace is what the locator says of the grid a point lies in: the
// public facts a resident is shown.
type GridPlace struct {
	GridCode, GridName           string
	CommunityCode, CommunityName string
	AssistantName                string
	AssistantPhone               string // the public work phone
}

// Locate returns the grid that holds the point (WGS-84), with its names
// and assistant; ok is false when the point lies in no grid.
func (l *Locator) Locate(ctx context.Context, lng, lat float64) (place GridPlace, ok bool, err error) {
	ix, err := l.current(ctx)
	if err != nil {
		return GridPlace{}, false, err
	}
	code, ok := ix.Locate(lng, lat)
	if !ok {
		return GridPlace{}, false, nil
	}
	return l.answer(ctx, code), true, nil
}

// answer returns what locate says of a grid, read from the store at most
// once per answerTTL.
func (l *Locator) answer(ctx context.Context, code string) GridPlace {
	if c, ok := l.answers.Load(code); ok && l.clock().Sub(c.(*cachedAnswer).at) < answerTTL {
		return c.(*cachedAnswer).ans
	}
	ans := GridPlace{GridCode: code, CommunityCode: wangge.ParentCode(code)}
	if g, err := l.store.Area(ctx, code); err == nil {
		ans.GridName = g.Name
	}
	if c, err := l.store.Area(ctx, ans.CommunityCode); err == nil {
		ans.CommunityName = c.Name
	}
	if a, err := l.store.GridAssistant(ctx, code); err == nil {
		ans.AssistantName, ans.AssistantPhone = a.Name, a.WorkPhone
	}
	l.answers.Store(code, &cachedAnswer{ans: ans, at: l.clock()})
	return ans
}

// current returns an index of the current outlines, rebuilding it first
// when they have changed.
func (l *Locator) current(ctx context.Context) (*geo.Index, error) {
	now := l.clock().UnixNano()
	ix := l.index.Load()
	if ix != nil && now-l.checked.Load() < int64(locatorRecheck) {
		return ix, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ix = l.index.Load(); ix != nil && l.clock().UnixNano()-l.checked.Load() < int64(locatorRecheck) {
		return ix, nil
	}
	stamp, err := l.store.BoundaryStamp(ctx)
	if err != nil {
		return nil, err
	}
	if ix != nil && l.stamp.Load() == stamp {
		l.checked.Store(l.clock().UnixNano())
		return ix, nil
	}
	bs, err := l.store.Boundaries(ctx, "", wangge.LevelGrid, time.Time{})
	if err != nil {
		return nil, err
	}
	areas := make([]geo.Area, 0, len(bs))
	for _, b := range bs {
		a, err := geo.ParseArea(b.AreaCode, b.GeoJSON)
		if err != nil {
			return nil, err
		}
		areas = append(areas, a)
	}
	if ix, err = geo.NewIndex(areas); err != nil {
		return nil, err
	}
	l.index.Store(ix)
	l.answers.Clear() // names may have come with the new outlines
	l.stamp.Store(stamp)
	l.checked.Store(l.clock().UnixNano())
	return ix, nil
}

// follow makes every change the store pushes (PostgreSQL's NOTIFY from any
// server) reach the next lookup: the stamp is checked again, and names and
// assistants are read afresh.
func (l *Locator) follow(changes <-chan struct{}) {
	for range changes {
		l.checked.Store(0)
		l.answers.Clear()
	}
}
