module gohv.bench/tamago

go 1.21
