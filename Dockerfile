# tracker: one image for both modes. `docker run IMAGE` runs the scheduler; `docker run IMAGE sync`
# (or digest, doctor, ...) runs one command and exits, for Kubernetes CronJobs and the like.
# No secret is ever baked in: GITHUB_TOKEN and the SLACK_* variables come at run time.

# The base image is pinned by digest (python:3.11-slim), so a rebuild gets the same bytes; update
# the digest deliberately (`docker buildx imagetools inspect python:3.11-slim`).
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7 AS build
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
COPY tracker ./tracker
COPY jobs ./jobs
COPY config ./config
# The README's install (locked dependencies, checked against their hashes; then tracker itself),
# into a prefix the final stage copies.
RUN pip install --no-cache-dir --prefix=/install -r requirements.lock \
    && pip install --no-cache-dir --prefix=/install --no-deps .

FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 tracker \
    && mkdir -p /data /config \
    && chown tracker /data
USER tracker
WORKDIR /data
VOLUME ["/data"]
# TRACKER_DEFAULT_DATABASE_URL applies only when the config file sets no [database] url.
ENV PYTHONUNBUFFERED=1 \
    TRACKER_CONFIG=/config/tracker.toml \
    TRACKER_DEFAULT_DATABASE_URL=sqlite:////data/tracker.db
# The scheduler rewrites a heartbeat file every 30 s; a stuck or dead scheduler turns unhealthy.
# (One-shot commands such as `sync` have no scheduler: ignore their health, or disable it.)
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["tracker", "doctor", "--health"]
# `tracker bot` over HTTP (unused in Socket Mode).
EXPOSE 3000
# Exec form, so SIGTERM reaches Python and the scheduler stops at a safe point.
ENTRYPOINT ["tracker"]
CMD ["schedule"]
