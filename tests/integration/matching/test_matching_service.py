"""The matching service on real Kafka and the MongoDB-protocol server: the whole lifecycle
(proposal, decline, re-match, accept, end with a report, expiry), duplicate and out-of-order
steps, safety episodes, moderation and supporter pauses, a restart in the middle of the stream,
and dead letters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pymongo import AsyncMongoClient

from kindred.events.casework import (
    MemberModerated,
    MemberModeratedData,
    ModerationAction,
    SupporterPauseSet,
    SupporterPauseSetData,
)
from kindred.events.envelope import Envelope
from kindred.events.matching import (
    MatchAction,
    MatchActionRequested,
    MatchActionRequestedData,
    MatchEnd,
    PoolInput,
    PoolInputData,
)
from kindred.events.safety import (
    SafetyEpisodeClosed,
    SafetyEpisodeClosedData,
    SafetyEpisodeOpened,
    SafetyEpisodeOpenedData,
)
from kindred.matching.app import create_app
from kindred.matching.settings import MatchingSettings
from kindred.partitions.store import newest
from tests.support.factories import profile_submitted, role_set, support_requested
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce, produce_event, produce_events
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


def seen(reader: TopicReader) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
    """A waiter for `eventually`: every value read so far."""

    async def read() -> list[dict[str, Any]]:
        await reader.poll()
        return reader.values()

    return read


async def last_versions(collection: Any) -> dict[str, dict[str, Any]]:
    """Each thing's last stored version (matching stores versions: `key`, `ver`)."""
    return newest([doc async for doc in collection.find({})])


FAST = {"match_batch_seconds": 0.2, "write_behind_seconds": 0}


def step(member_id: str, match_id: str, action: MatchAction, **end: Any) -> MatchActionRequested:
    return MatchActionRequested.new(
        subject=member_id,
        source="tests",
        data=MatchActionRequestedData(
            match_id=match_id,
            member_id=member_id,
            action=action,
            end=MatchEnd(**end) if end else None,
        ),
    )


async def supporters(infra: Infra, namespace: str, *ids: str, **profile: Any) -> None:
    events: list[Envelope[Any]] = []
    for member_id in ids:
        events += [profile_submitted(member_id, **profile), role_set(member_id)]
    await produce_events(infra.kafka, namespace, events)


async def seeker(infra: Infra, namespace: str, member_id: str, **profile: Any) -> None:
    await produce_event(
        infra.kafka,
        namespace,
        profile_submitted(member_id, roles=["seeker"], capacity=0, **profile),
    )


async def test_propose_decline_rematch_accept_end_with_a_report(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace, **FAST)
    db = mongo[settings.database_name]
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as proposed,
        TopicReader(infra.kafka, f"{namespace}.match.declined") as declined,
        TopicReader(infra.kafka, f"{namespace}.match.accepted") as accepted,
        TopicReader(infra.kafka, f"{namespace}.match.ended") as ended,
    ):
        await supporters(infra, namespace, "s1", "s2", capacity=1)
        # Says they are a supporter, but nobody granted the role: never proposed.
        await produce_event(infra.kafka, namespace, profile_submitted("self-declared"))
        await seeker(infra, namespace, "k1")
        request = support_requested("k1")
        await produce_event(infra.kafka, namespace, request)
        await produce_event(infra.kafka, namespace, request)  # a copy
        [first] = await eventually(seen(proposed), lambda v: len(v) == 1, what="a proposal")
        data = first["data"]
        assert data["request_id"] == request.data.request_id
        assert data["supporter_id"] in ("s1", "s2")
        assert set(data["breakdown"]) == {"topics", "text", "availability", "load", "fairness"}
        assert first["correlationid"] == request.correlationid
        assert first["causationid"] == request.id

        await produce_event(
            infra.kafka,
            namespace,
            step(data["supporter_id"], data["match_id"], MatchAction.DECLINE),
        )
        second = (await eventually(seen(proposed), lambda v: len(v) == 2, what="a re-match"))[1][
            "data"
        ]
        assert second["supporter_id"] not in (data["supporter_id"], "self-declared")
        assert second["attempt"] == 2
        assert [
            d["data"]["match_id"] for d in await eventually(seen(declined), lambda v: len(v) == 1)
        ] == [data["match_id"]]

        accept = step(second["supporter_id"], second["match_id"], MatchAction.ACCEPT)
        await produce_events(infra.kafka, namespace, [accept, accept])  # a double tap
        await eventually(seen(accepted), lambda v: len(v) == 1)
        await produce_event(
            infra.kafka,
            namespace,
            step("k1", second["match_id"], MatchAction.END, reason="rude", rating=1, report=True),
        )
        [end] = await eventually(seen(ended), lambda v: len(v) == 1)
        assert end["data"]["reported"] is True and end["data"]["by"] == "k1"

        async def stored() -> dict[str, Any]:
            return {k: d["state"] for k, d in (await last_versions(db["matches"])).items()}

        await eventually(
            stored,
            lambda s: s == {data["match_id"]: "declined", second["match_id"]: "ended"},
            what="both matches stored in their last state",
        )
        # The reported pair is never matched again; the other supporter declined this seeker's
        # earlier request only: a new request goes to them.
        await produce_event(infra.kafka, namespace, support_requested("k1"))
        third = (await eventually(seen(proposed), lambda v: len(v) == 3))[2]["data"]
        assert third["supporter_id"] == data["supporter_id"]
        await accepted.read_to_end()
        assert len(accepted.values()) == 1


