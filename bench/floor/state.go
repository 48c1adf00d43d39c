package floor

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

// WriteState saves etags (file name to etag, from Upload) to a file, a line per item:
// the name, a tab, the etag.
func WriteState(path string, etags map[string]string) error {
	names := make([]string, 0, len(etags))
	for n := range etags {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s\t%s\n", n, etags[n])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// ReadState reads what WriteState saved.
func ReadState(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	etags := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, etag, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, fmt.Errorf("floor: %s: not name<TAB>etag: %q", path, sc.Text())
		}
		etags[name] = etag
	}
	return etags, sc.Err()
}
