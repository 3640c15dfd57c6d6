# syntax=docker/dockerfile:1
#
# One image for both services: `orders serve-gateway` (the default) and
# `orders serve-consumer`, and for the one-shot commands (`orders topics create`,
# `orders schema register`). Built with the toolchain the workspace pins, run on
# distroless as a non-root user.
#
#   docker build -t orders .
#   docker run --rm -p 3000:3000 -e KAFKA_BROKERS=kafka:9092 orders
#   docker run --rm -p 3001:3001 -e DATABASE_URL=postgres://… orders serve-consumer

ARG RUST_VERSION=1.95

# cargo-chef splits the build in two: the dependencies (rdkafka's C library, sqlx, axum…),
# which change rarely and are cached as one layer, then the workspace's own crates.
# Bookworm, because the runtime image is Debian 12: the binary must not need a newer glibc.
FROM rust:${RUST_VERSION}-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json --package orders-cli --bin orders
COPY . .
RUN cargo build --release --locked --package orders-cli --bin orders \
 && install -D -m 0755 target/release/orders /out/orders

# glibc and libgcc only: librdkafka and zlib are linked in statically and TLS is rustls,
# so there is no OpenSSL to patch. No shell either: the health check is the binary itself.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=builder /out/orders /usr/local/bin/orders
# A directory the non-root user owns, for a SQLite store when DATABASE_URL is not Postgres.
WORKDIR /home/nonroot
USER nonroot:nonroot
ENV LOG_FORMAT=json
EXPOSE 3000 3001
# The gateway's liveness by default; the order-service passes its admin URL instead
# (HEALTHCHECK_URL=http://127.0.0.1:3001/healthz, or a compose healthcheck).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["orders", "healthcheck"]
ENTRYPOINT ["orders"]
CMD ["serve-gateway"]
