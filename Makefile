# Everyday commands. Each is a plain go command you can also run directly.
.PHONY: run test test-postgres bench lint build reliability

run:            ## start on ./dosebook.db with demo data
	go run ./cmd/dosebook serve --demo

test:           ## every test, SQLite (and PostgreSQL if DOSEBOOK_TEST_POSTGRES_URL is set)
	go test ./...

test-postgres:  ## what CI runs: both databases, fresh PostgreSQL database
	bash .ci/run

bench:
	go test -run '^$$' -bench . -benchmem ./...

lint:
	gofmt -l . && go vet ./...

build:
	CGO_ENABLED=0 go build -trimpath -o dosebook ./cmd/dosebook

reliability:    ## issue 6 figures: 200 recordings via two servers, kill -9, 30 s database outage (needs DOSEBOOK_TEST_POSTGRES_URL)
	DOSEBOOK_RELIABILITY=full go test -count=1 -v -run 'TwoServers|Crash|Outage' ./cmd/dosebook
