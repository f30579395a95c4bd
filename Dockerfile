# chatsupport: one image, run as `chatsupport serve` (or `chatsupport migrate` once per upgrade).
# Multi-stage: the build stage compiles wheels; the runtime stage has no compiler and no pip
# cache, runs as an unprivileged user, and pins its base image by version. Exact dependency
# versions come from deploy/constraints.txt, so a rebuild installs the same packages.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY deploy/constraints.txt deploy/constraints.txt
COPY src src
COPY migrations migrations
COPY web web
RUN python -m venv /opt/chatsupport \
 && /opt/chatsupport/bin/pip install --constraint deploy/constraints.txt .

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 chatsupport \
 && useradd --system --uid 10001 --gid chatsupport --home-dir /var/lib/chatsupport chatsupport \
 && install -d -o chatsupport -g chatsupport -m 0700 /var/lib/chatsupport
COPY --from=build /opt/chatsupport /opt/chatsupport
ENV PATH=/opt/chatsupport/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHATSUPPORT_DATA_DIR=/var/lib/chatsupport \
    CHATSUPPORT_HOST=0.0.0.0 \
    CHATSUPPORT_PORT=8000
USER chatsupport
WORKDIR /var/lib/chatsupport
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["chatsupport", "serve"]
