"""Deployment files against the code: services, commands, ports, env var names, metric names.

Reads docker-compose.yml, deploy/k8s/, deploy/prometheus/ and deploy/grafana/ and checks them
against the settings classes, the health routes and the metrics the services really export, so
renaming a setting, a port or a metric breaks this test instead of a deployment. Settings the
files only mention (comments, runbooks, panel descriptions) must exist too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry
from prometheus_client.registry import Collector

from kindred.casework.settings import CaseworkSettings
from kindred.checkins.settings import CheckinsSettings
from kindred.gateway.settings import DEV_JWT_SECRET, GatewaySettings
from kindred.matching.settings import MatchingSettings
from kindred.notifications.settings import NotificationsSettings
from kindred.observability.health import health_router
from kindred.settings import ServiceSettings
from tests.support.metrics import ALL_METRICS, collectors

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
K8S_DIR = ROOT / "deploy" / "k8s"
PROMETHEUS_FILE = ROOT / "deploy" / "prometheus" / "prometheus.yml"
ALERTS_FILE = ROOT / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD_DIR = ROOT / "deploy" / "grafana" / "dashboards"

SETTINGS: dict[str, type[ServiceSettings]] = {
    "gateway": GatewaySettings,
    "matching": MatchingSettings,
    "checkins": CheckinsSettings,
    "notifications": NotificationsSettings,
    "casework": CaseworkSettings,
}
# The services that consume Kafka (one partitioned consumer per replica); the gateway only
# publishes.
CONSUMERS = {"matching", "checkins", "notifications", "casework"}
IMAGE = "kindred:0.1.0"
HEALTH_ROUTES = {getattr(route, "path", None) for route in health_router({}).routes}


def default_port(service: str) -> int:
    port = SETTINGS[service].model_fields["http_port"].default
    assert isinstance(port, int)
    return port


def env_names(service: str) -> set[str]:
    """The environment variables a service reads: its settings fields, upper-cased."""
    return {name.upper() for name in SETTINGS[service].model_fields}


def all_env_names() -> set[str]:
    return set().union(*(env_names(service) for service in SETTINGS))


def default_partitions() -> int:
    value = ServiceSettings.model_fields["kafka_topic_partitions"].default
    assert isinstance(value, int)
    return value


def graceful_timeout() -> float:
    value = ServiceSettings.model_fields["graceful_timeout_seconds"].default
    assert isinstance(value, float)
    return value


def command(service: str) -> list[str]:
    return ["python", "-m", f"kindred.{service}"]


# --- docker-compose.yml ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The compose services that run our image (the rest are Kafka, MongoDB, monitoring)."""
    return {
        name: spec
        for name, spec in compose["services"].items()
        if "build" in spec or str(spec.get("image", "")).startswith("kindred:")
    }


def compose_env(spec: dict[str, Any]) -> dict[str, str]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


def test_compose_runs_exactly_the_services(compose: dict[str, Any]) -> None:
    services = app_services(compose)
    assert set(services) == set(SETTINGS)
    for name, spec in services.items():
        assert spec["command"] == command(name), name
        assert spec["image"] == IMAGE, name


