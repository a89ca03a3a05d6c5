# syntax=docker/dockerfile:1
# The load balancer of the compose profile "scale": Debian's HAProxy with deploy/haproxy.cfg, on the same base image
# as the service's image (BASE_IMAGE, python:3.11-slim by default, or the local stand-in of
# scripts/container-smoke.sh), so that it needs no other image. Built with deploy/ as its context.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
    && rm -rf /var/lib/apt/lists/* \
    && haproxy -v
COPY haproxy.cfg /etc/haproxy/haproxy.cfg
# The Debian package's unprivileged user; the balancer listens on 8080, no root needed.
USER haproxy
EXPOSE 8080
# Soft stop: stop listening, let the requests in flight finish (at most hard-stop-after), exit. (As the container's
# PID 1, haproxy -db does not act on SIGTERM: `docker stop` would wait its 10 s and SIGKILL it.)
STOPSIGNAL SIGUSR1
# -db: in the foreground, logging to stdout (the container's log)
CMD ["haproxy", "-db", "-f", "/etc/haproxy/haproxy.cfg"]
