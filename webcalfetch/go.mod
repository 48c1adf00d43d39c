module github.com/pimsync-go/webcalfetch

go 1.25.0
