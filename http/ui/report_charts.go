package ui

// Bar charts of the department reports, drawn on the server as SVG with
// presentation attributes only (the CSP allows no inline styles): one of
// the headline count per child area, and one per attribute whose values
// the report counts side by side (disability by type, units by kind …).

// The geometry of a chart, in SVG user units.
const (
	chartLabelW = 120 // labels end here, right-aligned
	chartBarX   = 128 // bars start here
	chartBarMax = 200 // the longest bar
	chartRowH   = 22
	chartWidth  = chartBarX + chartBarMax + 56 // room for the number after the longest bar
)

type barChart struct {
	Title         string
	Bars          []chartBar
	Width, Height int
	LabelX, BarX  int
}

type chartBar struct {
	Label string
	N     int
	W     int // the bar's width
	Y     int // the bar's top
	TextY int // the baseline of its label and number
	NumX  int // where its number starts
}

// newChart lays out bars scaled to the largest value.
func newChart(title string, labels []string, values []int) barChart {
	c := barChart{Title: title, Width: chartWidth, Height: len(values)*chartRowH + 4, LabelX: chartLabelW, BarX: chartBarX}
	top := 0
	for _, n := range values {
		top = max(top, n)
	}
	for i, n := range values {
		b := chartBar{Label: labels[i], N: n, Y: i*chartRowH + 4, TextY: i*chartRowH + 19}
		if top > 0 {
			b.W = n * chartBarMax / top
		}
		if n > 0 && b.W == 0 {
			b.W = 1 // a count that is not zero shows
		}
		b.NumX = chartBarX + b.W + 6
		c.Bars = append(c.Bars, b)
	}
	return c
}

// lineCharts draws the headline column (the first) per child area, and
// the totals of every group of columns that share a chart.
func lineCharts(v *lineReportView, en bool) []barChart {
	if len(v.Columns) == 0 {
		return nil
	}
	var out []barChart
	if len(v.Rows) > 1 {
		var labels []string
		var values []int
		for _, r := range v.Rows {
			labels, values = append(labels, r.Name), append(values, r.Counts[0])
		}
		title := v.Columns[0].Zh
		if en {
			title = v.Columns[0].En
		}
		out = append(out, newChart(title, labels, values))
	}
	var order []string
	labels, values := map[string][]string{}, map[string][]int{}
	for i, c := range v.Columns {
		chart, label := c.Chart, c.Label
		if en {
			chart, label = c.ChartEn, c.LabelEn
		}
		if chart == "" {
			continue
		}
		if _, ok := labels[chart]; !ok {
			order = append(order, chart)
		}
		labels[chart] = append(labels[chart], label)
		values[chart] = append(values[chart], v.Total[i])
	}
	for _, name := range order {
		out = append(out, newChart(name, labels[name], values[name]))
	}
	return out
}
