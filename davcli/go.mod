module github.com/pimsync-go/davcli

go 1.25.0

require github.com/alecthomas/kong v1.17.0
