module gohv.dev/gostd

go 1.19
