package config

import (
	"io/fs"
	"strings"
	"testing"
)

func TestExposedSecret(t *testing.T) {
	const cmdPassword = "\tusername u\n\tpassword {\n\t\tcmd pass show dav\n\t}\n"
	storage := func(name, body string) string {
		return "storage " + name + " {\n\ttype caldav\n" + body + "}\n"
	}
	for _, c := range []struct {
		name string
		conf string
		mode fs.FileMode
		want string
	}{
		{"literal, world-readable", storage("s", "\turl https://dav.example.com/\n\tusername u\n\tpassword hunter2\n"), 0o644, "s"},
		{"literal, group-readable", storage("s", "\turl https://dav.example.com/\n\tusername u\n\tpassword hunter2\n"), 0o640, "s"},
		{"literal, others only", storage("s", "\turl https://dav.example.com/\n\tusername u\n\tpassword hunter2\n"), 0o604, "s"},
		{"literal, owner only", storage("s", "\turl https://dav.example.com/\n\tusername u\n\tpassword hunter2\n"), 0o600, ""},
		{"literal, owner read-only", storage("s", "\turl https://dav.example.com/\n\tusername u\n\tpassword hunter2\n"), 0o400, ""},
		{"writable by group but not readable", storage("s", "\turl https://dav.example.com/\n\tusername u\n\tpassword hunter2\n"), 0o620, ""},
		{"command", storage("s", "\turl https://dav.example.com/\n"+cmdPassword), 0o644, ""},
		{"empty literal", storage("s", "\turl https://dav.example.com/\n\tusername u\n\tpassword \"\"\n"), 0o644, ""},
		{"no password", storage("s", "\turl https://dav.example.com/\n"), 0o644, ""},
		{"password in url", storage("s", "\turl https://u:hunter2@dav.example.com/\n"), 0o644, "s"},
		{"user only in url", storage("s", "\turl https://u@dav.example.com/\n"), 0o644, ""},
		{"second storage", storage("a", "\turl https://dav.example.com/\n"+cmdPassword) + storage("b", "\turl https://dav.example.com/\n\tusername u\n\tpassword hunter2\n"), 0o644, "b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("pimsync.conf", strings.NewReader("status_path /s\n"+c.conf))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.ExposedSecret(c.mode); got != c.want {
				t.Errorf("ExposedSecret(%v) = %q, want %q", c.mode, got, c.want)
			}
		})
	}
}
