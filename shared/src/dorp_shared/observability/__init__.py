"""Health, metrics, correlation ids and tracing, shared by every service."""

from dorp_shared.observability.correlation import (
    correlation_from,
    correlation_scope,
    current_correlation_id,
    new_correlation_id,
)
from dorp_shared.observability.metrics import ServiceMetrics, subject_label
from dorp_shared.observability.tracing import (
    Carried,
    attached,
    configure_tracing,
    extract,
    inject,
    tracer,
)

__all__ = [
    "Carried",
    "ServiceMetrics",
    "attached",
    "configure_tracing",
    "correlation_from",
    "correlation_scope",
    "current_correlation_id",
    "extract",
    "inject",
    "new_correlation_id",
    "subject_label",
    "tracer",
]
