module github.com/schemagate/schemagate/bench/inspect

go 1.26.8

replace github.com/schemagate/schemagate => ../..

require ariga.io/atlas v0.32.1-0.20250325101103-175b25e1c1b9 // indirect
