"""docker-compose.yml and the Kubernetes manifests parse and run every Switchboard process."""

from pathlib import Path

import yaml

from shared.process import SERVICE_NAMES

ROOT = Path(__file__).resolve().parents[3]
IMAGE = "switchboard:latest"


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def manifests() -> list[dict]:
    kustomization = yaml.safe_load((ROOT / "deploy/k8s/kustomization.yaml").read_text())
    return [doc for name in kustomization["resources"]
            for doc in yaml.safe_load_all((ROOT / "deploy/k8s" / name).read_text()) if doc]


def test_compose_runs_each_service_api_and_consumer_as_its_own_container_from_one_image():
    services = compose()["services"]
    for name in SERVICE_NAMES:
        assert services[name]["command"][-1] == f"services.{name}.app:create_app()"
        consumers = [c for c in services.values() if c.get("command") == ["switchboard", "consume", name]]
        assert len(consumers) == 1, f"no consumer container for {name}"
        assert services["gateway"]["environment"][f"SWITCHBOARD_{name.upper()}_SERVICE_URL"] == f"http://{name}:8000"
        assert services["gateway"]["depends_on"][name] == {"condition": "service_healthy"}
    assert services["gateway-webhooks"]["command"] == ["python", "-m", "gateway.worker"]
    ours = {n: s for n, s in services.items() if s.get("image") == IMAGE}
    assert set(ours) >= {"gateway", *SERVICE_NAMES}
    for name, container in ours.items():
        assert container["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "healthcheck" in container, f"{name} has no health check"
        for infrastructure in ("rabbitmq", "postgres", "elasticsearch"):
            assert container["depends_on"][infrastructure] == {"condition": "service_healthy"}


def test_compose_infrastructure_has_management_health_checks_and_volumes():
    file = compose()
    services = file["services"]
    assert services["rabbitmq"]["image"].endswith("-management")
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"
    assert services["elasticsearch"]["environment"]["xpack.security.enabled"] in ("true", "false")
    assert "xpack.security.enabled=true" in (ROOT / "docker-compose.yml").read_text(), "how to turn security on"
    for name in ("rabbitmq", "postgres", "elasticsearch"):
        assert "healthcheck" in services[name]
        volume = services[name]["volumes"][0].split(":")[0]
        assert volume in file["volumes"]


def test_kubernetes_manifests_deploy_scale_and_expose_every_process():
    docs = manifests()
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in docs:
        assert {"apiVersion", "kind", "metadata"} <= set(doc)
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    deployments = by_kind["Deployment"]
    commands = {name: d["spec"]["template"]["spec"]["containers"][0]["command"] for name, d in deployments.items()}
    for name in SERVICE_NAMES:
        assert commands[name][-1] == f"services.{name}.app:create_app()"
        assert ["switchboard", "consume", name] in commands.values(), f"no consumer Deployment for {name}"
        assert name in by_kind["Service"]
    assert commands["gateway"][-1] == "gateway.app:create_app()" and "gateway" in by_kind["Service"]
    assert commands["gateway-webhooks"] == ["python", "-m", "gateway.worker"]
    for hpa in by_kind["HorizontalPodAutoscaler"].values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in by_kind["HorizontalPodAutoscaler"].values()}
    assert {"gateway", *SERVICE_NAMES} <= scaled
    for deployment in deployments.values():
        assert deployment["spec"]["selector"]["matchLabels"] == deployment["spec"]["template"]["metadata"]["labels"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        referenced = {ref.get("configMapRef", ref.get("secretRef"))["name"] for ref in container["envFrom"]}
        assert referenced == {"switchboard-config", "switchboard-secrets"}
    assert "switchboard-config" in by_kind["ConfigMap"] and "switchboard-secrets" in by_kind["Secret"]


def test_make_up_and_down_wrap_docker_compose():
    makefile = (ROOT / "Makefile").read_text()
    assert "up:\n\tdocker compose up" in makefile and "down:\n\tdocker compose down" in makefile
