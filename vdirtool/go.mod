module github.com/pimsync-go/vdirtool

go 1.25.0

require (
	github.com/alecthomas/kong v1.17.0
	github.com/pimsync-go/libvdir v0.0.0
)

replace github.com/pimsync-go/libvdir => ../libvdir
