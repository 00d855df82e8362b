"""The models a server holds and how it loads them: swapped whole, never half-loaded.

:class:`Runtime` owns the champion (and optional challenger), the routing split, the
prediction log and the readiness flag. A (re)load builds a complete new :class:`ModelSet`
off to the side and replaces the reference in one assignment; readiness answers 503 while a
load runs, and requests keep using the previous set until the swap.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsprint.artifacts import Bundle, load_bundle
from mlsprint.fairness.thresholds import GroupThresholds
from mlsprint.serving.fastpath import FastPath, compile_fast_path
from mlsprint.serving.settings import ServingSettings
from mlsprint.serving.validation import Rules
from mlsprint.stores import PredictionLog

__all__ = ["Deployed", "Limits", "ModelSet", "Runtime", "resolve_and_load"]

_log = logging.getLogger("mlsprint.serving")
Loader = Callable[[str | None], "Deployed"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Request limits in force (settings first, then the bundle spec's serving section)."""

    max_body_bytes: int
    max_batch_rows: int
    request_timeout: float
    max_concurrency: int
    unseen_category: str
    fallback: str


@dataclass(frozen=True, slots=True)
class Deployed:
    """One loaded model: the bundle, its registry identity and its request rules."""

    bundle: Bundle
    name: str
    version: str
    how: str
    rules: Rules | None = None
    fast: FastPath | None = None
    group_thresholds: GroupThresholds | None = None  # parsed once, not per request


@dataclass(frozen=True, slots=True)
class ModelSet:
    """What answers requests: replaced as a whole on reload or split change."""

    champion: Deployed
    challenger: Deployed | None
    challenger_share: float
    shadow: bool


def _limits(settings: ServingSettings, bundle: Bundle | None) -> Limits:
    from mlsprint.spec.model import ServingSpec

    spec = bundle.spec.serving if bundle is not None else ServingSpec()
    pick = lambda ours, theirs: theirs if ours is None else ours  # noqa: E731
    return Limits(
        max_body_bytes=pick(settings.max_body_bytes, spec.max_body_bytes),
        max_batch_rows=pick(settings.max_batch_rows, spec.max_batch_rows),
        request_timeout=pick(settings.request_timeout, spec.request_timeout_seconds),
        max_concurrency=pick(settings.max_concurrency, spec.max_concurrency),
        unseen_category=pick(settings.unseen_category, spec.unseen_category),
        fallback=pick(settings.fallback, spec.fallback),
    )


def resolve_and_load(ref: str | None, settings: ServingSettings) -> Deployed:
    """Find the bundle ``ref`` names (path, ``models:/`` URI, or the project default),
    verify and load it."""
    if ref is not None and "://" not in ref and Path(ref).is_dir():
        bundle = load_bundle(ref)
        version = settings.model_version if ref == settings.model and (
            settings.model_version) else bundle.sha256[:12]
        return Deployed(bundle, bundle.name, version, f"path {ref}")
    from mlsprint.artifacts.registry import resolve_model
    from mlsprint.spec.paths import ProjectPaths

    paths = ProjectPaths.of(settings.project or ".")
    uri = settings.tracking_uri or f"sqlite:///{paths.tracking_db}"
    resolved = resolve_model(ref, tracking_uri=uri, project_paths=paths)
    bundle = load_bundle(resolved.path)
    version = str(resolved.version) if resolved.version is not None else bundle.sha256[:12]
    return Deployed(bundle, resolved.name or bundle.name, version, resolved.how)


def _prepare(deployed: Deployed, settings: ServingSettings, limits: Limits) -> Deployed:
    bundle = deployed.bundle
    rules = Rules.build(bundle.contract, bundle.columns, policy=bundle.spec.data.policy,
                        unseen_category=limits.unseen_category,
                        extra_columns=settings.extra_columns, max_rows=limits.max_batch_rows)
    fast = _fast_path(bundle, rules) if settings.fast_path else None
    return dataclasses.replace(deployed, rules=rules, fast=fast,
                               group_thresholds=bundle.group_thresholds)


