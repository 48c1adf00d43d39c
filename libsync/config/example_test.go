package config_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/pimsync-go/libsync/config"
)

func ExampleParse() {
	c, err := config.Parse("pimsync.conf", strings.NewReader(`status_path /var/lib/pimsync
storage local {
	type vdir/vcard
	path /home/u/contacts
}
storage remote {
	type carddav
	url https://dav.example.com/
	username me
	password {
		shell echo secret
	}
}
pair contacts {
	storage_a local
	storage_b remote
	collections from b
}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := c.Pair("contacts")
	fmt.Println(p.A.Name, p.A.FileExt, p.B.Name, p.B.Kind(), p.FromB)
	password, err := p.B.Password.Resolve(context.Background())
	fmt.Println(len(password), err)

	_, err = config.Parse("pimsync.conf", strings.NewReader(`status_path /s
storage local {
	type vdir/vcard
	readonly
}
`))
	fmt.Println(err)
	// Output:
	// local vcf remote contacts true
	// 6 <nil>
	// pimsync.conf:2:1: vdir/vcard storage local has no path
	// pimsync.conf:4:2: unknown directive readonly in storage local (did you mean read_only?)
}
