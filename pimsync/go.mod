module github.com/pimsync-go/pimsync

go 1.25.0

require (
	github.com/pimsync-go/libsync v0.0.0
	github.com/pimsync-go/libvdir v0.0.0
	golang.org/x/sys v0.47.0
)

require (
	github.com/alecthomas/kong v1.17.0 // indirect
	github.com/emersion/go-ical v0.0.0-20250609112844-439c63cef608 // indirect
	github.com/emersion/go-vcard v0.0.0-20260618161152-d854b7e0e2d3 // indirect
	github.com/emersion/go-webdav v0.7.1-0.20260628102823-c16f8a9a132c // indirect
	github.com/miekg/dns v1.1.73 // indirect
	github.com/teambition/rrule-go v1.8.2 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/net v0.57.0 // indirect
)

replace github.com/pimsync-go/libsync => ../libsync

replace github.com/pimsync-go/libvdir => ../libvdir
