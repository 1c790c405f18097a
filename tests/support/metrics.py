"""The metric families each part of Kindred declares: the shared runtime's and each service's
own (`<service>/metrics.py`), as collectors (an `OwnedGauge` counts as its gauge)."""

from __future__ import annotations

from types import ModuleType

from prometheus_client.metrics import MetricWrapperBase

from kindred.casework import metrics as casework_metrics
from kindred.checkins import metrics as checkins_metrics
from kindred.gateway import metrics as gateway_metrics
from kindred.matching import metrics as matching_metrics
from kindred.notifications import metrics as notifications_metrics
from kindred.observability import metrics as runtime_metrics
from kindred.observability.metrics import OwnedGauge

SERVICE_METRICS: dict[str, ModuleType] = {
    "gateway": gateway_metrics,
    "matching": matching_metrics,
    "checkins": checkins_metrics,
    "notifications": notifications_metrics,
    "casework": casework_metrics,
}
ALL_METRICS = [runtime_metrics, *SERVICE_METRICS.values()]


def collectors(module: ModuleType) -> list[MetricWrapperBase]:
    """The families a metrics module declares."""
    found = [m.gauge if isinstance(m, OwnedGauge) else m for m in vars(module).values()]
    return [m for m in found if isinstance(m, MetricWrapperBase)]
