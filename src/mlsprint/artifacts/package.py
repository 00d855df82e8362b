"""``mlsprint package``: a deployable folder around a verified bundle.

::

    <out>/bundle/            the bundle (verified copy)
    <out>/requirements.lock  the exact package versions
    <out>/wheels/            the mlsprint wheel the image installs
    <out>/Dockerfile         multi-stage, slim, pinned, non-root, HEALTHCHECK (hadolint-clean)
    <out>/k8s.yaml           Deployment + Service with startup, liveness and readiness probes
    <out>/.dockerignore, <out>/README.md
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from pathlib import Path

from mlsprint.artifacts.bundle import copy_bundle, load_bundle
from mlsprint.errors import BundleError, MissingDependencyError

__all__ = ["build_wheel", "write_package"]

PORT = 8080
_UID = 10001

_DOCKERFILE = """\
# Built by mlsprint package. Build: docker build -t {image} .
# Stage 1 installs the locked requirements into a virtualenv; the final stage copies only
# that virtualenv, so no compiler or build tool reaches the image.
FROM python:{python}-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /build
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY wheels/ ./wheels/
RUN pip install --no-cache-dir --no-deps ./wheels/{wheel}

FROM python:{python}-slim-bookworm
RUN groupadd --system --gid {uid} mlsprint \\
    && useradd --system --uid {uid} --gid mlsprint --no-create-home mlsprint \\
    && mkdir -p /srv/data \\
    && chown mlsprint:mlsprint /srv/data
COPY --from=build /opt/venv /opt/venv
COPY --chown=mlsprint:mlsprint bundle/ /srv/bundle/
ENV PATH="/opt/venv/bin:$PATH" \\
    PYTHONUNBUFFERED=1 \\
    OMP_WAIT_POLICY=PASSIVE \\
    MLFLOW_DISABLE_TELEMETRY=true \\
    MLSPRINT_MODEL=/srv/bundle \\
    MLSPRINT_PREDICTION_LOG_URL=sqlite:////srv/data/predictions.db
WORKDIR /srv
USER {uid}
EXPOSE {port}
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \\
    CMD ["python", "-c", \
         "import sys, urllib.request; sys.exit(urllib.request.urlopen(\
'http://127.0.0.1:{port}/health/live', timeout=2).status != 200)"]
CMD ["uvicorn", "--factory", "mlsprint.serving.app:create_app", \
     "--host", "0.0.0.0", "--port", "{port}", "--timeout-graceful-shutdown", "20"]
"""

_K8S = """\
# Built by mlsprint package: kubectl apply -f k8s.yaml (after pushing the image)
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      terminationGracePeriodSeconds: 30
      securityContext: {{runAsNonRoot: true, runAsUser: {uid}, runAsGroup: {uid}}}
      containers:
        - name: {name}
          image: {image}
          ports: [{{containerPort: {port}, name: http}}]
          env:
            - {{name: MLSPRINT_PREDICTION_LOG_URL, value: "sqlite:////srv/data/predictions.db"}}
          resources:
            requests: {{cpu: "500m", memory: "512Mi"}}
            limits: {{cpu: "2", memory: "2Gi"}}
          securityContext: {{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}}
          startupProbe:
            httpGet: {{path: /health/ready, port: http}}
            periodSeconds: 2
            failureThreshold: 60
          readinessProbe:
            httpGet: {{path: /health/ready, port: http}}
            periodSeconds: 5
          livenessProbe:
            httpGet: {{path: /health/live, port: http}}
            periodSeconds: 10
          volumeMounts:
            - {{name: data, mountPath: /srv/data}}
            - {{name: tmp, mountPath: /tmp}}
      volumes:
        - {{name: data, emptyDir: {{}}}}
        - {{name: tmp, emptyDir: {{}}}}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: http, name: http}}]
"""

_README = """\
# {name} — deployable package

* `docker build -t {image} .` then `docker run -p {port}:{port} {image}`
* `kubectl apply -f k8s.yaml` (replace the image with your registry's)
* `POST /predict`, `/predict/batch`, `/v2/models/{name}/infer`, `/invocations`;
  `/health/live`, `/health/ready`, `/metrics`; OpenAPI at `/docs`.
* Set `MLSPRINT_ADMIN_TOKEN` to enable `/admin/*`; `MLSPRINT_PREDICTION_LOG_URL` to log to
  PostgreSQL.

The bundle's sha256 (MANIFEST.sha256) is verified at start; a changed file stops the server.
"""


def build_wheel(out_dir: str | Path) -> Path:
    """Build the mlsprint wheel from its source tree with ``uv build``."""
    import mlsprint

    root = Path(mlsprint.__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise MissingDependencyError(f"no mlsprint source tree at {root}; pass wheel= the "
                                     "path of an mlsprint wheel")
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        raise MissingDependencyError("building the mlsprint wheel needs `uv` (pip install uv)")
    out = Path(out_dir)
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(out), str(root)], check=True,
                   capture_output=True, timeout=300)
    wheels = sorted(out.glob("mlsprint-*.whl"))
    if not wheels:
        raise BundleError(f"uv build produced no mlsprint wheel in {out}")
    return wheels[-1]


def write_package(bundle_path: str | Path, out_dir: str | Path, *, lock_file: str | Path,
                  wheel: str | Path | None = None, image: str | None = None,
                  python_version: str | None = None) -> Path:
    """Write the deployable folder for a verified bundle; return its path."""
    bundle = load_bundle(bundle_path)  # verifies hashes and versions before anything else
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise BundleError(f"{out} exists and is not empty; choose a new folder")
    lock = Path(lock_file)
    if not lock.is_file():
        raise BundleError(f"lock file {lock} does not exist; pass the project's "
                          "requirements.lock")
    out.mkdir(parents=True, exist_ok=True)
    copy_bundle(bundle.path, out / "bundle")
    shutil.copy2(lock, out / "requirements.lock")
    (out / "wheels").mkdir()
    built = Path(shutil.copy2(wheel, out / "wheels")) if wheel else build_wheel(out / "wheels")
    name = bundle.name.lower().replace("_", "-").replace(".", "-")
    image = image or f"{name}:{bundle.sha256[:12]}"
    python = python_version or platform.python_version()
    fields = dict(name=name, image=image, port=PORT, uid=_UID, python=python,
                  wheel=built.name)
    (out / "Dockerfile").write_text(_DOCKERFILE.format(**fields), encoding="utf-8")
    (out / "k8s.yaml").write_text(_K8S.format(**fields), encoding="utf-8")
    (out / "README.md").write_text(_README.format(**fields), encoding="utf-8")
    (out / ".dockerignore").write_text("**/__pycache__\n*.pyc\n", encoding="utf-8")
    return out
