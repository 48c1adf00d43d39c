// Package floor makes the fewest CalDAV requests each phase of a sync benchmark needs,
// with nothing else around them: no status, no planning, no parsing of items. Its time is
// the server's floor: the least a client can ask of that server for the phase.
//
// The phases:
//
//   - Upload: MKCALENDAR, then one PUT per item with If-None-Match: * (Parallel at a time).
//   - Noop: one PROPFIND Depth 1 of the home set (the collections' sync tokens and the
//     properties a sync keeps equal on both sides).
//   - Edit: the no-op's PROPFIND (the server changed nothing), then one PUT per edited
//     item with If-Match: the etag its upload got, then one sync-collection REPORT for
//     the changes since the token the PROPFIND gave (the new token for the next no-op).
//   - Download: one PROPFIND Depth 1 of the collection, then one calendar-query REPORT of
//     every item when they are more than Chunk (multigets of what it left out), or one
//     calendar-multiget, every item written to a file as it arrives.
//
// Items travel byte for byte, and a file is named after the last segment of its href.
package floor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Client makes the requests. Set its fields before the first call; it is safe for
// concurrent use after that. The zero value uses a transport of its own, no credentials,
// 4 requests in flight and multigets of 100.
type Client struct {
	HTTP     *http.Client // nil: one with enough idle connections for Parallel
	User     string       // sent with Password as Basic credentials when not empty
	Password string
	Parallel int    // PUTs (and file writes) in flight; 0 means 4
	Chunk    int    // hrefs per multiget; 0 means 100
	NoSync   bool   // write downloaded files without fsync
	Ext      string // the item files' extension; "" means ".ics"
	once     sync.Once
}

func (c *Client) init() {
	c.once.Do(func() {
		if c.Parallel <= 0 {
			c.Parallel = 4
		}
		if c.Chunk <= 0 {
			c.Chunk = 100
		}
		if c.Ext == "" {
			c.Ext = ".ics"
		}
		if c.HTTP == nil {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = c.Parallel + 2
			c.HTTP = &http.Client{Transport: tr}
		}
	})
}

// StatusError is a response with a status the phase did not expect.
type StatusError struct {
	Method, URL string
	Code        int
	Body        string
}

// Error says which request got which status, and the start of the body.
func (e *StatusError) Error() string {
	return fmt.Sprintf("floor: %s %s: %d %s", e.Method, e.URL, e.Code, e.Body)
}

// do sends one request and returns the response if its status is one of want; the
// caller closes the body. Any other status is a *StatusError.
func (c *Client) do(ctx context.Context, method, u string, h http.Header, body []byte, want ...int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if c.User != "" {
		req.SetBasicAuth(c.User, c.Password)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	for _, w := range want {
		if resp.StatusCode == w {
			return resp, nil
		}
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	return nil, &StatusError{Method: method, URL: u, Code: resp.StatusCode, Body: strings.TrimSpace(string(b))}
}

// drain reads the rest of a body and closes it, so that its connection is reused.
func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// Items lists the names of the item files in dir (those ending in Ext), sorted.
func (c *Client) Items(dir string) ([]string, error) {
	c.init()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), c.Ext) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Upload creates the calendar at collURL and PUTs every item file of dir into it, named
// as in dir. It returns the etag the server gave each, by file name.
func (c *Client) Upload(ctx context.Context, collURL, dir string) (map[string]string, error) {
	c.init()
	names, err := c.Items(dir)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, "MKCALENDAR", collURL, nil, nil, http.StatusCreated)
	if err != nil {
		return nil, err
	}
	drain(resp)
	return c.Put(ctx, collURL, dir, names)
}

// Put PUTs the named item files of dir into the calendar at collURL, which exists, as
// new items, and returns the etag the server gave each, by file name: an upload in
// parts.
func (c *Client) Put(ctx context.Context, collURL, dir string, names []string) (map[string]string, error) {
	c.init()
	var mu sync.Mutex
	etags := make(map[string]string, len(names))
	err := c.each(ctx, names, func(name string) error {
		etag, err := c.put(ctx, collURL, dir, name, http.Header{"If-None-Match": {"*"}})
		mu.Lock()
		etags[name] = etag
		mu.Unlock()
		return err
	})
	return etags, err
}

