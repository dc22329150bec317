# aiprov in a container: a static (musl) build, run as a non-root user on a distroless image
# that carries git (aiprov runs `git` to clone and fetch repositories it has no mirror of).
#
#   docker build -t aiprov .
#   docker run --rm -v "$PWD:/work" -w /work aiprov enrich bom.cdx.json -o enriched.cdx.json
#
# Pin both base images by digest when releasing (`FROM image@sha256:…`); tests/dockerfile.rs
# checks the invariants below (two stages, locked static build, non-root numeric USER, exec-form
# ENTRYPOINT) and .ci/run lints this file with hadolint.

# ---- build: static musl binary ------------------------------------------------------------------
FROM docker.io/library/rust:1.89-alpine3.22 AS build
# build-base: the C compiler and musl headers the -sys crates (aws-lc-sys) need. Versions come
# with the pinned base image.
# hadolint ignore=DL3018
RUN apk add --no-cache build-base cmake perl
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY enrichers ./enrichers
COPY schemas ./schemas
COPY docs ./docs
COPY README.md LICENSE ./
ENV RUSTFLAGS="-C target-feature=+crt-static" \
    CARGO_TERM_COLOR=never
RUN cargo build --release --locked \
    && strip target/release/aiprov \
    && ./target/release/aiprov --version

# ---- run: distroless (Wolfi) with git, non-root -------------------------------------------------
# Chainguard's free images are published as `latest` only: pin the digest when releasing.
# hadolint ignore=DL3007
FROM cgr.dev/chainguard/git:latest AS run
COPY --from=build /src/target/release/aiprov /usr/local/bin/aiprov
COPY --from=build /src/LICENSE /usr/share/licenses/aiprov/LICENSE
# 65532: the image's own unprivileged "nonroot" user. The cache goes to a folder it owns.
USER 65532:65532
ENV AIPROV_CACHE_DIR=/tmp/aiprov-cache \
    HOME=/tmp
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/aiprov"]
CMD ["--help"]
