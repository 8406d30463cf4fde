module gohv.bench

go 1.19
