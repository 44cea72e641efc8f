# Build a static binary, then run it as a non-root user on a minimal image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces gofpdf with the patched copy in third_party/gofpdf (see
# PATCHES.md there): resolving the modules needs its go.mod.
COPY third_party/gofpdf/go.mod third_party/gofpdf/
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dosebook ./cmd/dosebook

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dosebook /usr/local/bin/dosebook
# The embedded database file (when DOSEBOOK_DATABASE_URL is unset) lives in
# the working directory; mount a volume here to keep it.
WORKDIR /home/nonroot
ENV DOSEBOOK_ADDR=0.0.0.0:8080
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/dosebook"]
CMD ["serve"]
