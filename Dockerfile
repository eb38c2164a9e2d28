# Builds the tokenyield binary in a pinned Go image and ships it in a small
# Debian image with git (tokenyield runs the git binary for notes and line
# statistics). No USER: GitHub Actions runs Docker actions as root so that the
# workspace it mounts stays writable.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/tokenyield ./cmd/tokenyield

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/tokenyield /usr/local/bin/tokenyield
ENTRYPOINT ["/usr/local/bin/tokenyield"]
