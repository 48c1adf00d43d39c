// Package plot draws the speedups of scripts/bench's table as an SVG bar chart, so
// that docs/benchmarks.md and the README show the difference at a glance. It reads the
// table from the page itself: whatever the page says is what the picture shows.
package plot

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// Row is one phase of the table: pimsync's and vdirsyncer's wall seconds. Vdirsyncer
// is 0 where the table has no time for it (a phase it failed, or does not have).
type Row struct {
	Phase               string
	Pimsync, Vdirsyncer float64
}

// Speedup is vdirsyncer's time over pimsync's; 0 when either is missing.
func (r Row) Speedup() float64 {
	if r.Pimsync <= 0 || r.Vdirsyncer <= 0 {
		return 0
	}
	return r.Vdirsyncer / r.Pimsync
}

// Parse reads the first markdown table whose header starts with "| phase | pimsync s |
// vdirsyncer s |" (scripts/bench's), and returns its rows in order.
func Parse(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	in := false
	var rows []Row
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		cells := split(line)
		switch {
		case !in && len(cells) >= 3 && cells[0] == "phase" && cells[1] == "pimsync s" && cells[2] == "vdirsyncer s":
			in = true
		case in && len(cells) > 0 && strings.HasPrefix(cells[0], "---"):
		case in && len(cells) >= 3:
			p, err := strconv.ParseFloat(cells[1], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: pimsync's time %q: %w", n, cells[1], err)
			}
			v, _ := strconv.ParseFloat(cells[2], 64) // "-": no time
			rows = append(rows, Row{Phase: cells[0], Pimsync: p, Vdirsyncer: v})
		case in:
			return rows, nil
		}
	}
	if !in {
		return nil, fmt.Errorf("no table with the columns phase, pimsync s, vdirsyncer s")
	}
	return rows, sc.Err()
}

// split returns the cells of a markdown table line, or nil.
func split(line string) []string {
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
		return nil
	}
	cells := strings.Split(line[1:len(line)-1], "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// Chart geometry: a label column, then the bars on a log scale of speedup.
const (
	labelWidth = 250
	barsWidth  = 480
	rowHeight  = 20
	top        = 46
	minX       = 0.5
	maxX       = 32.0
)

// x is where a speedup lies on the log scale.
func x(speedup float64) float64 {
	s := math.Min(math.Max(speedup, minX), maxX)
	return labelWidth + barsWidth*math.Log(s/minX)/math.Log(maxX/minX)
}

// SVG writes the chart: one bar per phase from 1x to its speedup (green where pimsync
// is faster, red where it is slower), with the value at its end, and grid lines at
// 1x, 2x, 5x, 10x and 20x. Phases without a vdirsyncer time are listed without a bar.
func SVG(w io.Writer, title string, rows []Row) error {
	height := top + rowHeight*len(rows) + 30
	width := labelWidth + barsWidth + 70
	b := &strings.Builder{}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(b, `<text x="10" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	for _, g := range []float64{1, 2, 5, 10, 20} {
		gx := x(g)
		stroke := "#ccc"
		if g == 1 {
			stroke = "#333"
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", gx, top-6, gx, top+rowHeight*len(rows), stroke)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%gx</text>`+"\n", gx, top-10, g)
	}
	for i, r := range rows {
		y := top + rowHeight*i
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelWidth-8, y+14, html.EscapeString(r.Phase))
		s := r.Speedup()
		if s == 0 {
			fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="#555">no vdirsyncer time</text>`+"\n", x(1)+6, y+14)
			continue
		}
		x0, x1 := x(1), x(s)
		fill := "#3a8f4f"
		if s < 1 {
			x0, x1, fill = x1, x0, "#c0392b"
		}
		fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s s against %s s</title></rect>`+"\n",
			x0, y+3, math.Max(x1-x0, 1), rowHeight-6, fill, html.EscapeString(r.Phase), secs(r.Pimsync), secs(r.Vdirsyncer))
		fmt.Fprintf(b, `<text x="%.1f" y="%d">%s</text>`+"\n", math.Max(x0, x1)+4, y+14, times(s))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" fill="#555">pimsync's speed over vdirsyncer's (vdirsyncer's time over pimsync's), log scale</text>`+"\n",
		labelWidth, top+rowHeight*len(rows)+20)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// times formats a speedup as the table does: to one decimal, or to two where one would
// round it onto a target from below (0.97 would read 1.0x, 9.96 would read 10.0x).
func times(s float64) string {
	t := fmt.Sprintf("%.1f", s)
	if (t == "1.0" && s < 1) || (t == "10.0" && s < 10) {
		t = fmt.Sprintf("%.2f", s)
	}
	return t + "x"
}

// secs formats seconds as the table does: to the millisecond under a second.
func secs(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.3f", s)
	}
	return fmt.Sprintf("%.2f", s)
}
