package scfg_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/pimsync-go/libsync/scfg"
)

func ExampleParse() {
	blk, err := scfg.Parse(strings.NewReader(`storage cal {
	type caldav
	password {
		cmd pass show "dav/my account"
	}
}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	st := blk.Get("storage")
	fmt.Println(st.Name, st.Params, st.Children.Get("type").Params)
	fmt.Printf("%q\n", st.Children.Get("password").Children.Get("cmd").Params)

	_, err = scfg.Parse(strings.NewReader("a {\n\tb \"c\n}\n"))
	fmt.Println(err)
	// Output:
	// storage [cal] [caldav]
	// ["pass" "show" "dav/my account"]
	// 2:4: unterminated double-quoted string
}

func ExampleWrite() {
	blk := scfg.Block{
		{Name: "status_path", Params: []string{"~/my status/"}},
		{Name: "pair", Params: []string{"p"}, Children: scfg.Block{
			{Name: "conflict_resolution", Params: []string{"cmd", "sh", "-c", `diff "$1" "$2"`}},
		}},
	}
	if err := scfg.Write(os.Stdout, blk); err != nil {
		fmt.Println(err)
	}
	// Output:
	// status_path "~/my status/"
	// pair p {
	// 	conflict_resolution cmd sh -c 'diff "$1" "$2"'
	// }
}