async def test_an_unanswered_proposal_expires_and_goes_to_the_next_supporter(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace, proposal_ttl_seconds=1.0, **FAST)
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as proposed,
        TopicReader(infra.kafka, f"{namespace}.match.expired") as expired,
    ):
        await supporters(infra, namespace, "s1", "s2")
        await seeker(infra, namespace, "k1")
        await produce_event(infra.kafka, namespace, support_requested("k1"))
        values = await eventually(
            seen(proposed),
            lambda v: len(v) == 2,
            what="a proposal, its expiry and the next proposal",
        )
        [gone] = await eventually(seen(expired), lambda v: len(v) >= 1)
        assert gone["data"]["match_id"] == values[0]["data"]["match_id"]
        assert gone["data"]["by"] == "matching"
        assert {v["data"]["supporter_id"] for v in values} == {"s1", "s2"}


async def test_a_seeker_in_a_safety_episode_is_held_out_until_staff_close_it(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(
        MatchingSettings, infra, namespace, rematch_interval_seconds=3600, **FAST
    )
    opened_at = datetime.now(UTC)
    opened = SafetyEpisodeOpened.new(
        subject="k1",
        source="tests",
        data=SafetyEpisodeOpenedData(
            episode_id="ep1", member_id="k1", alert_id="a1", opened_at=opened_at
        ),
    )
    closed = SafetyEpisodeClosed.new(
        subject="k1",
        source="tests",
        data=SafetyEpisodeClosedData(
            episode_id="ep1",
            member_id="k1",
            closed_by="staff",
            reason="safe now",
            opened_at=opened_at,
            closed_at=datetime.now(UTC),
            alerts=1,
        ),
    )

    async def held(client: Any) -> bool:
        text = (await client.get("/metrics")).text
        return 'kindred_matching_unmatched_requests{reason="safety-episode"} 1.0' in text

    async with (
        running(create_app(settings)) as client,
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as proposed,
    ):
        await supporters(infra, namespace, "s1")
        await seeker(infra, namespace, "k1")
        await produce_event(infra.kafka, namespace, opened)
        await produce_event(infra.kafka, namespace, support_requested("k1"))
        await eventually(partial(held, client), what="the request held out with its reason")
        assert await proposed.poll() == []
    # A restart rebuilds the pool from storage: the episode holds the request still.
    async with (
        running(create_app(settings)) as client,
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as proposed,
    ):
        await eventually(partial(held, client), what="the request held out after a restart")
        assert await proposed.poll() == []
        await produce_event(infra.kafka, namespace, closed)
        # Closing the episode lets the next batch take the request (the re-match interval,
        # an hour here, would be far too late).
        await eventually(
            seen(proposed), lambda v: len(v) == 1, timeout=15, what="the proposal after closing"
        )


def moderated(member_id: str, action: ModerationAction) -> MemberModerated:
    return MemberModerated.new(
        subject=member_id,
        source="tests",
        data=MemberModeratedData(
            action=action,
            action_id=f"act-{member_id}-{action}",
            member_id=member_id,
            staff_id="mod-1",
            at=datetime.now(UTC),
        ),
    )


def pause_set(member_id: str, paused: bool) -> SupporterPauseSet:
    return SupporterPauseSet.new(
        subject=member_id,
        source="tests",
        data=SupporterPauseSetData(
            paused=paused, member_id=member_id, staff_id="adm-1", at=datetime.now(UTC)
        ),
    )


async def test_suspensions_and_a_pause_hold_members_back_until_lifted_across_a_restart(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace, **FAST)
    db = mongo[settings.database_name]

    async def member(member_id: str) -> dict[str, Any]:
        return (await last_versions(db["members"])).get(member_id, {})

    async def applied(member_id: str, what: str, **fields: Any) -> None:
        """The member stored as `fields` say: their moderation or pause has been applied
        (the events of different topics keep no order between them: wait before the next)."""
        await eventually(
            partial(member, member_id),
            lambda m: all(m.get(k) == v for k, v in fields.items()),
            what=what,
        )

    async def request_reason(request_id: str) -> str | None:
        found = (await last_versions(db["requests"])).get(request_id)
        return None if found is None else found["reason"]

    async with (
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as proposed,
        TopicReader(infra.kafka, f"{namespace}.support.request-refused") as refused,
    ):
        async with running(create_app(settings)):
            await supporters(infra, namespace, "s1", "s2", capacity=1)
            await seeker(infra, namespace, "k1")
            await seeker(infra, namespace, "k2")
            await produce_event(
                infra.kafka, namespace, moderated("s1", ModerationAction.SUSPEND_SUPPORTING)
            )
            await produce_event(infra.kafka, namespace, pause_set("s2", True))
            await applied("s1", "s1 suspended", suspended_supporting=True, granted=True)
            await applied("s2", "s2 paused", paused=True, granted=True)

            waiting = support_requested("k1")
            await produce_event(infra.kafka, namespace, waiting)
            await eventually(
                partial(request_reason, waiting.data.request_id),
                lambda r: r == "no-capacity",
                what="the request waiting: one supporter suspended, the other paused",
            )
            assert await proposed.poll() == []

            await produce_event(
                infra.kafka, namespace, moderated("k1", ModerationAction.SUSPEND_MATCHING)
            )
            withdrawn = (
                await eventually(
                    seen(refused), lambda v: len(v) >= 1, what="the waiting request withdrawn"
                )
            )[0]
            assert withdrawn["data"] == {
                "request_id": waiting.data.request_id,
                "seeker_id": "k1",
                "reason": "suspended",
            }
            await applied("k1", "k1 suspended", suspended_matching=True)

        # A restart rebuilds the suspensions and the pause from storage.
        async with running(create_app(settings)):
            refused_request = support_requested("k1")
            await produce_event(infra.kafka, namespace, refused_request)
            rid = refused_request.data.request_id
            # Publishing is at least once: the first refusal may come again after the restart.
            values = await eventually(
                seen(refused),
                lambda v: any(x["data"]["request_id"] == rid for x in v),
                what="the new request refused",
            )
            assert {x["data"]["reason"] for x in values} == {"suspended"}

            # Restored, the seeker is taken again and the supporter proposed again; the
            # pause (the supporter admins') stays.
            await produce_events(
                infra.kafka,
                namespace,
                [
                    moderated("k1", ModerationAction.RESTORE),
                    moderated("s1", ModerationAction.RESTORE),
                ],
            )
            await applied("k1", "k1 restored", suspended_matching=False)
            await applied("s1", "s1 restored", suspended_supporting=False)
            await produce_event(infra.kafka, namespace, support_requested("k1"))
            first = (await eventually(seen(proposed), lambda v: len(v) >= 1, what="s1 proposed"))[0]
            assert (first["data"]["seeker_id"], first["data"]["supporter_id"]) == ("k1", "s1")

            await produce_event(infra.kafka, namespace, pause_set("s2", False))
            await applied("s2", "s2 resumed", paused=False)
            await produce_event(infra.kafka, namespace, support_requested("k2"))
            values = await eventually(
                seen(proposed),
                lambda v: any(x["data"]["seeker_id"] == "k2" for x in v),
                what="s2 proposed once resumed",
            )
            assert {(x["data"]["seeker_id"], x["data"]["supporter_id"]) for x in values} == {
                ("k1", "s1"),
                ("k2", "s2"),
            }


async def test_a_restart_mid_stream_proposes_each_request_once_within_capacity(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace, **FAST)
    db = mongo[settings.database_name]
    await supporters(infra, namespace, *(f"s{i}" for i in range(10)), capacity=3)
    seekers = [f"k{i}" for i in range(40)]
    await produce_events(
        infra.kafka,
        namespace,
        [profile_submitted(k, roles=["seeker"], capacity=0) for k in seekers],
    )
    requests = [support_requested(k) for k in seekers]

    async def waiting() -> list[tuple[str, str]]:
        """Requests stored as open (writes land alongside the events: wait for them)."""
        requests = await last_versions(db["requests"])
        return [(k, d["reason"]) for k, d in requests.items() if d["status"] == "open"]

    async with TopicReader(infra.kafka, f"{namespace}.match.proposed") as proposed:
        async with running(create_app(settings)):
            await produce_events(infra.kafka, namespace, requests[:20])
            await eventually(seen(proposed), lambda v: len(v) >= 5)
            # Stopped while the rest arrive.
            await produce_events(infra.kafka, namespace, requests[20:])
        async with running(create_app(settings)):
            await eventually(
                seen(proposed),
                lambda v: len({x["data"]["request_id"] for x in v}) == 30,
                what="30 requests proposed (10 supporters, 3 slots each)",
            )
            left = await eventually(
                waiting,
                lambda w: len(w) == 10 and {r for _, r in w} == {"no-capacity"},
                what="the 10 others stored waiting for capacity",
            )
            await proposed.read_to_end()
    # Publishing is at least once: a record may come twice, with its id. Distinct proposals:
    matches = {v["data"]["match_id"]: v["data"] for v in proposed.values()}
    per_request = Counter(m["request_id"] for m in matches.values())
    assert set(per_request.values()) == {1}, "a request proposed twice"
    assert set(per_request) | {key for key, _ in left} == {r.data.request_id for r in requests}
    per_supporter = Counter(m["supporter_id"] for m in matches.values())
    assert max(per_supporter.values()) <= 3


async def test_a_malformed_pool_input_and_an_invalid_step_are_dead_lettered_with_reasons(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace, **FAST)
    bad = PoolInput.new(
        subject="main",
        source="tests",
        data=PoolInputData(pool="main", event={"type": "kindred.match.proposed.v1"}),
    )
    inputs = f"{namespace}.{PoolInput.TOPIC}"
    steps = f"{namespace}.{MatchActionRequested.TOPIC}"
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, inputs + ".dlt") as dead_input,
        TopicReader(infra.kafka, steps + ".dlt") as dead_step,
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as proposed,
    ):
        await produce_event(infra.kafka, namespace, bad)
        await produce(infra.kafka, steps, b'{"nope": 1}', "k1")
        [letter] = await eventually(dead_input.poll, lambda r: len(r) == 1, what="dead input")
        headers = {k: v.decode() for k, v in letter.headers}
        assert "is not an event a pool takes" in headers["kindred-dlt-error-message"]
        assert headers["kindred-dlt-origin-topic"] == inputs
        [letter] = await eventually(dead_step.poll, lambda r: len(r) == 1, what="dead step")
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["kindred-dlt-error-type"] == "ValidationError"
        # The pool goes on.
        await supporters(infra, namespace, "s1")
        await seeker(infra, namespace, "k1")
        await produce_event(infra.kafka, namespace, support_requested("k1"))
        await eventually(seen(proposed), lambda v: len(v) == 1, what="a proposal after them")
