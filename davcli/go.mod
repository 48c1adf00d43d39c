module github.com/pimsync-go/davcli

go 1.25.0
