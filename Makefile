# Everyday commands. Each is a plain go command you can also run directly.
.PHONY: run test test-postgres bench lint build reliability security fuzz

run:            ## start on ./dosebook.db with demo data
	go run ./cmd/dosebook serve --demo

test:           ## every test, SQLite (and PostgreSQL if DOSEBOOK_TEST_POSTGRES_URL is set)
	go test ./...

test-postgres:  ## what CI runs: both databases, fresh PostgreSQL database
	bash .ci/run

bench:
	go test -run '^$$' -bench . -benchmem ./...

lint:           ## gofmt (fails listing what it would rewrite) and go vet, as .ci/run does
	@unformatted=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); test -z "$$unformatted" || { echo "gofmt would rewrite:"; echo "$$unformatted"; exit 1; }
	go vet ./...

build:
	CGO_ENABLED=0 go build -trimpath -o dosebook ./cmd/dosebook

reliability:    ## issue 6 figures: 200 recordings via two servers, kill -9, 30 s database outage (needs DOSEBOOK_TEST_POSTGRES_URL)
	@test -n "$$DOSEBOOK_TEST_POSTGRES_URL" || { echo "make reliability needs DOSEBOOK_TEST_POSTGRES_URL (docs/reliability.md): without it the PostgreSQL parts would be skipped"; exit 2; }
	DOSEBOOK_RELIABILITY=full go test -count=1 -v -run 'TwoServers|Crash|Outage' ./cmd/dosebook

security:       ## the security suite alone (both databases when DOSEBOOK_TEST_POSTGRES_URL is set)
	go test -count=1 -v -run 'Authorization|Malformed|InjectionStrings|BodyMustBeDeclaredJSON|DuplicateKey|LogsHold|BadTokensAreThrottled|ThrottledAddress|AnotherPharmacyIsDenied|QueryParametersMustBeText' ./internal/httpapi
	go test -count=1 -v -run 'BadConfigurationExitsWithStatus2|SIGTERM' ./cmd/dosebook

fuzz:           ## every fuzz target for FUZZTIME each (default 20s)
	go test -run '^$$' -fuzz '^FuzzNormaliseNHSNumber$$' -fuzztime $${FUZZTIME:-20s} ./internal/patients
	go test -run '^$$' -fuzz '^FuzzParseMilligrams$$' -fuzztime $${FUZZTIME:-20s} ./internal/dosing
	go test -run '^$$' -fuzz '^FuzzMicrogramsJSON$$' -fuzztime $${FUZZTIME:-20s} ./internal/dosing
	go test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $${FUZZTIME:-20s} ./internal/httpapi
	go test -run '^$$' -fuzz '^FuzzBuildSchedule$$' -fuzztime $${FUZZTIME:-20s} ./internal/prescriptions
