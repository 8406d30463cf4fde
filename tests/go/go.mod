module gohv.test

go 1.19
