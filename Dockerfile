# Candor in a container: one static-ish binary on a slim Debian, as a non-root
# user, with a root filesystem that can be mounted read-only.
#
#   docker build -t candor .
#   openssl rand -hex 32 > master.key && chmod 600 master.key   # once; back it up
#   docker run --read-only -p 8080:8080 \
#     -v candor-data:/var/lib/candor \
#     -v "$PWD/master.key:/run/secrets/candor_master_key:ro" \
#     candor serve --listen 0.0.0.0:8080 --demo
#
# The master key is mounted, never stored in the data volume beside what it
# protects. For PostgreSQL set CANDOR_DATABASE_URL (and run `candor db migrate`
# once with CANDOR_DATABASE_OWNER_URL); every option is a CANDOR_* variable.
# To answer questionnaires with the sentence model too, fetch it on the host
# (scripts/fetch-sentence-model.sh) and mount it read-only:
#   -v "$PWD/target/models/all-MiniLM-L6-v2:/opt/sentence-model:ro" \
#   -e CANDOR_SENTENCE_MODEL=/opt/sentence-model

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p candor \
 && install -D -m 0755 target/release/candor /out/candor

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/candor \
        --shell /usr/sbin/nologin candor \
 && install -d -o candor -g candor -m 0700 /var/lib/candor
COPY --from=build /out/candor /usr/local/bin/candor
USER 10001:10001
WORKDIR /var/lib/candor
VOLUME ["/var/lib/candor"]
ENV CANDOR_DATABASE_URL=sqlite:///var/lib/candor/candor.db \
    CANDOR_MASTER_KEY_FILE=/run/secrets/candor_master_key \
    CANDOR_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["candor", "health", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["candor"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
