package main

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// printer writes records as JSON lines, or as a table for people at a terminal.
type printer struct {
	json    bool
	enc     *json.Encoder
	tw      *tabwriter.Writer
	header  []string
	started bool
}

func newPrinter(e *env, header ...string) *printer {
	p := &printer{json: e.g.JSON || !isTerminal(e.stdout), header: header}
	if p.json {
		p.enc = json.NewEncoder(e.stdout)
		p.enc.SetEscapeHTML(false)
	} else {
		p.tw = newTable(e.stdout)
	}
	return p
}

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// emit prints one record: v as a JSON object, or the columns as a table row.
func (p *printer) emit(v any, columns ...string) error {
	if p.json {
		return p.enc.Encode(v)
	}
	if !p.started {
		p.started = true
		if _, err := io.WriteString(p.tw, strings.Join(p.header, "\t")+"\n"); err != nil {
			return err
		}
	}
	for i, c := range columns {
		columns[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
	}
	_, err := io.WriteString(p.tw, strings.Join(columns, "\t")+"\n")
	return err
}

// flush ends the table; JSON lines need no flushing.
func (p *printer) flush() error {
	if p.tw != nil {
		return p.tw.Flush()
	}
	return nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
