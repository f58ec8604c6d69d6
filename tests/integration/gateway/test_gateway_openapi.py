"""The whole surface described at /openapi.json, readable at /docs without the internet, and fuzzed."""

import re

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.integration.gateway.conftest import ADMIN
from tests.support.http import Client

# Paths of the contract (api-contract.md) every deployment must describe.
CONTRACT_PATHS = {
    "/api/v1/auth/login", "/api/v1/api-keys", "/api/v1/teams", "/api/v1/agents", "/api/v1/agents/{agent_id}/presence",
    "/api/v1/routing/rules", "/api/v1/routing/rules/{rule_id}", "/api/v1/routing/simulate", "/api/v1/conversations",
    "/api/v1/conversations/{conversation_id}", "/api/v1/conversations/{conversation_id}/messages",
    "/api/v1/conversations/{conversation_id}/notes", "/api/v1/search", "/chat/v1/sessions",
    "/chat/v1/sessions/{session_id}/messages", "/api/v1/webhooks", "/webhooks/sms/twilio", "/webhooks/email/mime",
    "/api/v1/contacts", "/api/v1/contacts/{contact_id}", "/api/v1/contacts/{contact_id}/merge",
}


def test_openapi_describes_every_service_and_the_gateway(switchboard):
    spec = Client(switchboard.url).get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert CONTRACT_PATHS <= set(spec["paths"]), CONTRACT_PATHS - set(spec["paths"])
    created = spec["paths"]["/api/v1/api-keys"]["post"]
    assert "201" in created["responses"] and created["requestBody"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_docs_page_renders_the_spec_with_nothing_from_outside(switchboard):
    page = Client(switchboard.url).get("/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "openapi.json" in page.text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page.text), "the page must work offline"
    assert "@import" not in page.text and "fetch(\"http" not in page.text


@schemathesis.serializer("message/rfc822")
def raw_email(ctx, value) -> bytes:
    """Raw emails (POST /webhooks/email/mime) are whatever bytes the generator made."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


def test_no_request_generated_from_the_spec_gets_a_500(switchboard):
    schema = schemathesis.openapi.from_url(f"{switchboard.url}/openapi.json")
    fuzzed = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/events"):
            continue  # endless event streams; the SSE tests cover them

        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def no_server_error(case):
            response = case.call(headers={"Authorization": f"Bearer {ADMIN}"})
            assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])

        no_server_error()
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    assert len(fuzzed) >= 25 and "POST /api/v1/api-keys" in fuzzed and "POST /api/v1/webhooks" in fuzzed
