package floor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// event is an item with CRLFs and characters that XML escapes.
func event(i int) []byte {
	return []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e%03d\r\nSUMMARY:R&D <%d>\r\n folded\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i))
}

// vdir writes n events into a new directory, with a displayname file beside them.
func vdir(t *testing.T, n int) string {
	dir := t.TempDir()
	for i := range n {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("e%03d.ics", i)), event(i), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "displayname"), []byte("Cal"), 0o644)
	return dir
}

// sorted returns the log with requests that may come in any order (PUTs) sorted.
func sorted(l []string) []string {
	out := append([]string(nil), l...)
	sort.Strings(out)
	return out
}

func TestPhases(t *testing.T) {
	tests := []struct {
		name      string
		n, chunk  int
		edited    []string
		skip      string // left out of the server's answers to a calendar-query
		query     bool   // the download sends a calendar-query
		multigets []int  // hrefs per multiget in the download
	}{
		{"empty", 0, 100, nil, "", false, nil},
		{"one", 1, 100, []string{"e000.ics"}, "", false, []int{1}},
		{"more than a chunk", 25, 10, []string{"e003.ics", "e017.ics"}, "", true, nil},
		{"one chunk exactly", 10, 10, nil, "", false, []int{10}},
		{"query leaves one out", 25, 10, nil, "e007.ics", true, []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := &Client{User: "u", Password: "p", Chunk: tc.chunk, Parallel: 3}
			ctx := context.Background()
			src := vdir(t, tc.n)
			coll := srv.URL + "/home/cal/"

			etags, err := c.Upload(ctx, coll, src)
			if err != nil {
				t.Fatal("upload:", err)
			}
			want := []string{"MKCALENDAR /home/cal/"}
			for i := range tc.n {
				want = append(want, fmt.Sprintf("PUT /home/cal/e%03d.ics *", i))
				if etags[fmt.Sprintf("e%03d.ics", i)] != etag(event(i)) {
					t.Errorf("upload: etag of e%03d.ics %q", i, etags[fmt.Sprintf("e%03d.ics", i)])
				}
			}
			if got := sorted(f.take()); !reflect.DeepEqual(got, sorted(want)) {
				t.Errorf("upload made\n%q\nwant\n%q", got, want)
			}

			listed, err := c.Etags(ctx, coll)
			if err != nil || !reflect.DeepEqual(listed, etags) {
				t.Errorf("etags listed %v, %v; want those of the upload, %v", listed, err, etags)
			}
			if got := f.take(); !reflect.DeepEqual(got, []string{"PROPFIND /home/cal/ 1"}) {
				t.Errorf("etags made %q", got)
			}

			if err := c.Noop(ctx, srv.URL+"/home/"); err != nil {
				t.Fatal("noop:", err)
			}
			if got := f.take(); !reflect.DeepEqual(got, []string{"PROPFIND /home/ 1"}) {
				t.Errorf("noop made %q", got)
			}

			want = []string{"PROPFIND /home/ 1"}
			for _, n := range tc.edited {
				p := filepath.Join(src, n)
				data, _ := os.ReadFile(p)
				os.WriteFile(p, bytes.Replace(data, []byte("SUMMARY:"), []byte("SUMMARY:Edited "), 1), 0o644)
				want = append(want, "PUT /home/cal/"+n+" "+etags[n])
			}
			want = append(want, "REPORT /home/cal/")
			if err := c.Edit(ctx, srv.URL+"/home/", coll, src, tc.edited, etags); err != nil {
				t.Fatal("edit:", err)
			}
			if got := f.take(); !reflect.DeepEqual(sorted(got), sorted(want)) || (len(got) > 0 && (got[0] != want[0] || got[len(got)-1] != want[len(want)-1])) {
				t.Errorf("edit made\n%q\nwant\n%q", got, want)
			}

			dst := t.TempDir()
			f.skip = tc.skip
			n, err := c.Download(ctx, coll, dst)
			if err != nil || n != tc.n {
				t.Fatalf("download: %d items, %v", n, err)
			}
			want = []string{"PROPFIND /home/cal/ 1"}
			if tc.query {
				want = append(want, "REPORT /home/cal/ 1")
			}
			for range tc.multigets {
				want = append(want, "REPORT /home/cal/ 1")
			}
			if got := f.take(); !reflect.DeepEqual(got, want) {
				t.Errorf("download made %q, want %q", got, want)
			}
			if !reflect.DeepEqual(f.multi, tc.multigets) || (f.queries == 1) != tc.query {
				t.Errorf("multigets of %v hrefs and %d queries, want %v and query %v", f.multi, f.queries, tc.multigets, tc.query)
			}
			same(t, src, dst)
		})
	}
}

// same checks that dst holds exactly the .ics files of src, byte for byte.
func same(t *testing.T, src, dst string) {
	t.Helper()
	want, _ := filepath.Glob(filepath.Join(src, "*.ics"))
	got, _ := os.ReadDir(dst)
	if len(got) != len(want) {
		t.Errorf("%d files downloaded, want %d", len(got), len(want))
	}
	for _, p := range want {
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(dst, filepath.Base(p)))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: downloaded %q (%v), want %q", filepath.Base(p), b, err, a)
		}
	}
}

