module gohv.example

go 1.19
