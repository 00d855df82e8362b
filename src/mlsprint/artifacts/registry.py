"""The MLflow model registry: versions, aliases (``champion``, ``challenger``), resolution.

Registry stages are deprecated since MLflow 2.9, so mlsprint uses aliases only. A
registered version's ``source`` is the bundle directory; its description is the model
card; its tags carry the bundle's sha256. ``resolve_model`` turns what a user typed after
``--model`` into a bundle path, and explains how it chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsprint.artifacts.bundle import no_integer_hint
from mlsprint.artifacts.manifest import verify_manifest
from mlsprint.errors import BundleError, TrackingError
from mlsprint.spec.paths import ProjectPaths

__all__ = [
    "ResolvedModel",
    "get_alias_version",
    "log_datasets",
    "register_bundle",
    "resolve_model",
    "set_alias",
]

SHA_TAG = "mlsprint.bundle_sha256"
_DESCRIPTION_LIMIT = 60_000


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """Which bundle a command uses, and why (``how`` is printed to the user)."""

    path: Path
    name: str | None
    version: str | None
    how: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "name": self.name, "version": self.version,
                "how": self.how}


def _client(tracking_uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def register_bundle(tracking_uri: str, name: str, bundle_path: str | Path, *,
                    alias: str | None = "challenger", description: str | None = None,
                    run_id: str | None = None) -> str:
    """Register a verified bundle as a new version of ``name``; move ``alias`` to it.

    Returns
    -------
    str
        The new version number.
    """
    from mlflow.exceptions import MlflowException

    path = Path(bundle_path).resolve()
    digest = verify_manifest(path)
    text = description if description is not None else _card(path)
    client = _client(tracking_uri)
    try:
        try:
            client.get_registered_model(name)
        except MlflowException:
            client.create_registered_model(name)
        version = client.create_model_version(
            name=name, source=str(path), run_id=run_id, tags={SHA_TAG: digest},
            description=text[:_DESCRIPTION_LIMIT])
        if alias:
            client.set_registered_model_alias(name, alias, version.version)
    except MlflowException as exc:
        raise TrackingError(f"could not register {path} as {name!r} in {tracking_uri}: "
                            f"{exc.message}") from exc
    return str(version.version)


def _card(path: Path) -> str:
    card = path / "card.md"
    return card.read_text(encoding="utf-8") if card.is_file() else ""


def set_alias(tracking_uri: str, name: str, alias: str, version: str | int) -> None:
    """Point ``alias`` of model ``name`` at ``version``."""
    from mlflow.exceptions import MlflowException

    try:
        _client(tracking_uri).set_registered_model_alias(name, alias, str(version))
    except MlflowException as exc:
        raise TrackingError(f"could not set {name}@{alias} to version {version}: "
                            f"{exc.message}") from exc


def get_alias_version(tracking_uri: str, name: str, alias: str) -> str | None:
    """The version ``alias`` points at, or None when the alias (or model) does not exist."""
    from mlflow.exceptions import MlflowException

    try:
        return str(_client(tracking_uri).get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def _version_path(client: Any, name: str, version: str) -> Path:
    mv = client.get_model_version(name, version)
    source = str(mv.source)
    path = Path(source.removeprefix("file://"))
    if not path.is_dir():
        raise BundleError(f"{name} version {version} points at {source}, which is not a "
                          "directory on this machine; copy the bundle back or re-register it")
    return path


def _parse_uri(ref: str) -> tuple[str, str | None, str | None]:
    body = ref.removeprefix("models:/")
    if "@" in body:
        name, alias = body.split("@", 1)
        return name, alias, None
    if "/" in body:
        name, version = body.split("/", 1)
        return name, None, version
    raise BundleError(f"cannot read the model reference {ref!r}: expected models:/NAME@ALIAS "
                      "or models:/NAME/VERSION")


def _from_uri(ref: str, tracking_uri: str) -> ResolvedModel:
    from mlflow.exceptions import MlflowException

    name, alias, version = _parse_uri(ref)
    client = _client(tracking_uri)
    try:
        if alias is not None:
            version = str(client.get_model_version_by_alias(name, alias).version)
        return ResolvedModel(_version_path(client, name, version), name, version,
                             f"{ref} (version {version})")
    except MlflowException as exc:
        raise BundleError(f"no model {ref} in the registry at {tracking_uri}: {exc.message}. "
                          "List versions with `mlsprint status`") from exc


def _newest_bundle(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    found = [p for p in folder.iterdir() if (p / "MLmodel").is_file()]
    return max(found, key=lambda p: (p / "MLmodel").stat().st_mtime) if found else None


def _default(tracking_uri: str, paths: ProjectPaths, name: str) -> ResolvedModel:
    from mlflow.exceptions import MlflowException

    client = _client(tracking_uri)
    try:
        champion = get_alias_version(tracking_uri, name, "champion")
        if champion is not None:
            return ResolvedModel(_version_path(client, name, champion), name, champion,
                                 f"champion of {name} (version {champion})")
        versions = client.search_model_versions(f"name = '{name}'")
    except MlflowException:
        versions = []
    if versions:
        latest = max(versions, key=lambda v: int(v.version))
        return ResolvedModel(_version_path(client, name, str(latest.version)), name,
                             str(latest.version), f"latest validated candidate of {name} "
                             f"(version {latest.version}; there is no champion yet)")
    for folder, what in ((paths.bundles, "latest validated bundle"),
                         (paths.candidates, "latest trained candidate")):
        newest = _newest_bundle(folder)
        if newest is not None:
            return ResolvedModel(newest, name, None, f"{what} {newest.name} (nothing is "
                                 "registered yet)")
    raise BundleError(f"project {paths.root} has no model yet: no champion, no registered "
                      f"version of {name!r} and no bundle; run `mlsprint run` (or train and "
                      "validate) first, or pass --model PATH")


def resolve_model(ref: str | None, *, tracking_uri: str, project_paths: ProjectPaths,
                  name: str | None = None) -> ResolvedModel:
    """Resolve ``--model``: ``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, a bundle path,
    or (None) the project's champion, else its latest validated candidate, else its latest
    trained candidate.
    """
    if ref:
        if ref.startswith("models:/"):
            return _from_uri(ref, tracking_uri)
        path = Path(ref)
        if not path.is_dir():
            raise BundleError(f"--model {ref!r} is neither a bundle directory nor a "
                              "models:/NAME@ALIAS reference")
        return ResolvedModel(path.resolve(), None, None, f"path {path}")
    if name is None:
        from mlsprint.spec import load_spec

        name = load_spec(project_paths.spec).name
    return _default(tracking_uri, project_paths, name)


def log_datasets(run_id: str, train_df: Any, holdout_df: Any, tracking_uri: str, *,
                 target: str | None = None) -> None:
    """Log the training and holdout frames as MLflow dataset inputs of ``run_id``."""
    import mlflow
    import mlflow.data

    client = _client(tracking_uri)
    from mlflow.entities import DatasetInput, InputTag

    inputs = []
    for frame, context in ((train_df, "training"), (holdout_df, "holdout")):
        with no_integer_hint():  # the schema is the contract's concern (see bundle.py)
            ds = mlflow.data.from_pandas(frame, name=context, targets=target)
            entity = ds._to_mlflow_entity()  # infers the schema (and hints) only here
        inputs.append(DatasetInput(dataset=entity, tags=[InputTag("mlflow.data.context",
                                                                  context)]))
    client.log_inputs(run_id, datasets=inputs)