func TestErrors(t *testing.T) {
	f := newFake()
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	src := vdir(t, 3)
	c := &Client{User: "u", Password: "wrong"}
	if _, err := c.Upload(ctx, srv.URL+"/home/cal/", src); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("upload with a wrong password: %v", err)
	}
	c = &Client{User: "u", Password: "p"}
	etags, err := c.Upload(ctx, srv.URL+"/home/cal/", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, srv.URL+"/home/cal/", src); err == nil {
		t.Error("a second upload into the same calendar worked")
	}
	etags["e001.ics"] = `"stale"`
	if err := c.Edit(ctx, srv.URL+"/home/", srv.URL+"/home/cal/", src, []string{"e001.ics"}, etags); err == nil || !strings.Contains(err.Error(), "412") {
		t.Errorf("edit with a stale etag: %v", err)
	}
	if err := c.Edit(ctx, srv.URL+"/home/", srv.URL+"/home/cal/", src, []string{"e009.ics"}, etags); err == nil {
		t.Error("edit of an item never uploaded worked")
	}
	if _, err := c.Download(ctx, srv.URL+"/home/none/", t.TempDir()); err == nil {
		t.Error("download of a missing calendar worked")
	}
}

// TestEditChanges: an edit fails unless the home set has a token for the collection and
// the sync-collection answer has a new token and names every item written.
func TestEditChanges(t *testing.T) {
	ctx := context.Background()
	src := vdir(t, 3)
	tests := []struct {
		lose, coll, want string
	}{
		{"", "/home/cal/", ""},
		{"", "/home/other/", "no sync token for"},
		{"changes", "/home/cal/", "0 changes since tok-3, after 2 writes"},
		{"token", "/home/cal/", "no new sync token"},
	}
	for _, tc := range tests {
		f := newFake()
		srv := httptest.NewServer(f)
		c := &Client{User: "u", Password: "p"}
		etags, err := c.Upload(ctx, srv.URL+"/home/cal/", src)
		if err != nil {
			t.Fatal(err)
		}
		f.lose = tc.lose
		err = c.Edit(ctx, srv.URL+"/home/", srv.URL+tc.coll, src, []string{"e000.ics", "e002.ics"}, etags)
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want))) {
			t.Errorf("lose %q, edit of %s: %v, want %q", tc.lose, tc.coll, err, tc.want)
		}
		srv.Close()
	}
}

func TestPut(t *testing.T) {
	f := newFake()
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := &Client{User: "u", Password: "p", Parallel: 2}
	ctx := context.Background()
	coll := srv.URL + "/home/cal/"
	if _, err := c.Upload(ctx, coll, t.TempDir()); err != nil {
		t.Fatal("upload:", err)
	}
	f.take()
	etags, err := c.Put(ctx, coll, vdir(t, 3), []string{"e001.ics", "e002.ics"})
	if err != nil {
		t.Fatal("put:", err)
	}
	want := []string{"PUT /home/cal/e001.ics *", "PUT /home/cal/e002.ics *"}
	if got := sorted(f.take()); !reflect.DeepEqual(got, want) {
		t.Errorf("put made %q, want %q", got, want)
	}
	if len(etags) != 2 || etags["e001.ics"] != etag(event(1)) || etags["e002.ics"] != etag(event(2)) {
		t.Errorf("put: etags %v", etags)
	}
}

func TestState(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state")
	etags := map[string]string{"a.ics": `"1"`, "b c.ics": `W/"x y"`}
	if err := WriteState(p, etags); err != nil {
		t.Fatal(err)
	}
	got, err := ReadState(p)
	if err != nil || !reflect.DeepEqual(got, etags) {
		t.Errorf("read %v, %v; want %v", got, err, etags)
	}
}

func TestCRReader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a\r\nb", "a&#13;\nb"},
		{"<a\r\n b='x>\r'>t\r\n</a>", "<a\r\n b='x>\r'>t&#13;\n</a>"},
		{`<a b=">">` + "\r\r", `<a b=">">&#13;&#13;`},
	}
	for _, tc := range tests {
		for _, size := range []int{1, 3, 4096} {
			r := &crReader{r: bufioReader(tc.in)}
			var out bytes.Buffer
			buf := make([]byte, size)
			for {
				n, err := r.Read(buf)
				out.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if out.String() != tc.want {
				t.Errorf("%q read %d at a time: %q, want %q", tc.in, size, out.String(), tc.want)
			}
		}
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ href, want string }{
		{"/home/cal/a.ics", "a.ics"},
		{"http://h/home/cal/b%20c.ics", "b c.ics"},
		{"/home/cal/%2e%2e", ""},
		{"/home/cal/.hidden", ""},
		{"/home/cal/a%2Fb.ics", ""},
	} {
		got, err := fileName(tc.href)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("fileName(%q) = %q, %v; want %q", tc.href, got, err, tc.want)
		}
	}
}
