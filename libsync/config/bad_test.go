package config

import (
	"errors"
	"strings"
	"testing"
)

// base is a valid start for the bad configurations below; it has 13 lines, so their own
// text starts at line 14.
const base = `status_path /tmp/status
storage cal {
	type vdir/icalendar
	path /tmp/cal
}
storage remote {
	type caldav
	url https://example.com/
}
storage card {
	type vdir/vcard
	path /tmp/card
}
`

// pairOf is a pair block for base's storages, at line 14.
func pairOf(a, b string, more ...string) string {
	s := base + "pair p {\n\tstorage_a " + a + "\n\tstorage_b " + b + "\n"
	for _, m := range more {
		s += "\t" + m + "\n"
	}
	return s + "}\n"
}

// TestParseErrors checks that each bad configuration yields exactly the listed errors,
// in order, each starting with the position and the message (or its start). Listing all
// of them checks that one mistake does not set off a cascade of bogus ones.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		conf string
		want []string
	}{
		{"syntax error", base + "storage x {\n\ttype \"caldav\n}\n",
			[]string{"bad.conf:15:7: unterminated double-quoted string"}},
		{"missing status_path", "storage cal {\n\ttype vdir/icalendar\n\tpath /x\n}\n",
			[]string{"bad.conf:1:1: missing status_path"}},
		{"empty file", "", []string{"bad.conf:1:1: missing status_path"}},
		{"status_path twice", base + "status_path /b\n",
			[]string{"bad.conf:14:1: duplicate status_path in the top level (first given at line 1)"}},
		{"empty status_path", `status_path ""`,
			[]string{"bad.conf:1:13: status_path is empty"}},
		{"unknown top-level directive", base + "stauts_path /x\n",
			[]string{"bad.conf:14:1: unknown directive stauts_path in the top level (did you mean status_path?)"}},
		{"unknown storage directive", base + "storage x {\n\ttype caldav\n\turl https://a/\n\treadonly\n}\n",
			[]string{"bad.conf:17:2: unknown directive readonly in storage x (did you mean read_only?)"}},
		{"vdirsyncer hint", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tencoding utf-8\n}\n",
			[]string{"bad.conf:17:2: unknown directive encoding in storage x (not supported: items are always UTF-8)"}},
		{"extra parameter", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tinterval 30 40\n}\n",
			[]string{"bad.conf:17:14: interval takes 1 parameter, got 2"}},
		{"read_only with a value", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tread_only true\n}\n",
			[]string{"bad.conf:17:12: read_only takes no parameters, got 1"}},
		{"path in caldav", base + "storage x {\n\ttype caldav\n\turl https://a/\n\tpath /x\n}\n",
			[]string{"bad.conf:17:2: path does not apply to caldav storages, only to vdir/icalendar, vdir/vcard, singlefile/icalendar, singlefile/vcard"}},
		{"url in vdir", base + "storage x {\n\turl https://a/\n\ttype vdir/icalendar\n\tpath /x\n}\n",
			[]string{"bad.conf:15:2: url does not apply to vdir/icalendar storages, only to caldav, carddav, webcal"}},
		{"collection_id in caldav", base + "storage x {\n\ttype caldav\n\turl https://a/\n\tcollection_id y\n}\n",
			[]string{"bad.conf:17:2: collection_id does not apply to caldav storages, only to webcal"}},
		{"duplicate type", base + "storage x {\n\ttype caldav\n\ttype carddav\n\turl https://a/\n}\n",
			[]string{"bad.conf:16:2: duplicate type in storage x (first given at line 15)"}},
		{"duplicate storage", base + "storage cal {\n\ttype vdir/icalendar\n\tpath /y\n}\n",
			[]string{"bad.conf:14:1: storage cal is already defined at line 2"}},
		{"storage without block", base + "storage x\n",
			[]string{"bad.conf:14:1: storage x needs a block"}},
		{"storage without type", base + "storage x {\n\tpath /x\n}\n",
			[]string{"bad.conf:14:1: storage x has no type (one of vdir/icalendar, vdir/vcard, caldav, carddav, webcal, singlefile/icalendar, singlefile/vcard)"}},
		{"unknown type", base + "storage x {\n\ttype filesystem\n\tpath /x\n}\n",
			[]string{"bad.conf:15:7: unknown storage type filesystem (vdirsyncer's filesystem is vdir/icalendar or vdir/vcard here)"}},
		{"singlefile without path", base + "storage x {\n\ttype singlefile/icalendar\n}\n",
			[]string{"bad.conf:14:1: singlefile/icalendar storage x has no path"}},
		{"singlefile with two %s", base + "storage x {\n\ttype singlefile/vcard\n\tpath /x/%s/%s.vcf\n}\n",
			[]string{"bad.conf:16:7: path may contain %s at most once"}},
		{"singlefile with fileext", base + "storage x {\n\ttype singlefile/icalendar\n\tpath /x/%s.ics\n\tfileext ics\n}\n",
			[]string{"bad.conf:17:2: fileext does not apply to singlefile/icalendar storages, only to vdir/icalendar, vdir/vcard"}},
		{"vdirsyncer singlefile", base + "storage x {\n\ttype singlefile\n\tpath /x.ics\n}\n",
			[]string{"bad.conf:15:7: unknown storage type singlefile (vdirsyncer's singlefile is singlefile/icalendar or singlefile/vcard here)"}},
		{"jmap", base + "storage x {\n\ttype jmap/icalendar\n\turl https://a/\n}\n",
			[]string{"bad.conf:15:7: storage type jmap/icalendar is not supported"}},
		{"vdir without path", base + "storage x {\n\ttype vdir/vcard\n}\n",
			[]string{"bad.conf:14:1: vdir/vcard storage x has no path"}},
		{"caldav without url", base + "storage x {\n\ttype caldav\n\tusername u\n}\n",
			[]string{"bad.conf:14:1: caldav storage x has no url"}},
		{"webcal without collection_id", base + "storage x {\n\ttype webcal\n\turl https://a/\n}\n",
			[]string{"bad.conf:14:1: webcal storage x has no collection_id"}},
		{"bad storage name", base + "storage .x {\n\ttype vdir/vcard\n\tpath /x\n}\n",
			[]string{"bad.conf:14:9: storage name .x cannot start with a dot"}},
		{"concurrency zero", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tconcurrency 0\n}\n",
			[]string{"bad.conf:17:14: concurrency must be a whole number from 1 to 256, not 0"}},
		{"concurrency too large", base + "storage x {\n\ttype caldav\n\turl http://x/\n\tconcurrency 257\n}\n",
			[]string{"bad.conf:17:14: concurrency must be a whole number from 1 to 256, not 257"}},
		{"timeout out of range", base + "storage x {\n\ttype caldav\n\turl http://x/\n\ttimeout 0\n}\nstorage y {\n\ttype webcal\n\turl http://x/\n\tcollection_id y\n\ttimeout 5000\n}\n",
			[]string{"bad.conf:17:10: timeout must be a whole number from 1 to 3600, not 0", "bad.conf:23:10: timeout must be a whole number from 1 to 3600, not 5000"}},
		{"max_size out of range", base + "storage x {\n\ttype caldav\n\turl http://x/\n\tmax_size 512\n}\nstorage y {\n\ttype vdir/vcard\n\tpath /y\n\tmax_size 5G\n}\n",
			[]string{"bad.conf:17:11: max_size must be a size from 1K to 4G (a number of bytes, or of KiB, MiB or GiB with K, M or G: 256M), not 512",
				"bad.conf:22:11: max_size must be a size from 1K to 4G (a number of bytes, or of KiB, MiB or GiB with K, M or G: 256M), not 5G"}},
		{"max_size not a size", base + "storage x {\n\ttype caldav\n\turl http://x/\n\tmax_size 2MB\n}\nstorage y {\n\ttype vdir/vcard\n\tpath /y\n\tmax_size M\n}\n",
			[]string{"bad.conf:17:11: max_size must be a size from 1K to 4G (a number of bytes, or of KiB, MiB or GiB with K, M or G: 256M), not 2MB",
				"bad.conf:22:11: max_size must be a size from 1K to 4G (a number of bytes, or of KiB, MiB or GiB with K, M or G: 256M), not M"}},
		{"max_size on a single file", base + "storage x {\n\ttype singlefile/vcard\n\tpath /x\n\tmax_size 1M\n}\n",
			[]string{"bad.conf:17:2: max_size does not apply to singlefile/vcard storages"}},
		{"timeout on a vdir", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\ttimeout 10\n}\n",
			[]string{"bad.conf:17:2: timeout does not apply to vdir/vcard storages"}},
		{"multiget_size not a number", base + "storage x {\n\ttype carddav\n\turl http://x/\n\tmultiget_size lots\n}\n",
			[]string{"bad.conf:17:16: multiget_size must be a whole number from 1 to 1000, not lots"}},
		{"multiget_size on a vdir", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tmultiget_size 10\n}\n",
			[]string{"bad.conf:17:2: multiget_size does not apply to vdir/vcard storages, only to caldav, carddav"}},
		{"interval zero", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tinterval 0\n}\n",
			[]string{"bad.conf:17:11: interval must be greater than 0"}},
		{"interval not a number", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tinterval 5m\n}\n",
			[]string{"bad.conf:17:11: interval must be a whole number of seconds greater than 0, not 5m"}},
		{"interval too large", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tinterval 99999999999999999999\n}\n",
			[]string{"bad.conf:17:11: interval 99999999999999999999 is too large"}},
		{"fileext", base + "storage x {\n\ttype vdir/vcard\n\tpath /x\n\tfileext .\n}\nstorage y {\n\ttype vdir/vcard\n\tpath /x\n\tfileext a/b\n}\n",
			[]string{"bad.conf:17:10: fileext is empty", "bad.conf:22:10: fileext cannot contain /"}},
		{"collection_id_segment", base + "storage x {\n\ttype carddav\n\turl https://a/\n\tcollection_id_segment first\n}\n",
			[]string{"bad.conf:17:24: collection_id_segment must be last or second-last, not first"}},
		{"url scheme", base + "storage x {\n\ttype webcal\n\tcollection_id h\n\turl ftp://a/h.ics\n}\n",
			[]string{"bad.conf:17:6: url must start with http:// or https://"}},
		{"url without host", base + "storage x {\n\ttype caldav\n\turl https:///x\n}\n",
			[]string{"bad.conf:16:6: url has no host"}},
		{"block on a plain directive", base + "storage x {\n\ttype caldav {\n\t\tcmd echo caldav\n\t}\n\turl https://a/\n}\n",
			[]string{"bad.conf:16:3: type takes no block"}},
		{"password without username", base + "storage x {\n\ttype caldav\n\turl https://a/\n\tpassword p\n}\n",
			[]string{"bad.conf:17:2: password without username"}},
		{"value and block", base + "storage x {\n\ttype caldav\n\turl https://a/\n\tpassword p {\n\t\tcmd pass\n\t}\n}\n",
			[]string{"bad.conf:17:11: password takes a value or a { cmd … } block, not both"}},
		{"value without anything", base + "storage x {\n\ttype caldav\n\turl https://a/\n\tpassword\n}\n",
			[]string{"bad.conf:17:2: password needs a value, or a block { cmd PROG [ARGS…] } or { shell SCRIPT }"}},
		{"value block problems", base + "storage x {\n\ttype caldav\n\turl {\n\t\tcommand x\n\t}\n\tusername {\n\t\tcmd a\n\t\tshell b\n\t}\n\tpassword {\n\t\tcmd \"\"\n\t}\n}\n",
			[]string{
				"bad.conf:17:3: unknown directive command in url block: expected cmd PROG [ARGS…] or shell SCRIPT",
				"bad.conf:21:3: username block must hold exactly one cmd or shell directive",
				"bad.conf:24:7: cmd's program name is empty",
			}},
		{"empty cmd and shell", base + "storage x {\n\ttype caldav\n\turl {\n\t\tcmd\n\t}\n\tusername {\n\t\tshell \"\"\n\t}\n}\n",
			[]string{"bad.conf:17:3: cmd needs a program", "bad.conf:20:3: shell needs a script"}},
		{"unknown type with a typo", base + "storage x {\n\ttype caldva\n\turl https://a/\n}\nstorage y {\n\ttype exchange\n}\n",
			[]string{
				"bad.conf:15:7: unknown storage type caldva (did you mean caldav?)",
				"bad.conf:19:7: unknown storage type exchange (one of vdir/icalendar, vdir/vcard, caldav, carddav, webcal, singlefile/icalendar, singlefile/vcard)",
			}},
		{"empty values", base + "storage x {\n\ttype caldav\n\turl \"\"\n\ttls_root \"\"\n\tauth_cert c \"\"\n\tuser_agent \"\"\n}\nstorage \"\" {\n\ttype vdir/vcard\n\tpath \"\"\n}\n",
			[]string{
				"bad.conf:16:6: url is empty",
				"bad.conf:17:11: tls_root is empty",
				"bad.conf:18:14: auth_cert file name is empty",
				"bad.conf:19:13: user_agent is empty",
				"bad.conf:21:9: storage name is empty",
				"bad.conf:23:7: path is empty",
			}},
		{"bad urls", base + "storage x {\n\ttype caldav\n\turl \"http://[::1\"\n}\nstorage y {\n\ttype carddav\n\turl unix://\n}\nstorage z {\n\ttype caldav\n\turl /dav/\n}\n",
			[]string{
				"bad.conf:16:6: url is not valid: missing ']' in host",
				"bad.conf:20:6: url unix:// needs the socket's path",
				"bad.conf:24:6: url must start with http:// or https:// (or unix:// for a Unix socket, or an email address or a domain",
			}},
		{"a webcal url that does not parse", base + "storage x {\n\ttype webcal\n\turl \"webcal://[::1\"\n\tcollection_id x\n}\n",
			[]string{"bad.conf:16:6: url is not valid: missing ']' in host"}},
		{"domain urls", base + "storage x {\n\ttype webcal\n\turl example.com\n\tcollection_id x\n}\nstorage y {\n\ttype carddav\n\turl \"me@example com\"\n}\n",
			[]string{
				"bad.conf:16:6: url must start with http:// or https://",
				"bad.conf:21:6: url must start with http:// or https:// (or unix://",
			}},
		{"blocks inside value blocks", base + "storage x {\n\ttype caldav\n\turl {\n\t\tcmd x {\n\t\t\ty\n\t\t}\n\t}\n\tusername {\n\t\tshell x {\n\t\t\ty\n\t\t}\n\t}\n}\n",
			[]string{"bad.conf:18:4: cmd takes no block", "bad.conf:23:4: shell takes no block"}},
		{"bad mapping values", pairOf("cal", "remote", "collection {", "\talias .", "\thref_a ''", "\tid_b a/b", "}", "collection ''"),
			[]string{
				"bad.conf:18:9: alias cannot be . or ..",
				"bad.conf:19:10: href_a is empty",
				"bad.conf:20:8: id_b cannot contain /",
				"bad.conf:22:13: collection ID is empty",
			}},
		{"pair name empty", base + "pair '' {\n\tstorage_a cal\n\tstorage_b remote\n\tcollections all\n}\n",
			[]string{"bad.conf:14:6: pair name is empty"}},
		{"pair without storages", base + "pair p {\n\tcollections all\n}\n",
			[]string{"bad.conf:14:1: pair p has no storage_a", "bad.conf:14:1: pair p has no storage_b"}},
		{"pair without collections", base + "pair p {\n\tstorage_a cal\n\tstorage_b remote\n}\n",
			[]string{"bad.conf:14:1: pair p declares no collections"}},
		{"pair without block", base + "pair p\n",
			[]string{"bad.conf:14:1: pair p needs a block"}},
		{"undefined storage", pairOf("nope", "cla", "collections all"),
			[]string{
				"bad.conf:15:12: storage_a names undefined storage nope (defined: cal, card, remote)",
				"bad.conf:16:12: storage_b names undefined storage cla (did you mean cal?)",
			}},
		{"calendar with contacts", pairOf("cal", "card", "collections all"),
			[]string{"bad.conf:16:12: pair p: storage a is a calendar storage (vdir/icalendar) but storage b is a contacts storage (vdir/vcard)"}},
		{"same storage twice", pairOf("cal", "cal", "collections all"),
			[]string{"bad.conf:16:12: pair p: storage_a and storage_b are both cal"}},
		{"both read-only", "storage w {\n\ttype webcal\n\turl https://a/h.ics\n\tcollection_id h\n}\n" +
			strings.Replace(pairOf("cal", "w", "collections all"), "\tpath /tmp/cal\n", "\tpath /tmp/cal\n\tread_only\n", 1),
			[]string{"bad.conf:20:1: pair p: storages cal and w are both read-only"}},
		{"two webcal feeds", "storage w {\n\ttype webcal\n\turl https://a/h.ics\n\tcollection_id h\n}\n" +
			"storage v {\n\ttype webcal\n\turl https://a/v.ics\n\tcollection_id v\n}\n" +
			"pair p {\n\tstorage_a w\n\tstorage_b v\n\tcollections all\n}\n" + base,
			[]string{"bad.conf:11:1: pair p: storages w and v are both read-only"}},
		{"one_way to read-only", base + "storage w {\n\ttype webcal\n\turl https://a/h.ics\n\tcollection_id h\n}\n" +
			"pair p {\n\tstorage_a cal\n\tstorage_b w\n\tcollections from b\n\tone_way\n}\n",
			[]string{"bad.conf:19:1: pair p is one_way, which writes to storage b only, but w is read-only"}},
		{"pair names", base + "pair a/b {\n\tstorage_a cal\n\tstorage_b remote\n\tcollections all\n}\npair .p {\n\tstorage_a cal\n\tstorage_b remote\n\tcollections all\n}\n",
			[]string{"bad.conf:14:6: pair name a/b cannot contain /", "bad.conf:19:6: pair name .p cannot start with a dot"}},
		{"duplicate pair", pairOf("cal", "remote", "collections all") + "pair p {\n\tstorage_a cal\n\tstorage_b remote\n\tcollections all\n}\n",
			[]string{"bad.conf:19:1: pair p is already defined at line 14"}},
		{"collections", pairOf("cal", "remote", "collections from c", "collections"),
			[]string{"bad.conf:17:14: collections takes all, from a or from b", "bad.conf:18:2: collections takes 1 or 2 parameters, got 0"}},
		{"pair settings", pairOf("cal", "remote", "collections all", "on_empty delete", "on_delete never", "one_way yes"),
			[]string{
				"bad.conf:18:11: on_empty must be skip or sync, not delete",
				"bad.conf:19:12: on_delete must be sync or skip, not never",
				"bad.conf:20:10: one_way takes no parameters, got 1",
			}},
		{"conflict_resolution", pairOf("cal", "remote", "collections all", "conflict_resolution keep c"),
			[]string{`bad.conf:18:22: conflict_resolution must be "keep a", "keep b" or "cmd PROG [ARGS…]"`}},
		{"conflict_resolution without program", pairOf("cal", "remote", "collections all", "conflict_resolution cmd"),
			[]string{`bad.conf:18:22: conflict_resolution must be "keep a", "keep b" or "cmd PROG [ARGS…]"`}},
		{"collection with ID and block", pairOf("cal", "remote", "collection x {", "\tid_a x", "}"),
			[]string{"bad.conf:17:13: collection takes an ID or a block, not both"}},
		{"collection ID", pairOf("cal", "remote", "collection a/b", "collection ''", "collection"),
			[]string{
				"bad.conf:17:13: collection ID cannot contain /",
				"bad.conf:18:13: collection ID is empty",
				"bad.conf:19:2: collection needs an ID, or a block with alias, id_a or href_a, and id_b or href_b",
			}},
		{"mapping problems", pairOf("cal", "remote", "collection {", "\tid_a x", "\tid_b y", "\thref_b /y/", "}", "collection {", "\talias z", "}"),
			[]string{
				"bad.conf:17:2: collection block of pair p has no alias",
				"bad.conf:20:3: id_b and href_b name the same side: give only one",
				"bad.conf:22:2: collection block has neither id_a nor href_a",
				"bad.conf:22:2: collection block has neither id_b nor href_b",
			}},
		{"mapping unknown directive", pairOf("cal", "remote", "collection {", "\talias x", "\tid_a x", "\tid_b x", "\tname x", "}"),
			[]string{"bad.conf:21:3: unknown directive name in collection block of pair p"}},
		{"duplicate collections", pairOf("cal", "remote", "collection a", "collection a", "collection {", "\talias a", "\tid_a b", "\tid_b c", "}", "collection {", "\talias d", "\tid_a b", "\thref_b /c/", "}"),
			[]string{
				"bad.conf:18:13: collection a is already used at line 17",
				"bad.conf:20:9: alias a is already used at line 17",
				"bad.conf:26:8: id_a b is already used at line 21",
			}},
		{"cascade stops at a bad storage", base + "storage x {\n\ttype filesystem\n\tpath /x\n}\n" + "pair p {\n\tstorage_a x\n\tstorage_b card\n\tcollections all\n}\n",
			[]string{"bad.conf:15:7: unknown storage type filesystem"}},
		{"cascade stops at a misspelled storage", base + "storge x {\n\ttype vdir/vcard\n\tpath /x\n}\nstorage y z {\n\ttype vdir/vcard\n}\n" +
			"pair p {\n\tstorage_a x\n\tstorage_b y\n\tcollections all\n}\n",
			[]string{
				"bad.conf:14:1: unknown directive storge in the top level (did you mean storage?)",
				"bad.conf:18:11: storage takes 1 parameter, got 2",
			}},
		{"many problems at once", base + "storage x {\n\ttype caldav\n}\npair q {\n\tstorage_a x\n\tstorage_b y\n}\n",
			[]string{
				"bad.conf:14:1: caldav storage x has no url",
				"bad.conf:17:1: pair q declares no collections",
				"bad.conf:19:12: storage_b names undefined storage y",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("bad.conf", strings.NewReader(tt.conf))
			if err == nil {
				t.Fatalf("Parse: no error, want %q", tt.want)
			}
			if c != nil {
				t.Errorf("Parse returned a config with its errors")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("Parse: %v has no *Error", err)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("Parse: %d errors, want %d:\n%s", len(got), len(tt.want), err)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d:\n got %s\nwant %s…", i, got[i], tt.want[i])
				}
			}
		})
	}
}
