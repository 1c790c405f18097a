"""A member-side client of the gateway: what a client app would do."""

from __future__ import annotations

from typing import Any

import httpx

from kindred.gateway.auth import SUPPORTER_ADMIN, issue_token
from kindred.gateway.settings import GatewaySettings


class MemberClient:
    def __init__(self, gateway_url: str, member_id: str, http: httpx.AsyncClient) -> None:
        self.member_id = member_id
        self._http = http
        self._base = f"{gateway_url}/v1/members/{member_id}"
        token = issue_token(GatewaySettings(), member_id)  # the dev key the processes use
        self._headers = {"Authorization": f"Bearer {token}"}

    async def put_profile(self, body: dict[str, Any]) -> httpx.Response:
        return await self._http.put(f"{self._base}/profile", json=body, headers=self._headers)

    async def request_support(self, body: dict[str, Any]) -> httpx.Response:
        return await self._http.post(
            f"{self._base}/support-requests", json=body, headers=self._headers
        )

    async def check_in(self, body: dict[str, Any]) -> httpx.Response:
        return await self._http.post(f"{self._base}/checkins", json=body, headers=self._headers)

    async def match_step(
        self, match_id: str, step: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        """accept, decline or end (with `body`) a match."""
        return await self._http.post(
            f"{self._base}/matches/{match_id}/{step}", json=body, headers=self._headers
        )

    async def inbox(self) -> list[dict[str, Any]]:
        response = await self._http.get(
            f"{self._base}/inbox", params={"limit": 500}, headers=self._headers
        )
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items


class StaffClient:
    """A member of staff with the supporter-admin role: grants the supporter role."""

    def __init__(
        self, gateway_url: str, http: httpx.AsyncClient, staff_id: str = "trainer"
    ) -> None:
        self._http = http
        self._base = f"{gateway_url}/v1/staff/supporters"
        token = issue_token(GatewaySettings(), staff_id, roles=(SUPPORTER_ADMIN,))
        self._headers = {"Authorization": f"Bearer {token}"}

    async def grant(self, member_id: str, minors_cleared: bool = False) -> httpx.Response:
        body = {"granted": True, "minors_cleared": minors_cleared, "note": "trained"}
        response = await self._http.put(
            f"{self._base}/{member_id}", json=body, headers=self._headers
        )
        response.raise_for_status()
        return response
