module github.com/pimsync-go/libsync

go 1.25.0
