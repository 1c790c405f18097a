"""The phrase list: what must trigger, what must not, and why (see kindred.safety.phrases)."""

import time

import pytest

from kindred.safety.phrases import (
    IDIOMS,
    PATTERNS,
    Category,
    Level,
    assess,
    normalize,
    normalized_text,
    scan,
)

PLAN = Level.PLAN
INTENT = Level.INTENT

# (note, level): every one of these must be found at (at least) this level.
POSITIVE = [
    # the brief's required examples
    ("I am going to hurt myself tonight", PLAN),
    ("I don't want to kill myself but I have the pills ready", PLAN),
    ("I've thought about how I'd do it, I have a plan", PLAN),
    # intent with time, means or preparation
    ("I'm going to kill myself tonight", PLAN),
    ("i want to die today", PLAN),
    ("Going to end my life this weekend", PLAN),
    ("I will end it all after everyone's asleep", PLAN),
    ("I want to kill myself and I have a gun", PLAN),
    ("i want to die. i have been saving up my pills", PLAN),
    # method on its own
    ("I keep thinking I should hang myself", PLAN),
    ("thinking about jumping off the bridge", PLAN),
    ("I could just take all my pills", PLAN),
    ("I'm going to slit my wrists", PLAN),
    ("last night I cut myself too deep", PLAN),
    ("I want to overdose", PLAN),
    ("I'll step in front of a train", PLAN),
    # plan on its own
    ("I have a plan.", PLAN),
    ("I've written a note for my family", PLAN),
    ("I said goodbye to everyone", PLAN),
    ("I'm giving away my things", PLAN),
    ("I looked up the lethal dose", PLAN),
    ("Been putting my affairs in order", PLAN),
    # means with a (negated) self-harm context, lethal means with time
    ("I'm not going to kill myself, I just keep looking at the knife", PLAN),
    ("Got the rope. Tonight.", PLAN),
    ("I bought a rope and I've been looking up how", PLAN),
    # negation that does not hold
    ("I'm not sure I won't hurt myself", INTENT),
    ("I can\u2019t promise I won\u2019t hurt myself", INTENT),
    ("I never said I wouldn't kill myself", INTENT),
    ("I'm not going to not kill myself", INTENT),
    ("I don't think I will hurt myself, I don't know", INTENT),
    ("I can't stop thinking about killing myself", INTENT),
    ("I'm not ok I want to die", INTENT),
    ("I'm not sleeping and I want to die", INTENT),
    ("I no longer want to live", INTENT),
    ("What if I just ended my life", INTENT),
    # intent alone
    ("I want to kill myself", INTENT),
    ("KILL MYSELF", INTENT),
    ("ugh kms", INTENT),
    ("I want to kill my self", INTENT),
    ("I feel suicidal", INTENT),
    ("everyone would be better off without me", INTENT),
    ("I don\u2019t want to be alive anymore", INTENT),
    ("i dont want to be here anymore", INTENT),
    ("I'm better off dead", INTENT),
    ("Nobody would care if I died", INTENT),
    ("there's no reason to live", INTENT),
    ("I want to go to sleep and never wake up", INTENT),
    ("I've been hurting myself again", INTENT),
    ("I'm going to unalive myself", INTENT),
    ("thinking about sewer slide", INTENT),
    ("I wanna diee", INTENT),
    ("I want to killlll myself", INTENT),
    ("I can't go on like this", INTENT),
    ("I wish I was dead", INTENT),
    ("I  want   to    die", INTENT),
    ("i want to die…", INTENT),
    # others, the past, in general: a human looks too
    ("my friend tried to kill himself", INTENT),
    ("I lost my dad to suicide", INTENT),
    ("my brother overdosed last year", INTENT),
    ("someone at school told me to kys", INTENT),
    ("I tried to kill myself two years ago", INTENT),
]

