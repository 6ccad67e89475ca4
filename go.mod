module confide

go 1.26.8

require (
	filippo.io/age v1.3.2
	golang.org/x/crypto v0.59.0
)

require (
	filippo.io/hpke v0.4.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
