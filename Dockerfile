# batchwatch as a container image: built on debian:12, run on debian:12-slim with only the runtime
# libraries (the Debian package's Depends, computed by dpkg-shlibdeps), as a non-root user.
#
#   docker build -t batchwatch .
#   docker run -d --name batchwatch -e AWS_REGION=us-east-1 -e BATCHWATCH_TOPIC_ARN=arn:aws:sns:... \
#     -v batchwatch-state:/var/lib/batchwatch -v /path/to/agent.yaml:/etc/batchwatch/agent.yaml:ro batchwatch
#
# HEALTHCHECK asks the status server's /healthz on 127.0.0.1:9917 (the sample agent file's
# server.listen); keep the status server on in a mounted agent file, or override the healthcheck.

FROM debian:12 AS build
COPY .ci/install-deps /src/.ci/install-deps
RUN /src/.ci/install-deps --build-only && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBATCHWATCH_TESTS=OFF -DBATCHWATCH_BENCH=OFF \
 && cmake --build /build \
 && cd /build && cpack -G DEB -B /out

FROM debian:12-slim AS runtime
COPY --from=build /out/batchwatch_*.deb /tmp/
# The package pulls exactly the shared libraries the binary links; curl is for the healthcheck.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      /tmp/batchwatch_*.deb ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* /tmp/batchwatch_*.deb \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/batchwatch --shell /usr/sbin/nologin batchwatch \
 && install -d -o batchwatch -g batchwatch -m 0750 /var/lib/batchwatch
USER 10001:10001
WORKDIR /var/lib/batchwatch
VOLUME /var/lib/batchwatch
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 \
  CMD curl -fsS http://127.0.0.1:9917/healthz || exit 1
ENTRYPOINT ["/usr/bin/batchwatch"]
CMD ["run", "--config", "/etc/batchwatch/agent.yaml", "--log-format", "json"]
