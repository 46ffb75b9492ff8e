module example.com/stressmod

go 1.18
