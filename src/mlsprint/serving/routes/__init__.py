"""Routers of the prediction service, one module per protocol."""

__all__: list[str] = []
