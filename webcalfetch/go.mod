module github.com/pimsync-go/webcalfetch

go 1.25.0

require (
	github.com/pimsync-go/libsync v0.0.0
	github.com/pimsync-go/libvdir v0.0.0
)

require (
	github.com/alecthomas/kong v1.17.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

replace github.com/pimsync-go/libsync => ../libsync

replace github.com/pimsync-go/libvdir => ../libvdir
