package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSecretsNotPrinted runs webcalfetch at -v debug with passwords from
// $WEBCALFETCH_PASSWORD, from --password-cmd and in the URL, against a feed that takes
// them and one that refuses them, and with a password command that fails after
// printing: no password, and no user name of a URL, is ever printed.
func TestSecretsNotPrinted(t *testing.T) {
	const (
		fromEnv = "env-S3cret-1"
		fromCmd = "cmd-S3cret-2"
		inURL   = "url-S3cret-3"
	)
	feed := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nSUMMARY:A\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pw, _ := r.BasicAuth()
		ok := map[string]string{"alice": fromEnv, "bob": fromCmd, "carol": inURL}[user]
		if r.URL.Path == "/refuse.ics" || ok == "" || ok != pw {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		w.Write([]byte(feed))
	}))
	defer srv.Close()
	withUser := strings.Replace(srv.URL, "http://", "http://carol:"+inURL+"@", 1)

	tests := []struct {
		name string
		env  string // $WEBCALFETCH_PASSWORD
		args []string
		code int
	}{
		{"env", fromEnv, []string{"-u", "alice", srv.URL + "/feed.ics"}, 0},
		{"cmd", "", []string{"-u", "bob", "--password-cmd", "printf '%s\\nuser: bob\\n' " + fromCmd, srv.URL + "/feed.ics"}, 0},
		{"url", "", []string{withUser + "/feed.ics"}, 0},
		{"refused", fromEnv, []string{"-u", "alice", srv.URL + "/refuse.ics"}, 1},
		{"refused url", "", []string{withUser + "/refuse.ics"}, 1},
		{"failing cmd", "", []string{"-u", "bob", "--password-cmd", "printf %s " + fromCmd + "; exit 3", srv.URL + "/feed.ics"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WEBCALFETCH_PASSWORD", tt.env)
			var stdout, stderr bytes.Buffer
			code := tool.Run(context.Background(), &grammar{}, append([]string{"-v", "debug", "--json"}, tt.args...), &stdout, &stderr)
			printed := stdout.String() + stderr.String()
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, printed)
			}
			if tt.code == 0 && !strings.Contains(stdout.String(), `"uid":"a"`) {
				t.Errorf("the feed was not printed:\n%s", printed)
			}
			if want := map[string]string{"refused": "401", "refused url": "401", "failing cmd": "--password-cmd"}[tt.name]; !strings.Contains(stderr.String(), want) {
				t.Errorf("standard error lacks %q:\n%s", want, &stderr)
			}
			if tt.name != "failing cmd" && !strings.Contains(stderr.String(), "DEBUG") {
				t.Errorf("nothing logged at debug:\n%s", &stderr)
			}
			for _, secret := range []string{fromEnv, fromCmd, inURL, "carol:"} {
				if strings.Contains(printed, secret) {
					t.Errorf("%q printed:\n%s", secret, printed)
				}
			}
		})
	}
}
