"""One builder for every inbox entry: text from the templates in the reader's locale, the data
a preview may show plus the ids the reader acts on, an id a replay derives again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kindred.notifications.domain.inbox import inbox_entry
from kindred.notifications.domain.templates import Audience, match_proposed_context
from kindred.notifications.repository import inbox_doc
from tests.support.factories import match_proposed

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "audience", "title"),
    [
        ("en", Audience.SEEKER, "We found someone to talk to"),
        ("fr", Audience.SEEKER, "Nous avons trouvé quelqu'un à qui parler"),
        ("fr-CA", Audience.SEEKER, "Nous avons trouvé quelqu'un à qui parler"),
        ("de", Audience.SEEKER, "We found someone to talk to"),  # no German: English
        ("en", Audience.SUPPORTER, "A member could use your support"),
        ("fr", Audience.SUPPORTER, "Un membre aurait besoin de votre soutien"),
    ],
)
def test_a_proposal_entry_is_in_the_readers_locale_with_the_ids_to_act_on(
    locale: str, audience: Audience, title: str
) -> None:
    event = match_proposed("seeker", "supporter")
    entry = inbox_entry(
        "match.proposed",
        audience,
        locale,
        match_proposed_context(event),
        recipient="seeker",
        entry_id="e1",
        source_event_id=event.id,
        now=NOW,
    )
    assert entry.title == title and entry.body
    assert dict(entry.data) == {
        "match_id": event.data.match_id,
        "request_id": event.data.request_id,
    }
    # What the member shares with the supporter is for the app to show, not a preview.
    assert "shared_topics" not in entry.data
    doc = inbox_doc(entry)
    assert (doc["_id"], doc["member_id"], doc["kind"], doc["read"]) == (
        "e1",
        "seeker",
        "match.proposed",
        False,
    )
    assert doc["source_event_id"] == event.id and doc["urgency"] == "normal"
