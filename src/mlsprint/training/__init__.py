"""Model development: time-budgeted search, ensembles, error analysis, training report."""

from mlsprint.training.estimators import EncodedClassifier, EnsembleClassifier, EnsembleRegressor
from mlsprint.training.families import FAMILIES
from mlsprint.training.refit import refit_full
from mlsprint.training.report import render_training_html
from mlsprint.training.result import CandidateRecord, EnsembleInfo, SearchResult
from mlsprint.training.search import RefitRows, search
from mlsprint.training.slices import ErrorAnalysisReport, SliceRecord, analyse_errors
from mlsprint.training.threshold import ThresholdChoice, tune_threshold

__all__ = [
    "CandidateRecord",
    "EncodedClassifier",
    "EnsembleClassifier",
    "EnsembleInfo",
    "EnsembleRegressor",
    "ErrorAnalysisReport",
    "FAMILIES",
    "RefitRows",
    "SearchResult",
    "SliceRecord",
    "ThresholdChoice",
    "analyse_errors",
    "refit_full",
    "render_training_html",
    "search",
    "tune_threshold",
]
