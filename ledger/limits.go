package ledger

import (
	"errors"
	"io"
)

// Limits bound what one ledger file may hold, so that an import's memory
// and time stay bounded whatever the file claims or holds: each is checked
// while the file streams, and the first one passed refuses the file with
// an error naming the limit (and the row, where there is one).
type Limits struct {
	// Rows bounds the rows below the header, blank ones included. The
	// largest community of the demo district (10 grids of at most 345
	// households) has some 9,500 persons, a sub-district some 66,000; a
	// whole district's 330,000 go community by community. The rows a
	// report keeps grow with it: 200,000 rejected rows take some 100 MB.
	Rows int
	// Columns bounds the cells of one row.
	Columns int
	// CellRunes bounds the characters of one cell: Excel's own limit.
	CellRunes int
	// RowBytes bounds the bytes of one row (a CSV record, an xlsx row's
	// cells, any one XML token of an xlsx part).
	RowBytes int
	// Part bounds the unzipped bytes of any one part of an xlsx file (the
	// sheet): checked against the zip directory before reading and counted
	// while reading, since a directory can lie.
	Part int64
	// SharedStrings bounds the unzipped bytes of the shared strings, which
	// are held in memory while the sheet is read.
	SharedStrings int64
	// Parts bounds the entries of an xlsx file's zip directory.
	Parts int
}

// DefaultLimits are the limits of every import: far above any real
// ledger, far below what would strain the server.
var DefaultLimits = Limits{
	Rows:          200_000,
	Columns:       500,
	CellRunes:     32_767,
	RowBytes:      1 << 20,
	Part:          256 << 20,
	SharedStrings: 64 << 20,
	Parts:         1000,
}

// or fills the zero fields of l from DefaultLimits.
func (l Limits) or() Limits {
	d := DefaultLimits
	if l.Rows > 0 {
		d.Rows = l.Rows
	}
	if l.Columns > 0 {
		d.Columns = l.Columns
	}
	if l.CellRunes > 0 {
		d.CellRunes = l.CellRunes
	}
	if l.RowBytes > 0 {
		d.RowBytes = l.RowBytes
	}
	if l.Part > 0 {
		d.Part = l.Part
	}
	if l.SharedStrings > 0 {
		d.SharedStrings = l.SharedStrings
	}
	if l.Parts > 0 {
		d.Parts = l.Parts
	}
	return d
}

// metaLimit bounds the small parts read whole (the workbook and its
// relationships).
const metaLimit = 4 << 20

var (
	errPartTooLarge = errors.New("ledger: part too large")
	errTokenTooLong = errors.New("ledger: token too long")
	errRowTooLarge  = errors.New("ledger: row too large")
)

// countingReader fails with errPartTooLarge once more than max bytes have
// come through it: the zip directory's size is checked before reading,
// this while reading.
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > c.max {
		return 0, errPartTooLarge
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, errPartTooLarge
	}
	return n, err
}

// budgetReader lets at most max bytes through between resets: in front of
// the CSV reader, reset before each record, it bounds the bytes one record
// (and the reader's buffer ahead of it) can take.
type budgetReader struct {
	r    io.Reader
	left int
	max  int
}

func (b *budgetReader) reset() { b.left = b.max }

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errRowTooLarge
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}

// xmlGuard bounds the bytes of any one token the XML decoder buffers (a
// text, a tag with its attributes, a comment, a CDATA section), so that a
// cell of gigabytes fails after max bytes instead of filling memory. It
// follows the markup just enough to know where a token ends: text ends at
// '<', a tag at '>', a comment at "-->", CDATA at "]]>", an instruction at
// "?>". A document type declaration has no place in an xlsx part and is
// refused, since the decoder buffers it whole.
type xmlGuard struct {
	r     io.Reader
	max   int
	run   int // bytes of the current token
	state byte
	last  [2]byte // the two bytes before, for the end of a comment or CDATA
}

const (
	gText = iota
	gOpen // after '<'
	gTag
	gBang // after "<!"
	gComment
	gCDATA
	gPI
)

var errDoctype = errors.New("a document type declaration")

func (g *xmlGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, b := range p[:n] {
		g.run++
		switch g.state {
		case gText:
			if b == '<' {
				g.state, g.run = gOpen, 1
			}
		case gOpen:
			switch b {
			case '!':
				g.state = gBang
			case '?':
				g.state = gPI
			default:
				g.state = gTag
				if b == '>' {
					g.state, g.run = gText, 0
				}
			}
		case gTag:
			if b == '>' {
				g.state, g.run = gText, 0
			}
		case gBang:
			switch b {
			case '-':
				g.state = gComment
			case '[':
				g.state = gCDATA
			default:
				return 0, errDoctype
			}
		case gComment:
			if b == '>' && g.last == [2]byte{'-', '-'} {
				g.state, g.run = gText, 0
			}
		case gCDATA:
			if b == '>' && g.last == [2]byte{']', ']'} {
				g.state, g.run = gText, 0
			}
		case gPI:
			if b == '>' && g.last[1] == '?' {
				g.state, g.run = gText, 0
			}
		}
		g.last[0], g.last[1] = g.last[1], b
		if g.run > g.max {
			return 0, errTokenTooLong
		}
	}
	return n, err
}
