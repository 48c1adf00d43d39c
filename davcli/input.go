package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
)

// maxLine bounds one JSON line of input: a pimsync-discover line lists every
// collection of an account, and no account comes near it.
const maxLine = 16 << 20

// role is what a command wants from each input line.
type role int

const (
	// anyURL: a server, principal or home set, or a collection (collections, props,
	// proppatch, mkcol).
	anyURL role = iota
	// collectionURL: a collection (ls, changes, repair); an item's line names its
	// collection.
	collectionURL
	// itemURL: an item (get, rm).
	itemURL
)

// target is one thing a command acts on, with what its input line said about it.
type target struct {
	url   string   // a full URL
	kind  dav.Kind // 0 when no input line said (conn.kindOf finds it then)
	etag  string   // an item line's etag (rm uses it as If-Match)
	token string   // a changes line's sync token
	// items are, for a collection named by item lines, those items' URLs; nil when a
	// line named the whole collection.
	items []string
}

// targets returns what arg names: itself (resolved against the base URL), or, when
// it is "-", what each JSON line of standard input names. Lines from different tools
// name things with different fields; the first one present wins:
//
//   - anyURL: url, home_set, principal, context_url, href (collections lines,
//     pimsync-discover lines)
//   - collectionURL: every href of a pimsync-discover line's collections; else
//     collection (ls and changes lines: the item's collection); else url, href
//   - itemURL: url, href (ls and changes lines; changes' deleted and token lines are
//     skipped)
//
// Collections named by several lines come once, in the order first named.
func (cn *conn) targets(e *cli.Env, arg string, r role) ([]target, error) {
	if arg != "-" {
		u, err := cn.resolve(arg)
		if err != nil {
			return nil, err
		}
		return []target{{url: u}}, nil
	}
	var out []target
	index := map[string]int{} // collection URL → its target, to merge item lines
	add := func(t target, item string) {
		if r != collectionURL {
			out = append(out, t)
			return
		}
		i, seen := index[t.url]
		if !seen {
			i = len(out)
			index[t.url] = i
			if item != "" {
				t.items = []string{}
			}
			out = append(out, t)
		}
		switch {
		case item == "":
			out[i].items = nil
		case out[i].items != nil:
			out[i].items = append(out[i].items, item)
		}
		if t.token != "" {
			out[i].token = t.token
		}
	}
	err := scanLines(e.Stdin, func(num int, line map[string]any) error {
		str := func(keys ...string) string {
			for _, k := range keys {
				if s, ok := line[k].(string); ok && s != "" {
					return s
				}
			}
			return ""
		}
		t := target{kind: kindFrom(str("kind", "service", "content_type")), etag: str("etag"), token: str("token")}
		resolve := func(ref string) (string, error) {
			if ref == "" {
				return "", fmt.Errorf("stdin line %d: no URL in it (%s)", num, wantedFields(r))
			}
			u, err := cn.resolve(ref)
			if err != nil {
				return "", fmt.Errorf("stdin line %d: %w", num, err)
			}
			return u, nil
		}
		if cols, ok := line["collections"].([]any); ok && r == collectionURL {
			for _, c := range cols {
				m, _ := c.(map[string]any)
				ref, _ := m["href"].(string)
				if u, _ := m["url"].(string); u != "" {
					ref = u
				}
				u, err := resolve(ref)
				if err != nil {
					return err
				}
				ct := t
				ct.url = u
				add(ct, "")
			}
			return nil
		}
		if c := str("change"); r == itemURL && (c == "token" || c == "deleted") {
			return nil // a changes line that names no item to read or delete
		}
		var err error
		switch r {
		case anyURL:
			t.url, err = resolve(str("url", "home_set", "principal", "context_url", "href"))
		case itemURL:
			t.url, err = resolve(str("url", "href"))
		case collectionURL:
			if coll := str("collection"); coll != "" {
				if t.url, err = resolve(coll); err != nil {
					return err
				}
				item := ""
				if ref := str("url", "href"); ref != "" {
					if item, err = resolve(ref); err != nil {
						return err
					}
				}
				add(t, item)
				return nil
			}
			t.url, err = resolve(str("url", "href"))
		}
		if err != nil {
			return err
		}
		add(t, "")
		return nil
	})
	return out, err
}

// wantedFields says, for a message, which fields a role reads.
func wantedFields(r role) string {
	switch r {
	case collectionURL:
		return "collections, collection, url or href"
	case itemURL:
		return "url or href"
	}
	return "url, home_set, principal, context_url or href"
}

// scanLines calls fn with each JSON object of r, one per line; blank lines are skipped.
func scanLines(r io.Reader, fn func(num int, line map[string]any) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxLine)
	for num := 1; sc.Scan(); num++ {
		text := sc.Bytes()
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		var line map[string]any
		if err := json.Unmarshal(text, &line); err != nil {
			return fmt.Errorf("stdin line %d: not a JSON object: %w", num, err)
		}
		if err := fn(num, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	return nil
}
