# syntax=docker/dockerfile:1
#
# One image for all four Kindred services; the command picks the service:
#   docker build -t kindred:0.1.0 .
#   docker run --rm kindred:0.1.0 python -m kindred.matching
#
# Build: uv installs the locked workspace (uv.lock, no dev group) into /app/.venv, the
# workspace packages themselves as wheels (--no-editable), so the runtime stage needs only the
# virtualenv, not the source tree. uv comes from its official image, pinned to the version that
# wrote uv.lock; `pip install uv==0.13.9` in the build stage would do the same.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

COPY --from=uv /uv /usr/local/bin/uv

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /src

# Third-party dependencies first: this layer is reused while only our code changes.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/gateway/pyproject.toml services/gateway/
COPY services/matching/pyproject.toml services/matching/
COPY services/checkins/pyproject.toml services/checkins/
COPY services/notifications/pyproject.toml services/notifications/
COPY services/casework/pyproject.toml services/casework/
COPY devtools/pyproject.toml devtools/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages --no-install-workspace

# Then the workspace packages, installed as wheels.
COPY shared/src shared/src
COPY services/gateway/src services/gateway/src
COPY services/matching/src services/matching/src
COPY services/checkins/src services/checkins/src
COPY services/notifications/src services/notifications/src
COPY services/casework/src services/casework/src
COPY devtools/src devtools/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages --no-editable \
 && /app/.venv/bin/python -c "import kindred.gateway, kindred.matching, kindred.checkins, kindred.notifications, kindred.casework"

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 kindred \
 && useradd --system --uid 10001 --gid kindred --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin kindred

# Same base image as the build stage, so the virtualenv's python symlink still resolves.
COPY --from=build /app/.venv /app/.venv

# HTTP_HOST: the services default to 127.0.0.1 (right for the native stack); in a container
# they must listen on every interface to be reachable through a published port or a Service.
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HTTP_HOST=0.0.0.0

WORKDIR /app
USER 10001:10001

# gateway 8000, matching 8001, checkins 8002, notifications 8003, casework 8004 (each
# service's default HTTP_PORT); every one serves /health/live, /health/ready and /metrics.
EXPOSE 8000 8001 8002 8003 8004

# uvicorn handles SIGTERM: the service drains in-flight messages (GRACEFUL_TIMEOUT_SECONDS,
# 15 s by default), so give it more than that before SIGKILL (compose/k8s use 30 s).
STOPSIGNAL SIGTERM

# The exec form keeps python as PID 1, so SIGTERM reaches it directly.
CMD ["python", "-m", "kindred.gateway"]
