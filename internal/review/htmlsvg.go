package review

import "math"

// A tiny SVG chart model: the chart builders compute geometry in Go and the
// page template renders the elements, escaping every text. Colours come from
// the stylesheet through class names, so charts print and restyle together.
// Each data mark has the class "mark" (the browser test counts them) and a
// <title> child, which browsers show on hover and screen readers announce.

// svgChart is one chart: a title and description for assistive technology,
// a viewBox of W×H, and its elements in drawing order.
type svgChart struct {
	// ID names the chart (data-chart attribute and element ids).
	ID string
	// Title and Desc are the SVG <title> and <desc>.
	Title, Desc string
	// W and H are the viewBox size; the chart scales to the page width.
	W, H float64
	// Marks counts the data marks (elements with class "mark").
	Marks   int
	Lines   []svgLine
	Rects   []svgRect
	Paths   []svgPath
	Circles []svgCircle
	Texts   []svgText
}

// svgLine is a line segment (axes, gridlines).
type svgLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

// svgRect is a rectangle (bars), with an optional hover title.
type svgRect struct {
	X, Y, W, H   float64
	Class, Title string
}

// svgPath is a path (the cost line); D holds only numbers and M/L commands.
type svgPath struct {
	D, Class string
}

// svgCircle is a circle (scatter dots, line points).
type svgCircle struct {
	CX, CY, R    float64
	Class, Title string
}

// svgText is a label; Rotate turns it -90° around its anchor point.
type svgText struct {
	X, Y                float64
	Text, Class, Anchor string
	Title               string
	Rotate              bool
}

// line adds a non-data line (axis, gridline).
func (c *svgChart) line(x1, y1, x2, y2 float64, class string) {
	c.Lines = append(c.Lines, svgLine{X1: x1, Y1: y1, X2: x2, Y2: y2, Class: class})
}

// text adds a label.
func (c *svgChart) text(x, y float64, s, class, anchor string) {
	c.Texts = append(c.Texts, svgText{X: x, Y: y, Text: s, Class: class, Anchor: anchor})
}

// markRect adds a data bar.
func (c *svgChart) markRect(r svgRect) {
	r.Class = "mark " + r.Class
	c.Rects = append(c.Rects, r)
	c.Marks++
}

// markCircle adds a data dot.
func (c *svgChart) markCircle(p svgCircle) {
	p.Class = "mark " + p.Class
	c.Circles = append(c.Circles, p)
	c.Marks++
}

// svgScale maps a data interval onto a pixel interval, linearly or on a
// log10 scale.
type svgScale struct {
	d0, d1, r0, r1 float64
	log            bool
}

// at maps v to pixels; values outside the domain are clamped to it.
func (s svgScale) at(v float64) float64 {
	d0, d1 := s.d0, s.d1
	if s.log {
		v, d0, d1 = math.Log10(math.Max(v, s.d0)), math.Log10(d0), math.Log10(d1)
	}
	if d1 == d0 {
		return s.r0
	}
	t := (v - d0) / (d1 - d0)
	t = math.Max(0, math.Min(1, t))
	return s.r0 + t*(s.r1-s.r0)
}

// svgLinearTicks returns about want+1 round ticks from 0 to at least hi,
// stepping by 1, 2, 2.5 or 5 times a power of ten.
func svgLinearTicks(hi float64, want int) []float64 {
	if !(hi > 0) || math.IsInf(hi, 0) {
		return []float64{0, 1}
	}
	raw := hi / float64(want)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	n := int(math.Ceil(hi/step - 1e-9))
	ticks := make([]float64, 0, n+1)
	for i := 0; i <= n; i++ {
		ticks = append(ticks, float64(i)*step)
	}
	return ticks
}

// svgLogTicks returns a log domain of whole decades covering lo..hi (both
// > 0) and its ticks: each power of ten, plus 2× and 5× when the domain
// spans at most two decades.
func svgLogTicks(lo, hi float64) (d0, d1 float64, ticks []float64) {
	e0 := math.Floor(math.Log10(lo))
	e1 := math.Ceil(math.Log10(hi))
	if e1 <= e0 {
		e1 = e0 + 1
	}
	for e := e0; e <= e1; e++ {
		p := math.Pow(10, e)
		ticks = append(ticks, p)
		if e1-e0 <= 2 && e < e1 {
			ticks = append(ticks, 2*p, 5*p)
		}
	}
	return math.Pow(10, e0), math.Pow(10, e1), ticks
}

// yAxis draws horizontal gridlines and tick labels at ticks between x0 and
// x1, and the baseline.
func (c *svgChart) yAxis(s svgScale, x0, x1 float64, ticks []float64, label func(float64) string) {
	for _, t := range ticks {
		y := s.at(t)
		c.line(x0, y, x1, y, "grid")
		c.text(x0-6, y+4, label(t), "tick", "end")
	}
	c.line(x0, s.r0, x1, s.r0, "axis")
}

// xAxisLog draws vertical gridlines and tick labels of a log x axis.
func (c *svgChart) xAxisLog(s svgScale, top, bottom float64, ticks []float64) {
	for _, t := range ticks {
		x := s.at(t)
		c.line(x, top, x, bottom, "grid")
		c.text(x, bottom+16, htmlShort(t), "tick", "middle")
	}
	c.line(s.r0, top, s.r0, bottom, "axis")
}
