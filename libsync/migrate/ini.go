package migrate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// section is one [general], [pair NAME] or [storage NAME] section of a vdirsyncer
// configuration.
type section struct {
	kind, name string // "general", "pair" or "storage"; "" for general
	line       int
	keys       []*entry
}

// entry is one key of a section, its value decoded from JSON.
type entry struct {
	key   string // lower-cased, as Python's configparser reads it
	raw   string // the value as written
	value any    // decoded: string, float64, bool, nil, []any, map[string]any
	line  int
	used  bool // translated or commented on
}

// get returns the entry for key, or nil.
func (s *section) get(key string) *entry {
	for _, e := range s.keys {
		if e.key == key {
			return e
		}
	}
	return nil
}

// A SyntaxError is a vdirsyncer configuration that does not parse, with where.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// parseINI reads vdirsyncer's format: INI as Python's configparser reads it (sections,
// "key = value" or "key: value", # and ; comments on their own lines, values continued
// on indented lines), every value JSON.
func parseINI(file string, data []byte) ([]*section, error) {
	var secs []*section
	var cur *section
	var last *entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	errAt := func(line int, format string, args ...any) error {
		return &SyntaxError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(raw)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			last = nil // configparser ends a value at a blank line
			continue
		case raw[0] == ' ' || raw[0] == '\t':
			if last == nil {
				return nil, errAt(n, "indented line %q continues no value", trimmed)
			}
			last.raw += "\n" + trimmed
			continue
		case trimmed[0] == '[':
			if !strings.HasSuffix(trimmed, "]") {
				return nil, errAt(n, "section header %q has no closing ]", trimmed)
			}
			head := strings.Fields(trimmed[1 : len(trimmed)-1])
			s := &section{line: n}
			switch {
			case len(head) == 1 && head[0] == "general":
				s.kind = "general"
			case len(head) == 2 && (head[0] == "pair" || head[0] == "storage"):
				s.kind, s.name = head[0], head[1]
				if strings.Trim(s.name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
					return nil, errAt(n, "the name %q has characters vdirsyncer does not allow (letters, digits and _)", s.name)
				}
			default:
				return nil, errAt(n, "section %s is not [general], [pair NAME] or [storage NAME]", trimmed)
			}
			for _, o := range secs {
				if o.kind != "general" && s.kind != "general" && o.name == s.name {
					return nil, errAt(n, "the name %s is used by the section of line %d already (vdirsyncer's names are shared by pairs and storages)", s.name, o.line)
				}
				if o.kind == "general" && s.kind == "general" {
					return nil, errAt(n, "a second [general] section (the first is at line %d)", o.line)
				}
			}
			secs = append(secs, s)
			cur, last = s, nil
			continue
		}
		if cur == nil {
			return nil, errAt(n, "%q is outside any section", trimmed)
		}
		i := strings.IndexAny(trimmed, "=:")
		if i <= 0 {
			return nil, errAt(n, "%q is not \"key = value\"", trimmed)
		}
		key := strings.ToLower(strings.TrimSpace(trimmed[:i]))
		if cur.get(key) != nil {
			return nil, errAt(n, "key %s is set twice in [%s %s]", key, cur.kind, cur.name)
		}
		last = &entry{key: key, raw: strings.TrimSpace(trimmed[i+1:]), line: n}
		cur.keys = append(cur.keys, last)
	}
	if err := sc.Err(); err != nil {
		return nil, errAt(n+1, "%v", err)
	}
	for _, s := range secs {
		for _, e := range s.keys {
			if err := json.Unmarshal([]byte(e.raw), &e.value); err != nil {
				return nil, errAt(e.line, "the value of %s is not JSON (vdirsyncer reads every value as JSON: strings need double quotes): %v", e.key, err)
			}
		}
	}
	return secs, nil
}