def test_compose_ports_match_settings(compose: dict[str, Any]) -> None:
    for name, spec in app_services(compose).items():
        port = default_port(name)
        env = compose_env(spec)
        assert env["HTTP_PORT"] == str(port), name
        assert env["HTTP_HOST"] == "0.0.0.0", name
        probe = " ".join(spec["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/health/ready" in probe, name
        found = re.search(rf"http://127\.0\.0\.1:{port}(/[\w/]+)", probe)
        assert found is not None, name
        probed = found.group(1)
        assert probed in HEALTH_ROUTES, (name, probed)  # the probe asks a route that exists
        assert spec["stop_grace_period"] == "30s", name
        assert float(env.get("GRACEFUL_TIMEOUT_SECONDS", graceful_timeout())) < 30, name

    gateway = app_services(compose)["gateway"]
    targets = [str(p).rsplit(":", 1)[-1] for p in gateway["ports"]]
    assert targets == [str(default_port("gateway"))]
    notifications = urlsplit(compose_env(gateway)["NOTIFICATIONS_URL"])
    assert (notifications.hostname, notifications.port) == (
        "notifications",
        default_port("notifications"),
    )
    casework = urlsplit(compose_env(gateway)["CASEWORK_URL"])
    assert (casework.hostname, casework.port) == ("casework", default_port("casework"))
    assert compose_env(gateway)["JWT_SECRET"] == "${JWT_SECRET:-" + DEV_JWT_SECRET + "}"


def test_compose_env_names_are_settings_fields(compose: dict[str, Any]) -> None:
    for name, spec in app_services(compose).items():
        unknown = set(compose_env(spec)) - env_names(name)
        assert not unknown, f"{name}: {sorted(unknown)} are not fields of {SETTINGS[name]}"


def test_compose_publishes_ports_on_loopback_only(compose: dict[str, Any]) -> None:
    published = 0
    for name, spec in compose["services"].items():
        for port in spec.get("ports", []):
            published += 1
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", f"{name}: {port}"
            else:
                assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"
                assert str(port).count(":") == 2, f"{name}: {port} (host port must be explicit)"
    assert published >= 1


def test_prometheus_scrapes_each_service(compose: dict[str, Any]) -> None:
    config = yaml.safe_load(PROMETHEUS_FILE.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == set(SETTINGS)
    assert "/metrics" in HEALTH_ROUTES
    for name, job in jobs.items():
        assert job.get("metrics_path", "/metrics") == "/metrics"
        targets = [t for group in job["static_configs"] for t in group["targets"]]
        assert targets == [f"{name}:{default_port(name)}"]
    assert "observability" in compose["services"]["prometheus"]["profiles"]
    assert "observability" in compose["services"]["grafana"]["profiles"]


# --- deploy/k8s -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def k8s() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    assert kustomization["namespace"] == "kindred"
    assert "secret.example.yaml" not in kustomization["resources"]
    documents = []
    for resource in kustomization["resources"]:
        documents += [d for d in yaml.safe_load_all((K8S_DIR / resource).read_text()) if d]
    return documents


def of_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result


def k8s_env(deployment: dict[str, Any], documents: list[dict[str, Any]]) -> Iterator[str]:
    """Every variable a Deployment sets: its own `env` and its ConfigMaps'/Secrets' keys."""
    spec = container(deployment)
    yield from (item["name"] for item in spec.get("env", []))
    config_maps = of_kind(documents, "ConfigMap")
    for source in spec.get("envFrom", []):
        assert "configMapRef" in source, "envFrom: only ConfigMaps from this kustomization"
        yield from config_maps[source["configMapRef"]["name"]]["data"]


def test_k8s_runs_exactly_the_services(k8s: list[dict[str, Any]]) -> None:
    deployments = of_kind(k8s, "Deployment")
    services = of_kind(k8s, "Service")
    assert set(deployments) == set(SETTINGS)
    assert set(services) == set(SETTINGS)
    for name, deployment in deployments.items():
        port = default_port(name)
        spec = container(deployment)
        pod = deployment["spec"]["template"]
        assert spec["command"] == command(name), name
        assert spec["image"] == IMAGE, name
        assert [p["containerPort"] for p in spec["ports"]] == [port], name
        assert {e["name"]: e.get("value") for e in spec["env"]}["HTTP_PORT"] == str(port)
        assert [p["port"] for p in services[name]["spec"]["ports"]] == [port], name
        assert pod["metadata"]["annotations"]["prometheus.io/scrape"] == "true", name
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port), name
        assert pod["metadata"]["annotations"]["prometheus.io/path"] in HEALTH_ROUTES, name
        assert spec["readinessProbe"]["httpGet"]["path"] == "/health/ready", name
        assert spec["livenessProbe"]["httpGet"]["path"] == "/health/live", name
        probed = {spec[p]["httpGet"]["path"] for p in ("readinessProbe", "livenessProbe")}
        assert probed <= HEALTH_ROUTES, (name, probed)  # the probes ask routes that exist
        assert pod["spec"]["terminationGracePeriodSeconds"] == 30, name
        assert pod["spec"]["terminationGracePeriodSeconds"] > graceful_timeout() + 5, name
        assert spec["resources"]["requests"] and spec["resources"]["limits"], name


def test_k8s_env_names_are_settings_fields(k8s: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(k8s, "Deployment").items():
        unknown = set(k8s_env(deployment, k8s)) - env_names(name)
        assert not unknown, f"{name}: {sorted(unknown)} are not fields of {SETTINGS[name]}"
    config = of_kind(k8s, "ConfigMap")["kindred-config"]["data"]
    assert config["HTTP_HOST"] == "0.0.0.0"
    assert {"KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL"} <= set(config)


def test_k8s_secrets_come_from_secrets(k8s: list[dict[str, Any]]) -> None:
    """Each secret a service uses (its settings' `secret_fields`, which hold dev-only defaults)
    comes from a Secret the example shows, with a placeholder that is not the default."""
    examples = {
        d["metadata"]["name"]: d
        for d in yaml.safe_load_all((K8S_DIR / "secret.example.yaml").read_text())
    }
    assert {d["kind"] for d in examples.values()} == {"Secret"}
    used: set[tuple[str, str]] = set()
    for name, deployment in of_kind(k8s, "Deployment").items():
        spec = container(deployment)
        refs = {
            e["name"]: e["valueFrom"]["secretKeyRef"]
            for e in spec["env"]
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        secrets = {attribute.upper(): attribute for attribute in SETTINGS[name].secret_fields}
        assert set(refs) == set(secrets), name
        for variable, attribute in secrets.items():
            ref = refs[variable]
            assert ref["key"] == variable, name
            placeholder = examples[ref["name"]]["stringData"][variable]
            default = SETTINGS[name].model_fields[attribute].default
            assert placeholder != default and len(placeholder) >= 32, (name, variable)
            used.add((ref["name"], variable))
    assert used == {
        (secret, key) for secret, doc in examples.items() for key in doc["stringData"]
    }, "the example holds exactly the Secrets the Deployments use"
    assert ("kindred-gateway", "JWT_SECRET") in used
    assert DEV_JWT_SECRET not in (K8S_DIR / "secret.example.yaml").read_text()


def test_dev_mode_is_on_in_compose_and_never_in_k8s(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    for name, spec in app_services(compose).items():
        assert compose_env(spec)["KINDRED_DEV_MODE"] == "1", name
    for name, deployment in of_kind(k8s, "Deployment").items():
        assert "KINDRED_DEV_MODE" not in set(k8s_env(deployment, k8s)), name
    for path in K8S_DIR.glob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text()):
            assert "KINDRED_DEV_MODE" not in json.dumps(document), path.name


# --- NetworkPolicies: who may connect to which pod ------------------------------------------


@dataclass(frozen=True)
class Peer:
    """Where a connection comes from: a pod (with labels) in a namespace (with labels)."""

    namespace: str
    pod_labels: dict[str, str] = field(default_factory=dict)

    @property
    def namespace_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", expression
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def peer_matches(rule_peer: dict[str, Any], peer: Peer) -> bool:
    if "namespaceSelector" in rule_peer:
        if not selects(rule_peer["namespaceSelector"], peer.namespace_labels):
            return False
    elif peer.namespace != "kindred":
        return False
    return selects(rule_peer.get("podSelector", {}), peer.pod_labels)


def port_matches(rule_ports: list[dict[str, Any]] | None, port: int, named: dict[str, int]) -> bool:
    if rule_ports is None:
        return True
    return any(named.get(str(p["port"]), p["port"]) == port for p in rule_ports)


def admitted(k8s: list[dict[str, Any]], target: str, port: int, peer: Peer) -> bool:
    """Whether the NetworkPolicies let `peer` open `port` on a pod of Deployment `target`."""
    pod = of_kind(k8s, "Deployment")[target]["spec"]["template"]
    labels = pod["metadata"]["labels"]
    named = {p["name"]: p["containerPort"] for p in container({"spec": {"template": pod}})["ports"]}
    policies = [
        p
        for p in of_kind(k8s, "NetworkPolicy").values()
        if "Ingress" in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], labels)
    ]
    if not policies:
        return True
    return any(
        port_matches(rule.get("ports"), port, named)
        and ("from" not in rule or any(peer_matches(f, peer) for f in rule["from"]))
        for policy in policies
        for rule in policy["spec"].get("ingress", [])
    )


def test_k8s_network_policies(k8s: list[dict[str, Any]]) -> None:
    deny = of_kind(k8s, "NetworkPolicy")["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {} and "ingress" not in deny
    outside = Peer("ingress-nginx", {"app": "ingress-nginx"})
    prometheus = Peer("monitoring", {"app": "prometheus"})
    stranger = Peer("kindred", {"app.kubernetes.io/name": "debug"})
    pods = {name: Peer("kindred", {"app.kubernetes.io/name": name}) for name in SETTINGS}
    for target in SETTINGS:
        port = default_port(target)
        # The public port: the gateway's, from anywhere; no other service's.
        assert admitted(k8s, target, port, outside) == (target == "gateway"), target
        assert admitted(k8s, target, port, stranger) == (target == "gateway"), target
        # Prometheus scrapes every service's /metrics.
        assert admitted(k8s, target, port, prometheus), target
        assert "/metrics" in HEALTH_ROUTES
        # Between services: only the gateway, and only to the internal APIs (the
        # notifications' inbox, the check-ins' safety read, casework's staff reads).
        internal = {("notifications", "gateway"), ("checkins", "gateway"), ("casework", "gateway")}
        for source, peer in pods.items():
            expected = target == "gateway" or (target, source) in internal
            assert admitted(k8s, target, port, peer) == expected, (source, target)
        # Any other port: nothing.
        assert not admitted(k8s, target, port + 100, outside), target
    # ... which is where the gateway calls it.
    gateway_env = {e["name"]: e.get("value") for e in container(pods_of(k8s, "gateway"))["env"]}
    assert urlsplit(gateway_env["NOTIFICATIONS_URL"]).port == default_port("notifications")
    assert urlsplit(gateway_env["CHECKINS_URL"]).port == default_port("checkins")
    assert urlsplit(gateway_env["CASEWORK_URL"]).port == default_port("casework")


def pods_of(k8s: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return of_kind(k8s, "Deployment")[name]


def test_k8s_replicas_fit_the_partitions(k8s: list[dict[str, Any]]) -> None:
    """Every service runs at least 2 replicas that roll one at a time; a consuming service no
    more than it has partitions (beyond that replicas sit idle)."""
    config = of_kind(k8s, "ConfigMap")["kindred-config"]["data"]
    partitions = int(config.get("KAFKA_TOPIC_PARTITIONS", default_partitions()))
    for name, deployment in of_kind(k8s, "Deployment").items():
        spec = deployment["spec"]
        assert spec["replicas"] >= 2, name
        if name in CONSUMERS:
            assert spec["replicas"] <= partitions, name
        rolling = spec["strategy"]["rollingUpdate"]
        assert spec["strategy"]["type"] == "RollingUpdate", name
        assert (rolling["maxSurge"], rolling["maxUnavailable"]) == (1, 0), name


def test_k8s_disruption_budgets_let_one_replica_go(k8s: list[dict[str, Any]]) -> None:
    deployments = of_kind(k8s, "Deployment")
    budgets = of_kind(k8s, "PodDisruptionBudget")
    assert set(budgets) == set(deployments)
    for name, budget in budgets.items():
        selector = budget["spec"]["selector"]["matchLabels"]
        assert selector == deployments[name]["spec"]["selector"]["matchLabels"], name
        # maxUnavailable 1: a drain never blocks, and never takes every replica at once.
        assert budget["spec"].get("maxUnavailable") == 1, name
        assert "minAvailable" not in budget["spec"], name


# --- metric names in alerts and dashboards --------------------------------------------------


def exposed_names(collector: Collector) -> set[str]:
    """Sample names a collector exposes, for every metric family it describes."""
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "summary": ("_sum", "_count", "_created"),
        "gauge": ("",),
        "info": ("_info",),
    }
    return {
        family.name + suffix
        for family in collector.collect()
        for suffix in suffixes.get(family.type, ("",))
    }


def known_metrics() -> set[str]:
    """Every family a service exports: the shared runtime's and each service's own."""
    ours = [m for module in ALL_METRICS for m in collectors(module)]
    assert len(ours) >= 40, "expected the kindred_* families of every service"
    names = set().union(*(exposed_names(m) for m in ours))
    # FastStream's middleware, as the services create it, on a throwaway registry.
    faststream = CollectorRegistry()
    KafkaPrometheusMiddleware(registry=faststream, app_name="contract-test")
    names |= exposed_names(faststream)
    assert any(n.startswith("faststream_") for n in names)
    return names | {"up"}


PROMQL_FUNCTIONS_AND_KEYWORDS = {
    "abs", "absent", "and", "avg", "avg_over_time", "bool", "bottomk", "ceil", "changes",
    "clamp_max", "clamp_min", "count", "count_values", "delta", "deriv", "floor", "group",
    "histogram_quantile", "idelta", "increase", "irate", "label_replace", "max",
    "max_over_time", "min", "min_over_time", "offset", "or", "predict_linear", "quantile",
    "rate", "resets", "round", "scalar", "sort", "sort_desc", "stddev", "sum",
    "sum_over_time", "time", "topk", "unless", "vector",
}  # fmt: skip


def promql_metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers that are not functions or keywords."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # string literals
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors (incl. Grafana's $__rate_interval)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\$\{?\w+\}?", "", expr)  # Grafana variables
    expr = re.sub(r"\b(?:\d+(?:ms|[smhdwy]))+\b", "", expr)  # durations (offset 5m)
    expr = re.sub(r"\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b", "", expr, flags=re.IGNORECASE)  # numbers
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        word = match.group()
        followed_by_call = expr[match.end() :].lstrip().startswith("(")
        if word in PROMQL_FUNCTIONS_AND_KEYWORDS or followed_by_call:
            continue
        names.add(word)
    return names


def test_promql_metric_names_extraction() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{job="x"}[5m]))) > 0.5 '
        "or sum(increase(b_total[$__rate_interval])) - on() c_total or up == 0 "
        "or (d_total unless d_total offset 1h30m)"
    )
    assert promql_metric_names(expr) == {"a_seconds_bucket", "b_total", "c_total", "d_total", "up"}


