module github.com/pimsync-go/libsync

go 1.25.0

require github.com/pimsync-go/libvdir v0.0.0

require github.com/alecthomas/kong v1.17.0

replace github.com/pimsync-go/libvdir => ../libvdir
