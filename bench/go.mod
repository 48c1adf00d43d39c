module github.com/pimsync-go/bench

go 1.25.0