def alert_rules() -> list[dict[str, Any]]:
    loaded = yaml.safe_load(ALERTS_FILE.read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def dashboard_exprs() -> Iterator[tuple[str, str]]:
    def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))

    dashboards = sorted(DASHBOARD_DIR.glob("*.json"))
    assert dashboards
    for path in dashboards:
        for panel in panels(json.loads(path.read_text())["panels"]):
            for target in panel.get("targets", []):
                yield f"{path.name}: {panel['title']}", target["expr"]


def test_alert_metrics_exist() -> None:
    known = known_metrics()
    used: set[str] = set()
    for rule in alert_rules():
        names = promql_metric_names(rule["expr"])
        assert names, rule["alert"]
        assert names <= known, f"{rule['alert']}: unknown metrics {sorted(names - known)}"
        used |= names
    assert {
        "kindred_dead_letters_total",
        "kindred_dependency_retries_total",
        "kindred_consumer_lag",
        "kindred_partitions_fenced_total",
        "kindred_background_failures_total",
        "kindred_gateway_publish_seconds_bucket",
        "kindred_matching_unmatched_requests",
        "kindred_matching_batch_seconds_bucket",
        "up",
    } <= used


def test_alert_rules_tell_the_on_call_what_to_do() -> None:
    rules = alert_rules()
    assert len({r["alert"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"].strip(), rule["alert"]
        assert len(rule["annotations"]["description"]) > 80, rule["alert"]


def test_dashboard_metrics_exist() -> None:
    known = known_metrics()
    used: set[str] = set()
    for where, expr in dashboard_exprs():
        names = promql_metric_names(expr)
        assert names, where
        assert names <= known, f"{where}: unknown metrics {sorted(names - known)}"
        used |= names
    assert {
        "kindred_events_published_total",
        "kindred_events_handled_total",
        "kindred_dead_letters_total",
        "kindred_dependency_retries_total",
        "kindred_matches_proposed_total",
        "kindred_inbox_entries_total",
        "kindred_checkins_recorded_total",
        "kindred_gateway_events_accepted_total",
        "kindred_gateway_publish_seconds_bucket",
        "kindred_consumer_lag",
        "kindred_partitions_owned",
        "kindred_partitions_fenced_total",
        "kindred_partition_commit_seconds_bucket",
        "kindred_consumer_batch_records_bucket",
        "kindred_storage_documents_written_total",
        "kindred_matching_supporters",
        "kindred_matching_open_requests",
        "kindred_match_steps_total",
        "kindred_rematches_total",
        "kindred_match_time_to_proposal_seconds_bucket",
        "kindred_match_time_to_match_seconds_bucket",
        "kindred_matching_unmatched_requests",
        "kindred_matching_supporters_by_load",
        "kindred_matching_batch_seconds_bucket",
    } <= used


def test_dashboard_layout() -> None:
    """Unique panel ids, and panels inside the 24-column grid that do not overlap."""
    for path in sorted(DASHBOARD_DIR.glob("*.json")):
        panels = json.loads(path.read_text())["panels"]
        ids = [panel["id"] for panel in panels]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        taken: dict[tuple[int, int], str] = {}
        for panel in panels:
            grid = panel["gridPos"]
            assert grid["w"] > 0 and grid["h"] > 0, panel["title"]
            assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
            for x in range(grid["x"], grid["x"] + grid["w"]):
                for y in range(grid["y"], grid["y"] + grid["h"]):
                    other = taken.setdefault((x, y), panel["title"])
                    assert other == panel["title"], (
                        f"{path.name}: {other!r} overlaps {panel['title']!r}"
                    )


# --- settings the deployment files mention --------------------------------------------------

SETTING_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def yaml_comments(path: Path) -> str:
    return "\n".join(line.split("#", 1)[1] for line in path.read_text().splitlines() if "#" in line)


def test_settings_mentioned_in_deploy_files_exist() -> None:
    """Runbooks, comments and panel descriptions name settings too: a removed or renamed one
    must not linger there (e.g. an alert telling the on-call to tune a setting that is gone)."""
    texts = {
        path.relative_to(ROOT).as_posix(): path.read_text()
        for path in [ALERTS_FILE, PROMETHEUS_FILE, K8S_DIR / "README.md"]
    }
    texts |= {p.relative_to(ROOT).as_posix(): p.read_text() for p in DASHBOARD_DIR.glob("*.json")}
    # Only comments here: these files also set third-party variables (Kafka's, Grafana's).
    for path in [COMPOSE_FILE, *sorted(K8S_DIR.glob("*.yaml"))]:
        texts[path.relative_to(ROOT).as_posix()] = yaml_comments(path)
    known = all_env_names()
    mentioned = 0
    for where, text in texts.items():
        names = set(SETTING_NAME.findall(text))
        mentioned += len(names)
        assert names <= known, f"{where}: {sorted(names - known)} are not settings fields"
    assert mentioned >= 10