# Notes that must give no level at all.
NEGATIVE = [
    # the brief's required examples
    "I am not going to hurt myself",
    "I would never end my life",
    "killing it at work today",
    "this traffic is killing me",
    # negations
    "I'm not suicidal",
    "I have never wanted to kill myself",
    "I have no intention of ending my life",
    "I don't want to die",
    "I\u2019m not going to kill myself tonight",
    "No, I won't hurt myself",
    "I would never hurt myself",
    "I refuse to hurt myself",
    "no thoughts of hurting myself",
    "I don't have a plan",
    "I haven't written a note",
    "I don't think about killing myself anymore",
    "I don't want to die, I am going to the party tonight",
    # idioms and everyday language
    "my feet are killing me",
    "I nearly died laughing",
    "she will kill me if I'm late",
    "my boss is going to kill me",
    "I'm dying to see the new film",
    "that cake was to die for",
    "I'm dead tired",
    "I'm killing myself laughing",
    "I'm killing myself at the gym",
    "I cut myself shaving",
    "I accidentally cut myself cooking",
    "hurt myself at the gym yesterday",
    "quitting would be career suicide",
    "we watched Suicide Squad",
    "I really shot myself in the foot there",
    "I'm taking my life back",
    "hang in there",
    "shoot me a text",
    # everyday means, time and plans
    "I took my pills today",
    "I need to pick up my meds tomorrow",
    "I have the presentation ready for tomorrow",
    "I have a plan for the weekend",
    "I said goodbye to my mum at the airport",
    "I wrote a note to my landlord",
    "I gave away my old clothes",
    "we set a date for the wedding",
    "the rope swing at the lake",
    "learning the ropes at my new job",
    "I'm exhausted",
    "great day, feeling hopeful",
    # English only: other languages get no hits (the instruments still apply)
    "quiero morir esta noche",
    "je veux mourir",
    "ich will nicht mehr leben",
    "",
    "   ",
]


@pytest.mark.parametrize(("note", "expected"), POSITIVE)
def test_a_positive_example_is_found(note: str, expected: Level) -> None:
    found = assess(note).level
    assert found is not None, note
    if expected is PLAN:
        assert found is PLAN, note


@pytest.mark.parametrize("note", NEGATIVE)
def test_a_negative_example_is_not_found(note: str) -> None:
    assert assess(note).level is None, (note, assess(note).hits)


def test_the_tables_are_large_enough() -> None:
    assert len(POSITIVE) >= 40
    assert len(NEGATIVE) >= 40


@pytest.mark.parametrize(
    ("note", "level"),
    [
        # intent alone is high, not urgent
        ("I want to kill myself", INTENT),
        ("my friend tried to kill himself", INTENT),
        ("I'm going to kill myself tonight", PLAN),
    ],
)
def test_levels_are_exact(note: str, level: Level) -> None:
    assert assess(note).level is level


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("I\u2019m NOT okay", "i am not okay"),
        ("I\u2018m", "i am"),
        ("im done", "i am done"),
        ("don't dont won't wont can't cant", "do not do not will not will not can not can not"),
        ("wouldn\u2019t", "would not"),
        ("I'd do it", "i would do it"),
        ("I've", "i have"),
        ("gonna wanna", "going to want to"),
        ("kms", "kill myself"),
        ("kill my self", "kill myself"),
        ("after everyone's asleep", "after everyone is asleep"),
        ("self-harm", "self harm"),
        ("a,b.c;d!e?f", "a | b | c | d | e | f"),
        ("so   many\t\tspaces\n\nhere", "so many spaces | here"),
        ("sooooo", "soo"),
        ("\uff26\uff35\uff2c\uff2c width", "full width"),
        ("I'm fine — really", "i am fine | really"),
    ],
)
def test_normalisation(text: str, normal: str) -> None:
    assert normalized_text(text) == normal


def test_segments_split_at_punctuation() -> None:
    assert normalize("one, two. three") == [["one"], ["two"], ["three"]]


def test_a_phrase_never_spans_two_segments() -> None:
    # "kill" and "myself" on both sides of a full stop are not the phrase
    assert assess("I could kill. Myself, I'm fine").level is None


