"""MLflow "models from code" entry point of a bundle (copied into every bundle)."""

import mlflow.models

from mlsprint.artifacts.pyfunc import MlsprintPyfunc

mlflow.models.set_model(MlsprintPyfunc())
