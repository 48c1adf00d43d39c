package floor

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Download lists the collection at collURL and fetches its items into dir (which must
// exist), while Parallel writers put the items into files as they arrive: each one
// written to a temporary file, fsynced and renamed into place, and the directory fsynced
// once at the end (NoSync leaves out the fsyncs). It returns how many items it wrote.
//
// It fetches as pimsync does: more items than one multiget of Chunk hrefs come with one
// calendar-query of every item, and with multigets of what that answer left out; fewer,
// with one multiget.
func (c *Client) Download(ctx context.Context, collURL, dir string) (int, error) {
	c.init()
	var hrefs []string
	if err := c.list(ctx, collURL, func(href, _ string) { hrefs = append(hrefs, href) }); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type file struct {
		name string
		data []byte
	}
	files := make(chan file, c.Parallel)
	var wg sync.WaitGroup
	for range c.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				if ctx.Err() != nil {
					continue // drained, so that the fetching stops at once
				}
				if err := c.write(dir, f.name, f.data); err != nil {
					cancel(err)
				}
			}
		}()
	}
	n := 0
	send := func(href string, data []byte) error {
		name, err := fileName(href)
		if err != nil {
			return err
		}
		select {
		case files <- file{name, data}:
			n++
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	var err error
	left := hrefs
	if len(hrefs) > c.Chunk {
		want := make(map[string]bool, len(hrefs))
		for _, h := range hrefs {
			want[hrefPath(h)] = true
		}
		err = c.query(ctx, collURL, func(href string, data []byte) error {
			if p := hrefPath(href); want[p] {
				delete(want, p)
				return send(href, data)
			}
			return nil // new since the listing, or sent twice
		})
		left = nil
		for _, h := range hrefs {
			if want[hrefPath(h)] {
				left = append(left, h)
			}
		}
	}
	for start := 0; start < len(left) && err == nil; start += c.Chunk {
		err = c.multiget(ctx, collURL, left[start:min(start+c.Chunk, len(left))], send)
	}
	close(files)
	wg.Wait()
	if err == nil {
		err = context.Cause(ctx)
	}
	if err == nil && !c.NoSync {
		err = syncDir(dir)
	}
	return n, err
}

// fileName is the last segment of href, unescaped; it must make a plain file name.
func fileName(href string) (string, error) {
	u, err := url.Parse(href)
	if err != nil {
		return "", err
	}
	p, err := url.PathUnescape(path.Base(u.EscapedPath()))
	if err != nil || p == "." || p == "/" || p == ".." || strings.ContainsAny(p, `/\`) || strings.HasPrefix(p, ".") {
		return "", fmt.Errorf("floor: %q makes no file name", href)
	}
	return p, nil
}

// write puts data into dir/name through a temporary file.
func (c *Client) write(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil && !c.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// syncDir makes the directory's new entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