@pytest.mark.parametrize(
    ("note", "negated"),
    [
        ("I am not going to hurt myself", True),
        ("I would never hurt myself", True),
        ("I have no intention of hurting myself", True),
        ("I will not, I am going to hurt myself", False),  # the comma ends the scope
        ("I don't sleep but I want to hurt myself", False),  # "but" ends the scope
        ("not now I want to hurt myself", False),  # a new "i" ends the scope
        ("I'm not going to not hurt myself", False),  # double negation
        ("I'm not sure I won't hurt myself", False),  # a hedge
        ("I don't think I will hurt myself", False),  # a hedged denial: a human looks
        ("no one would stop me if I hurt myself", False),  # pseudo-negation
        ("I can't stop wanting to hurt myself", False),  # pseudo-negation
        ("not that I ever would, I mean I would never ever in my life hurt myself", True),
    ],
)
def test_negation(note: str, negated: bool) -> None:
    hits = [h for h in scan(note) if h.pattern == "intent.self_harm"]
    assert hits, note
    assert hits[-1].negated is negated


def test_negation_reaches_six_words_back_and_no_further() -> None:
    near = "not a b c d e hurt myself"
    far = "not a b c d e f hurt myself"
    assert [h.negated for h in scan(near)] == [True]
    assert [h.negated for h in scan(far)] == [False]


def test_a_negated_intent_still_gives_context_to_means() -> None:
    finding = assess("I don't want to kill myself but I have the pills ready")
    assert finding.level is PLAN
    assert Category.INTENT not in finding.categories  # it was negated
    assert {Category.MEANS, Category.PREPARATION} <= finding.categories


def test_everyday_means_with_a_time_alone_do_not_trigger() -> None:
    assert assess("took my pills today").level is None
    # with any self-harm context they do
    assert assess("took my pills today, I would never hurt myself").level is PLAN


@pytest.mark.parametrize(
    "text",
    [
        "I have the pills and I will take them tonight",
        "going to take the tablets tonight",
        "I'll swallow them all tomorrow",
    ],
)
def test_everyday_means_to_be_used_at_a_time_reach_a_human(text: str) -> None:
    # Often medication, but a human looks (high): a miss costs more than a false alarm.
    assert assess(text).level is INTENT


@pytest.mark.parametrize(
    "text",
    [
        "I took my pills today",
        "I need to pick up my meds tomorrow",
        "not going to take them tonight",
    ],
)
def test_past_use_errands_and_refusals_of_everyday_means_stay_silent(text: str) -> None:
    assert assess(text).level is None


def test_a_mention_with_means_stays_high() -> None:
    assert assess("my brother overdosed on pills").level is INTENT


def test_two_different_preparations_are_a_plan() -> None:
    assert assess("I've been looking up how. I have the car ready").level is PLAN
    assert assess("I've been looking up how").level is None
    assert assess("I have the car ready").level is None


def test_everyday_means_with_preparation_are_a_plan() -> None:
    assert assess("I have the pills saved").level is PLAN
    assert assess("I've been stockpiling my meds").level is PLAN


def test_hits_carry_the_pattern_and_category_never_the_words() -> None:
    hits = scan("I'm going to kill myself tonight")
    assert [(h.pattern, h.category, h.negated) for h in hits] == [
        ("intent.kill_myself", Category.INTENT, False),
        ("time.cue", Category.TIME, False),
    ]
    for hit in hits:
        assert "myself" not in repr(hit).lower().replace("kill_myself", "")
        assert "tonight" not in repr(hit).lower()


def test_hits_are_not_repeated() -> None:
    hits = scan("kill myself. kill myself. kill myself")
    assert len(hits) == 1


def test_pattern_names_are_unique_and_categorised() -> None:
    names = [p.name for p in PATTERNS]
    assert len(names) == len(set(names))
    for pattern in PATTERNS:
        assert pattern.name.split(".")[0] in {
            "intent",
            "mention",
            "method",
            "means",
            "time",
            "plan",
            "preparation",
        }
    assert IDIOMS


def test_every_category_is_used() -> None:
    assert {p.category for p in PATTERNS} == set(Category)


def test_a_long_note_is_scanned_quickly() -> None:
    note = ("I am not sure what to say about today, " * 60)[:2000]
    start = time.perf_counter()
    assess(note)
    assert time.perf_counter() - start < 0.5
