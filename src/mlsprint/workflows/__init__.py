"""The shell: the only layer that composes stages, reads and writes files and calls the
tracker. One ``run_<verb>`` per command."""

from mlsprint.workflows.baseline import run_baseline
from mlsprint.workflows.check import run_check
from mlsprint.workflows.cycle import run_cycle
from mlsprint.workflows.gate import run_gate
from mlsprint.workflows.init import run_init
from mlsprint.workflows.monitor import run_export_config, run_monitor
from mlsprint.workflows.predict import run_predict
from mlsprint.workflows.profile import run_profile
from mlsprint.workflows.registry import run_promote, run_rollback
from mlsprint.workflows.serve import plan_serving, run_package
from mlsprint.workflows.status import run_status
from mlsprint.workflows.train import run_train
from mlsprint.workflows.validate import run_validate

__all__ = [
    "plan_serving",
    "run_baseline",
    "run_check",
    "run_cycle",
    "run_export_config",
    "run_gate",
    "run_init",
    "run_monitor",
    "run_package",
    "run_predict",
    "run_profile",
    "run_promote",
    "run_rollback",
    "run_status",
    "run_train",
    "run_validate",
]
