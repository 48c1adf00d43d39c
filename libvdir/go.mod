module github.com/pimsync-go/libvdir

go 1.25.0
