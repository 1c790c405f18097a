"""Drive the first slice through the gateway, as a client app would, and print each step."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx

from kindred.gateway.auth import SUPPORTER_ADMIN, issue_token
from kindred.gateway.settings import GatewaySettings


async def run_demo(gateway_url: str, timeout: float = 60.0) -> bool:  # noqa: ASYNC109
    suffix = uuid.uuid4().hex[:6]
    supporter, seeker = f"demo-sam-{suffix}", f"demo-alex-{suffix}"
    settings = GatewaySettings()  # the same JWT_SECRET the gateway process reads

    def headers(member: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(settings, member, roles=roles)}"}

    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as http:

        async def call(
            what: str,
            method: str,
            path: str,
            member: str,
            body: dict[str, Any] | None = None,
            *roles: str,
        ) -> httpx.Response:
            response = await http.request(method, path, json=body, headers=headers(member, *roles))
            print(f"\n> {what}\n  {method} {path} -> {response.status_code}")
            print("  " + json.dumps(response.json(), default=str)[:400])
            return response

        await call(
            "a supporter shares their profile",
            "PUT",
            f"/v1/members/{supporter}/profile",
            supporter,
            {
                "roles": ["supporter"],
                "topics": ["grief", "loneliness"],
                "languages": ["en"],
                "time_zone": "Europe/London",
                "age_band": "45-54",
                "capacity": 3,
            },
        )
        await call(
            "staff who trained them grant the supporter role (a profile alone is not enough)",
            "PUT",
            f"/v1/staff/supporters/{supporter}",
            "demo-trainer",
            {"granted": True, "note": "finished the peer-support training"},
            SUPPORTER_ADMIN,
        )
        await call(
            "a seeker shares theirs",
            "PUT",
            f"/v1/members/{seeker}/profile",
            seeker,
            {
                "roles": ["seeker"],
                "topics": ["grief"],
                "languages": ["en"],
                "time_zone": "America/New_York",
                "age_band": "25-34",
            },
        )
        await call(
            "the seeker asks for support",
            "POST",
            f"/v1/members/{seeker}/support-requests",
            seeker,
            {
                "topics": ["grief"],
                "language": "en",
                "urgency": "normal",
                "whats_going_on": "My mother died in the spring and evenings are hard.",
            },
        )
        await call(
            "the seeker checks in",
            "POST",
            f"/v1/members/{seeker}/checkins",
            seeker,
            {"mood": 4, "note": "tired"},
        )
        await call(
            "a bad check-in is refused, naming the field",
            "POST",
            f"/v1/members/{seeker}/checkins",
            seeker,
            {"mood": 42},
        )
        await call(
            "a member cannot read someone else's inbox",
            "GET",
            f"/v1/members/{supporter}/inbox",
            seeker,
        )

        print("\n> waiting for the match proposal to reach both inboxes...")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inboxes = {}
            for member in (seeker, supporter):
                r = await http.get(f"/v1/members/{member}/inbox", headers=headers(member))
                inboxes[member] = r.json().get("items", []) if r.status_code == 200 else []
            if all(inboxes.values()):
                for member, items in inboxes.items():
                    print(
                        f"  inbox of {member}: {items[0]['title']!r} "
                        f"(match {items[0]['data']['match_id']})"
                    )
                match_id = inboxes[supporter][0]["data"]["match_id"]
                accepted = await call(
                    "the supporter accepts the match",
                    "POST",
                    f"/v1/members/{supporter}/matches/{match_id}/accept",
                    supporter,
                )
                if accepted.status_code != 202:
                    print("\ndemo: the accept was refused; see the answer above")
                    return False
                print("\ndemo: done, the slice works end to end")
                return True
            await asyncio.sleep(0.5)
        print("\ndemo: no proposal arrived in time; see the service logs")
        return False
