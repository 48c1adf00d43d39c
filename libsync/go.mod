module github.com/pimsync-go/libsync

go 1.25.0

require github.com/pimsync-go/libvdir v0.0.0

require (
	github.com/alecthomas/kong v1.17.0
	go.etcd.io/bbolt v1.5.0
)

require golang.org/x/sys v0.45.0 // indirect

replace github.com/pimsync-go/libvdir => ../libvdir