// Etags lists the collection at collURL and returns each item's etag by file name: what
// Upload would have returned had this client made the items. It lets the floor edit
// items another client uploaded, on that client's server (scripts/bench pairs pimsync's
// edit with one of the floor's there).
func (c *Client) Etags(ctx context.Context, collURL string) (map[string]string, error) {
	c.init()
	etags := map[string]string{}
	var bad error
	err := c.list(ctx, collURL, func(href, etag string) {
		name, err := fileName(href)
		if err != nil {
			bad = err
			return
		}
		etags[name] = etag
	})
	if err == nil {
		err = bad
	}
	return etags, err
}

// noopProps is what a client that syncs collection properties must learn to know that
// nothing changed on the server: each collection's sync token, which only its items
// move, and its name, colour, order and description, which a PROPPATCH changes without
// moving the token (Radicale 3.1's stays as it was). Xandikos takes about 5 ms a
// property at 1,000 items, so a floor without them would time a request that no such
// client can make.
const noopProps = `<D:resourcetype/><D:sync-token/><D:displayname/><A:calendar-color/>` +
	`<A:calendar-order/><C:calendar-description/>`

// Noop asks the home set at homeURL for its collections' sync tokens and properties:
// all a client needs to learn that nothing changed on the server.
func (c *Client) Noop(ctx context.Context, homeURL string) error {
	c.init()
	_, err := c.tokens(ctx, homeURL)
	return err
}

// Edit learns that the server changed nothing (the no-op's PROPFIND on homeURL, whose
// answer has the sync token of collURL), then PUTs the named item files of dir over the
// versions it uploaded to collURL, If-Match the etag that etags (from Upload) has for the
// name, and then asks for the changes since the token it read. That last request is what
// a client that keeps state must make for its next no-op to be one request: the token
// after its writes, and proof that no one else's changes came in between them (they
// would be named in the answer with etags the client does not know).
func (c *Client) Edit(ctx context.Context, homeURL, collURL, dir string, names []string, etags map[string]string) error {
	c.init()
	tokens, err := c.tokens(ctx, homeURL)
	if err != nil {
		return err
	}
	token, ok := tokens[strings.TrimSuffix(hrefPath(collURL), "/")]
	if !ok || token == "" {
		return fmt.Errorf("floor: the home set %s has no sync token for %s", homeURL, collURL)
	}
	err = c.each(ctx, names, func(name string) error {
		etag := etags[name]
		if etag == "" {
			return fmt.Errorf("floor: no etag for %s", name)
		}
		_, err := c.put(ctx, collURL, dir, name, http.Header{"If-Match": {etag}})
		return err
	})
	if err != nil {
		return err
	}
	_, n, err := c.changes(ctx, collURL, token)
	if err == nil && n < len(names) {
		err = fmt.Errorf("floor: REPORT %s: %d changes since %s, after %d writes", collURL, n, token, len(names))
	}
	return err
}

// put PUTs dir/name to the collection at collURL under name and returns the new etag.
func (c *Client) put(ctx context.Context, collURL, dir, name string, h http.Header) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	u, err := url.Parse(collURL)
	if err != nil {
		return "", err
	}
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	resp, err := c.do(ctx, http.MethodPut, u.JoinPath(name).String(), h, data,
		http.StatusCreated, http.StatusNoContent, http.StatusOK)
	if err != nil {
		return "", err
	}
	drain(resp)
	return resp.Header.Get("ETag"), nil
}

// each runs f for every name, Parallel at a time, and returns the first error.
func (c *Client) each(ctx context.Context, names []string, f func(string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan string)
	errs := make(chan error, c.Parallel)
	var wg sync.WaitGroup
	for range c.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range work {
				if err := f(n); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for _, n := range names {
		select {
		case work <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return context.Cause(ctx)
}
