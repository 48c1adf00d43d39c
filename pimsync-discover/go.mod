module github.com/pimsync-go/pimsync-discover

go 1.25.0
