module github.com/pimsync-go/pimsync

go 1.25.0
