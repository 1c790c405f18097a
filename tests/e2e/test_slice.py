"""The first slice across four real processes, driven through the gateway only."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from kindred.devtools.processes import Platform
from tests.support.client import MemberClient, StaffClient
from tests.support.factories import profile_body, support_body
from tests.support.metrics import SERVICE_METRICS, collectors
from tests.support.promtool import check_metrics
from tests.support.waiting import eventually


async def test_profile_request_and_checkin_end_in_both_inboxes(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        supporter = MemberClient(platform.gateway_url, "sam", http)
        seeker = MemberClient(platform.gateway_url, "alex", http)

        response = await supporter.put_profile(profile_body(topics=["grief", "loneliness"]))
        assert response.status_code == 202, response.text
        # A profile alone makes nobody a supporter: staff grant the role.
        await StaffClient(platform.gateway_url, http).grant(supporter.member_id)
        response = await seeker.put_profile(profile_body(roles=["seeker"], capacity=0))
        assert response.status_code == 202, response.text
        response = await seeker.request_support(support_body())
        assert response.status_code == 202, response.text
        request_id = response.json()["resource_id"]

        # The request may reach the pool before the supporter's profile or role does; it then
        # waits, and the next batch proposes it once the supporter is known.
        seeker_items = await eventually(
            seeker.inbox,
            lambda items: len(items) >= 1,
            timeout=60,
            what="the seeker's match proposal",
        )
        assert seeker_items[0]["kind"] == "match.proposed"
        assert seeker_items[0]["data"]["request_id"] == request_id

        supporter_items = await eventually(supporter.inbox, lambda items: len(items) == 1)
        assert supporter_items[0]["data"]["match_id"] == seeker_items[0]["data"]["match_id"]

        response = await seeker.check_in({"mood": 4, "note": "a hard day"})
        assert response.status_code == 202
        assert response.json()["resource_id"]

        other = MemberClient(platform.gateway_url, "mallory", http)
        response = await http.get(
            f"{platform.gateway_url}/v1/members/alex/inbox", headers=other._headers
        )
        assert response.status_code == 403

    await scrapes_clean(platform)


async def scrapes_clean(platform: Platform) -> None:
    """What Prometheus scrapes from the real processes: promtool finds nothing to say, and no
    service exports another's families (only its own and the shared runtime's)."""
    names = {
        name: {m._name for m in collectors(module)} for name, module in SERVICE_METRICS.items()
    }
    async with httpx.AsyncClient(timeout=10) as http:
        for service in platform.all():
            text = (await http.get(f"{service.url}/metrics")).text
            assert check_metrics(text) == [], service.name
            exported = {f.name for f in text_string_to_metric_families(text)}
            for other, families in names.items():
                if other != service.name:
                    assert not (families & exported), f"{other}'s families on {service.name}"
            assert names[service.name] <= exported or service.name == "gateway"
