module kedaitong

go 1.26.8
