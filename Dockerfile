# Build a static binary, then copy it into an image with nothing else in it.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/corimport ./cmd/corimport

# distroless/static has CA certificates and tzdata, and runs as the
# unprivileged user 65532 ("nonroot").
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/corimport /usr/local/bin/corimport
WORKDIR /work
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/corimport"]
CMD ["help"]
