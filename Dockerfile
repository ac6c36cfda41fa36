# tracker: one image for both modes. `docker run IMAGE` runs the scheduler; `docker run IMAGE sync`
# (or digest, doctor, ...) runs one command and exits, for Kubernetes CronJobs and the like.
# No secret is ever baked in: GITHUB_TOKEN, SLACK_BOT_TOKEN and SLACK_WEBHOOK_URL come at run time.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY tracker ./tracker
COPY jobs ./jobs
COPY config ./config
# The README's install, into a prefix the final stage copies.
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 tracker \
    && mkdir -p /data /config \
    && chown tracker /data
USER tracker
WORKDIR /data
VOLUME ["/data"]
ENV PYTHONUNBUFFERED=1 \
    TRACKER_CONFIG=/config/tracker.toml \
    TRACKER_DATABASE_URL=sqlite:////data/tracker.db
# Exec form, so SIGTERM reaches Python and the scheduler stops at a safe point.
ENTRYPOINT ["tracker"]
CMD ["schedule"]
