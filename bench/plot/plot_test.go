package plot

import (
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"testing"
)

const table = `# Benchmarks

| phase | pimsync s | vdirsyncer s | speedup | floor s |
| --- | ---: | ---: | ---: | ---: |
| Radicale 1000: no-op sync | 0.13 | 1.14 | 8.8x | 0.08 |
| Xandikos 5000: initial upload | 951.90 | 819.27 | 0.9x | 874.21 |
| Xandikos 5000: download | 335.47 | - | - | 370.78 |

after
| phase | pimsync s | vdirsyncer s |
| --- | ---: | ---: |
| other table | 1 | 2 |
`

// TestParse reads the first table only, with a missing vdirsyncer time as 0.
func TestParse(t *testing.T) {
	rows, err := Parse(strings.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Phase != "Radicale 1000: no-op sync" || rows[0].Pimsync != 0.13 || rows[0].Vdirsyncer != 1.14 ||
		rows[2].Vdirsyncer != 0 || rows[2].Speedup() != 0 {
		t.Fatalf("rows %+v", rows)
	}
	if _, err := Parse(strings.NewReader("no table\n")); err == nil {
		t.Error("a page without the table parsed")
	}
}

// TestSVG: the chart is well-formed XML, with a bar per phase that has both times,
// green to the right of 1x when pimsync is faster and red to the left when slower, and
// the longer the greater the factor.
func TestSVG(t *testing.T) {
	rows := []Row{{"fast", 1, 10}, {"faster", 1, 20}, {"slow", 1, 0.8}, {"close", 100, 97}, {"none", 1, 0}}
	var b bytes.Buffer
	if err := SVG(&b, "pimsync & vdirsyncer", rows); err != nil {
		t.Fatal(err)
	}
	type rect struct {
		X     float64 `xml:"x,attr"`
		W     float64 `xml:"width,attr"`
		Fill  string  `xml:"fill,attr"`
		Title string  `xml:"title"`
	}
	var doc struct {
		Rects []rect `xml:"rect"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	bars := map[string]rect{}
	for _, r := range doc.Rects[1:] { // the first is the background
		bars[strings.SplitN(r.Title, ":", 2)[0]] = r
	}
	if len(bars) != 4 {
		t.Fatalf("%d bars, want 4: %v", len(bars), bars)
	}
	one := x(1)
	if f := bars["fast"]; f.Fill != "#3a8f4f" || f.X < one-0.1 || f.X > one+0.1 {
		t.Errorf("fast: %+v, 1x at %.1f", f, one)
	}
	if bars["faster"].W <= bars["fast"].W {
		t.Errorf("20x (%v) not longer than 10x (%v)", bars["faster"].W, bars["fast"].W)
	}
	if s := bars["slow"]; s.Fill != "#c0392b" || s.X+s.W > one+0.1 {
		t.Errorf("slow: %+v, 1x at %.1f", s, one)
	}
	// Times as the table has them: to the millisecond under a second.
	if got := bars["slow"].Title; got != "slow: 1.00 s against 0.800 s" {
		t.Errorf("title %q", got)
	}
	// A miss that one decimal would round up to 1.0x shows two.
	if !strings.Contains(b.String(), ">0.97x<") || !strings.Contains(b.String(), ">0.8x<") || !strings.Contains(b.String(), ">20.0x<") {
		t.Errorf("speedup labels: want 0.97x, 0.8x and 20.0x in\n%s", b.String())
	}
	if !strings.Contains(b.String(), "no vdirsyncer time") || !strings.Contains(b.String(), "pimsync &amp; vdirsyncer") {
		t.Errorf("labels missing:\n%s", b.String())
	}
}

// TestPage: the committed page parses and gives a bar for every phase vdirsyncer ran.
func TestPage(t *testing.T) {
	f, err := os.Open("../../docs/benchmarks.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := Parse(f)
	if err != nil || len(rows) < 10 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}
