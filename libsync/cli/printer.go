package cli

import (
	"encoding/json"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
)

// Printer writes a command's records to standard output: JSON lines for programs, or a
// table for people at a terminal (see Env.JSON). docs/json.md lists each command's fields.
// It is safe for concurrent use: collections and pairs sync side by side, and each
// record stays on a line of its own.
type Printer struct {
	mu      sync.Mutex
	enc     *json.Encoder
	tw      *tabwriter.Writer
	header  []string
	started bool
}

// NewPrinter returns a printer for e's output; header names the table's columns.
func NewPrinter(e *Env, header ...string) *Printer {
	p := &Printer{header: header}
	if e.JSON {
		p.enc = json.NewEncoder(e.Stdout)
		p.enc.SetEscapeHTML(false)
	} else {
		p.tw = tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	}
	return p
}

// cellReplacer keeps every record on one row.
var cellReplacer = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// Emit prints one record: v as a JSON object, or the columns as a table row.
func (p *Printer) Emit(v any, columns ...string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.enc != nil {
		return p.enc.Encode(v)
	}
	if !p.started {
		p.started = true
		if _, err := io.WriteString(p.tw, strings.Join(p.header, "\t")+"\n"); err != nil {
			return err
		}
	}
	cells := make([]string, len(columns))
	for i, c := range columns {
		cells[i] = cellReplacer.Replace(c)
	}
	_, err := io.WriteString(p.tw, strings.Join(cells, "\t")+"\n")
	return err
}

// Flush ends the table; call it after the last Emit.
func (p *Printer) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tw != nil {
		return p.tw.Flush()
	}
	return nil
}
