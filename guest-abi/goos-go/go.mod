module gohv.dev/tamago

go 1.21
