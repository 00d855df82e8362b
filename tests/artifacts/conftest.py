"""The german_credit pipeline and bundle fixtures (``trained``, ``bundle_path``) live in
the root conftest: artifacts and serving tests share one session's trained model."""
