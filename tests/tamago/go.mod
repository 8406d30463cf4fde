module gohv.test/tamago

go 1.21

require gohv.dev/tamago v0.0.0

replace gohv.dev/tamago => ../../guest-abi/goos-go