def _fast_path(bundle: Bundle, rules: Rules) -> FastPath | None:
    from mlsprint.serving.validation import to_frame

    example = bundle.path / "input_example.json"
    if not example.is_file():
        return None
    raw = json.loads(example.read_text(encoding="utf-8"))
    records = [dict(zip(raw["columns"], row, strict=True)) for row in raw["data"]]
    sample = records + _reference_sample(bundle)
    frame = bundle.features(to_frame(sample, rules))
    return compile_fast_path(bundle.pipeline, numeric=rules.numeric, sample=sample,
                             frame=frame, classifier=bundle.classes is not None)


def _reference_sample(bundle: Bundle) -> list[dict[str, Any]]:
    sample = bundle.reference.get("sample") if isinstance(bundle.reference, dict) else None
    if isinstance(sample, list) and all(isinstance(r, dict) for r in sample):
        return sample[:500]
    return []


def _settle_heap() -> None:
    """Collect once, then move every surviving object out of the collector's sight.

    A served process holds ~200,000 long-lived objects (scikit-learn, pandas, MLflow,
    the model); a full collection walks them all, ~100 ms here, and the collector starts
    one now and then under load: a pause of that size lands in the p99. Frozen objects are
    never scanned (``gc.freeze``, the standard advice for long-running servers); a reload
    unfreezes first so that the replaced model can be freed.
    """
    import gc

    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Runtime:
    """Models, split, prediction log and readiness of one server process."""

    def __init__(self, settings: ServingSettings, *, loader: Loader | None = None) -> None:
        self.settings = settings
        self._loader = loader or (lambda ref: resolve_and_load(ref, settings))
        self.models: ModelSet | None = None
        self.limits: Limits = _limits(settings, None)  # until a bundle's spec is read
        self.log: PredictionLog | None = None
        self.loading = False
        self.load_error: str | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self.models is not None and not self.loading

    def load(self, model: str | None = None, challenger: str | None = None) -> ModelSet:
        """Load champion (and challenger) fully, then swap them in at once."""
        with self._lock:
            self.loading = True
            try:
                current = self.models
                champion = self._loader(model or self.settings.model)
                limits = _limits(self.settings, champion.bundle)
                champion = _prepare(champion, self.settings, limits)
                ref = challenger or self.settings.challenger
                second = _prepare(self._loader(ref), self.settings, limits) if ref else None
                spec = champion.bundle.spec.serving
                share = (self.settings.challenger_share if self.settings.challenger_share
                         is not None else spec.challenger_share) if current is None else (
                    current.challenger_share)
                shadow = (self.settings.shadow if self.settings.shadow is not None
                          else spec.shadow) if current is None else current.shadow
                if self.log is None:
                    self.log = self._open_log(champion.bundle)
                self.limits = limits
                self.models = ModelSet(champion, second, share if second else 0.0, shadow)
                self.load_error = None
                del current  # the replaced models are garbage now, before the heap settles
                _settle_heap()
                _log.info("model loaded", extra={"fields": {
                    "model": champion.name, "version": champion.version, "how": champion.how,
                    "fast_path": champion.fast is not None,
                    "challenger": second.version if second else None}})
                return self.models
            except Exception as exc:
                self.load_error = str(exc)
                raise
            finally:
                self.loading = False

    def set_split(self, challenger_share: float | None = None,
                  shadow: bool | None = None) -> ModelSet:
        """Change the routing split or shadow mode (one atomic swap)."""
        with self._lock:
            if self.models is None:
                raise RuntimeError("no model is loaded yet")
            current = self.models
            self.models = dataclasses.replace(
                current,
                challenger_share=current.challenger_share if challenger_share is None
                else challenger_share,
                shadow=current.shadow if shadow is None else shadow)
            return self.models

    def _open_log(self, bundle: Bundle) -> PredictionLog | None:
        url = self.settings.prediction_log_url or bundle.spec.serving.prediction_log_url
        if url is None:
            from mlsprint.spec.paths import ProjectPaths

            url = str(ProjectPaths.of(self.settings.project or ".").prediction_log)
        if url.lower() == "none":
            return None
        return PredictionLog(url)

    def close(self) -> None:
        """Flush and close the prediction log (graceful shutdown)."""
        if self.log is not None:
            self.log.close()
