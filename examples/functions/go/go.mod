module weir.example/functions/go

go 1.24
