"""Self-harm intent and plan, method and time language in a check-in's free text.

A maintained phrase list and fixed rules, never a similarity model: every decision can be read,
tested and explained. English only: text in another language gets no hits (the structured
instruments still apply). The rules can miss; they are one safety net of several.

How a note is read:

1. Normalised: Unicode NFKC, lower case, curly apostrophes made straight, contractions spelled
   out ("i'm"/"im" -> "i am", "don't"/"dont" -> "do not", "won't" -> "will not", "gonna" ->
   "going to"), a few spellings and abbreviations mapped ("kms" -> "kill myself", "kill my self"
   -> "kill myself", "sewer slide" -> "suicide", "unalive" -> "kill"), letters repeated three
   times or more cut to two, white space collapsed.
2. Cut into segments at punctuation: . ! ? ; : , new lines, brackets, dashes and ellipses. A
   phrase never spans two segments.
3. Each pattern of the table below is looked for in each segment. A hit has a category:
   - intent: first-person suicidal or self-harm intent or ideation ("kill myself", "end my life",
     "better off dead", "don't want to be alive anymore", "hurt myself", "feeling suicidal").
   - mention: suicide or self-harm of someone else, in general or in the past ("my friend tried
     to kill himself", "lost my dad to suicide", "overdosed"). Someone bereaved by suicide or
     told to "kys" is at risk too: a mention is not ignored.
   - method: a self-directed method, alarming on its own ("hang myself", "jump off a bridge",
     "take all my pills", "cut myself deeply", "going to overdose").
   - lethal_means: a lethal means named without an act ("rope", "gun", "train tracks").
   - means: an everyday object that can be a means ("pills", "meds", "knife", "razor").
   - time: "tonight", "today", "this weekend", "after everyone's asleep", "on Friday" ...
   - plan: plan language, alarming on its own ("I have a plan", "I've written a note for my
     family", "said goodbye to everyone", "giving away my things", "looked up the lethal dose").
   - preparation: weaker plan language that counts only in company ("I have the pills ready",
     "stockpiling my meds", "bought a rope").
4. Negation, NegEx style: a hit is negated when a negation cue ("not", "never", "no", "no
   intention", "won't", "wouldn't", "refuse to" ...) stands at most six words before it in its
   scope. A scope ends at a segment boundary, at a conjunction ("but", "and", "so", "because",
   "though", "however", "then" ...) and at a new first-person subject ("i"), so "I'm not okay I
   want to die" is not negated. Pseudo-negations are not cues ("no longer", "no one", "not
   sure", "can't stop", "couldn't help"). An even number of cues cancels out ("I'm not going to
   not do it"). A hedge anywhere earlier in the clause removes the negation: "not sure",
   "don't know if", "can't promise", "never said I", "don't think I", "might", "maybe",
   "scared", "worried", "afraid", "what if" ("I'm not sure I won't hurt myself" triggers). A
   negation after the phrase is not looked for ("hurt myself? never.") - it errs on triggering.
5. Idioms are removed first ("killing myself laughing", "cut myself shaving", "hurt myself at the
   gym", "career suicide", "shoot myself in the foot"); phrases such as "this is killing me" or
   "killing it at work" match no pattern at all.

Levels (un-negated hits only, except where "even negated" is said):
- PLAN (the `free_text_plan` trigger, urgent): a plan or method hit; intent together with time,
  means or preparation; means (either kind) together with a first-person intent or method hit,
  even negated ("I don't want to kill myself but I have the pills ready"), or with preparation;
  lethal means together with time ("got the rope, tonight"); two different preparation hits, or
  preparation with a first-person intent or method hit, even negated.
- INTENT (the `free_text_intent` trigger, high): any other intent or mention hit.
- None otherwise. Everyday means with a time alone ("took my pills today") do not trigger: they
  are too common in check-ins about illness and recovery to mean anything on their own.

A hit records the pattern's stable name and its category, never the words that matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    INTENT = "intent"
    MENTION = "mention"
    METHOD = "method"
    LETHAL_MEANS = "lethal_means"
    MEANS = "means"
    TIME = "time"
    PLAN = "plan"
    PREPARATION = "preparation"


class Level(StrEnum):
    """How alarming a note is: `plan` leads to an urgent trigger, `intent` to a high one."""

    PLAN = "plan"
    INTENT = "intent"


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A pattern found in a note. Never the matched words: they stay with the note."""

    pattern: str
    category: Category
    negated: bool


@dataclass(frozen=True, slots=True)
class TextFinding:
    level: Level | None
    hits: tuple[PhraseHit, ...]

    @property
    def categories(self) -> frozenset[Category]:
        """The categories of the hits that are not negated."""
        return frozenset(hit.category for hit in self.hits if not hit.negated)


# --- normalisation -------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u201b\u2032\u02bc\u0060\u00b4\uff07"})
_BOUNDARY = "|"

# Applied in order, on lower-case text with straight apostrophes.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # Hyphens inside words ("self-harm") become spaces; dashes between words end a segment.
        (r"(?<=[a-z])-(?=[a-z])", " "),
        (r"\s[-\u2013\u2014]+\s|[\u2013\u2014]|\s-{2,}\s?", " | "),
        # Negative contractions, with or without the apostrophe.
        (r"\bwon'?t\b", "will not"),
        (r"\bcan'?t\b|\bcannot\b", "can not"),
        (r"\bshan'?t\b", "shall not"),
        (r"\bain'?t\b", "am not"),
        (r"\b(\w+)n't\b", r"\1 not"),
        (
            r"\b(do|does|did|is|are|was|were|have|has|had|would|could|should|must|need|might)"
            r"nt\b",
            r"\1 not",
        ),
        # First person.
        (r"\bi'?m\b", "i am"),
        (r"\bi'?ve\b", "i have"),
        (r"\bi'll\b", "i will"),
        (r"\bi'?d\b", "i would"),
        (r"'re\b", " are"),
        (r"'ve\b", " have"),
        (r"'ll\b", " will"),
        (r"'d\b", " would"),
        (
            r"\b(it|that|there|what|everyone|everybody|someone|somebody|he|she|who|nobody)'?s\b",
            r"\1 is",
        ),
        (r"'s\b", ""),
        (r"\bgonna\b", "going to"),
        (r"\bwanna\b", "want to"),
        (r"\bgotta\b", "got to"),
        (r"\btryna\b", "trying to"),
        (r"\bu\b", "you"),
        # Abbreviations and spellings.
        (r"\bkms\b", "kill myself"),
        (r"\bkys\b", "kill yourself"),
        (r"\bmy ?(?:self|slef|sefl|selfe)\b|\bmyslef\b|\bmysef\b", "myself"),
        (r"\bun ?alive\b", "kill"),
        (r"\bun ?alived\b", "killed"),
        (r"\bun ?aliving\b", "killing"),
        (r"\bsewer ?slide\b|\bsu(?:icde|cide|iside|acide|icdie|icid)\b", "suicide"),
        (r"\bsu(?:icdal|cidal|isidal|icidle)\b", "suicidal"),
        (r"\bod(?:'?d|ed)?\b", "overdose"),
        (r"\bto ?nite\b|\b2 ?nite\b|\btonite\b", "tonight"),
        (r"\btmrw\b|\btmr\b|\btomorow\b|\btommorow\b|\btommorrow\b", "tomorrow"),
        (r"\bwrist\b", "wrists"),
        (r"\bdi+e{2,}\b", "die"),
        (r"\bkil\b", "kill"),
        # Letters repeated three times or more: "killlll" -> "kill".
        (r"([a-z])\1{2,}", r"\1\1"),
        # Segment boundaries and the rest of the punctuation.
        (r"[.!?;:,\n\r\u2026()\[\]{}\"\u201c\u201d/]+", " | "),
        (r"[^a-z0-9| ]+", " "),
    )
)


def normalize(text: str) -> list[list[str]]:
    """The note as segments of words, after the rewrites described above."""
    value = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    for pattern, replacement in _REWRITES:
        value = pattern.sub(replacement, value)
    return [words for part in value.split(_BOUNDARY) if (words := part.split())]


def normalized_text(text: str) -> str:
    """The normalised note as one string, segments joined by ' | ' (for tests and debugging)."""
    return " | ".join(" ".join(words) for words in normalize(text))


# --- the phrase table ----------------------------------------------------------------------

_KIN = (
    r"(?:family|kids|children|parents|wife|husband|partner|mum|mom|dad|mother|father|son|"
    r"daughter|friends|loved ones|sister|brother|girlfriend|boyfriend)"
)
_PILLS = (
    r"(?:pills|tablets|meds|medication|medicine|painkillers|sleeping pills|paracetamol|"
    r"tylenol|acetaminophen|ibuprofen|insulin)"
)
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_END = r"(?= *$)"  # at the end of the segment


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    category: Category
    regex: re.Pattern[str]


def _p(name: str, category: Category, regex: str) -> Pattern:
    return Pattern(name, category, re.compile(rf"(?<![a-z0-9])(?:{regex})(?![a-z0-9])"))


INT, MEN, ME, LM, MS, T, PL, PR = (
    Category.INTENT,
    Category.MENTION,
    Category.METHOD,
    Category.LETHAL_MEANS,
    Category.MEANS,
    Category.TIME,
    Category.PLAN,
    Category.PREPARATION,
)

PATTERNS: tuple[Pattern, ...] = (
    # intent
    _p("intent.kill_myself", INT, r"kill(?:s|ed|ing)? myself"),
    _p("intent.end_my_life", INT, r"(?:end|ends|ending|ended) (?:my|my own) life"),
    _p("intent.take_my_life", INT, r"(?:take|taking|took|taken) my (?:own )?life(?! back)"),
    _p(
        "intent.end_it",
        INT,
        r"end(?:ing)? (?:it all|everything)|"
        r"(?:want|wanted|going|ready|plan|planning|decided|about) to end (?:it|things)(?! with)",
    ),
    _p(
        "intent.suicidal",
        INT,
        r"(?:commit|committing|attempt|attempting) suicide|"
        r"(?:am|feel|feeling|felt|been|getting|get|was|become|becoming|so|very|really) "
        r"(?:so |really |very |quite |a bit |kind of |pretty |extremely |super )?suicidal|"
        r"suicidal (?:thoughts|feelings|urges|ideation|again|thinking)|"
        r"(?:thoughts|thinking|think|thought|dreaming|fantasi[sz]ing) (?:of|about) "
        r"(?:suicide|dying|death|being dead|not being here|not existing)",
    ),
    _p(
        "intent.want_to_die",
        INT,
        r"(?:want|wanted|wanting|wish|ready|plan|planning|deserve|need) to die"
        r"(?! (?:of|from|laughing|for|with|when))|"
        r"(?:wish|wished) i (?:was|were|could be|would be|could just be) dead|"
        r"(?:rather|better off|want to|wanna|wish to) be dead|better off dead|"
        r"(?:wish|wished) i (?:was|were|had) never (?:been )?born|"
        r"(?:be|are|is|would be) better off without me|"
        r"(?:nobody|no one|noone) would (?:care|notice|miss me) if i (?:died|was gone|"
        r"were gone|was dead|were dead|disappeared|was not here|were not here)",
    ),
    _p(
        "intent.not_alive",
        INT,
        r"(?:not|no longer) (?:really |even )?want to (?:be alive|"
        r"live(?! (?:with|in|at|like|there|here|near|alone|together|on|by|through|abroad))|"
        r"exist|be here any ?more|wake up|go on|be around any ?more|keep living|keep going)|"
        r"(?:no|not any) (?:reason|point) (?:to|in|of) (?:live|living|going on|being alive|"
        r"be alive|life)|nothing (?:left )?to live for|"
        rf"can not (?:go on|keep going|do this) any ?more|can not go on(?: like this)?{_END}|"
        r"(?:go to sleep|fall asleep|sleep) and (?:not|never) wake up|never wake up|"
        r"want (?:it all|everything|my life) to (?:end|stop)|sleep forever|"
        r"disappear forever|not be alive any ?more",
    ),
    _p(
        "intent.self_harm",
        INT,
        r"(?:hurt|hurts|hurting|harm|harming|harmed|injure|injuring|injured|punish|"
        r"punishing) myself|self (?:harm|harming|harmed|injury|injuring|injure)|"
        r"(?:cut|cuts|cutting|burn|burning|burned|burnt|starve|starving) myself",
    ),
    # mention (others, the past, in general)
    _p(
        "mention.others",
        MEN,
        r"kill(?:s|ed|ing)? (?:himself|herself|themselves|themself|yourself|yourselves)|"
        r"(?:took|take|taken|taking|end|ended|ending) (?:his|her|their|your) (?:own )?life|"
        r"hanged (?:himself|herself|themselves)|hung (?:himself|herself|themselves)",
    ),
    _p("mention.suicide", MEN, r"suicide|suicides|suicidal"),
    _p("mention.overdose", MEN, r"overdose|overdosed|overdoses|overdosing"),
    # method (self-directed)
    _p("method.hang", ME, r"(?:hang|hanging|hanged|hung) myself"),
    _p("method.shoot", ME, r"(?:shoot|shooting|shot) myself(?! in the foot)"),
    _p(
        "method.overdose",
        ME,
        r"(?:to|will|could|might|should|thinking of|thinking about|planning|plan) overdos"
        r"(?:e|ing)|overdos(?:e|ing) on purpose|"
        r"(?:take|taking|took|swallow|swallowing|swallowed|down|downing) (?:all|every one|"
        r"a (?:bottle|handful|box|pack|packet|load)|the (?:whole|entire) (?:bottle|box|pack|"
        rf"packet)|enough|a lot) (?:of )?(?:my |the |those |these |them )?{_PILLS}",
    ),
    _p(
        "method.jump",
        ME,
        r"(?:jump|jumping|leap|leaping|throw myself|throwing myself|step|stepping|walk|walking"
        r"|lie|lying) (?:off|from|in front of|under|onto) (?:a|the|that|this|my) (?:\w+ )?"
        r"(?:bridge|building|roof|rooftop|cliff|balcony|tower|train|trains|bus|car|truck|lorry|"
        r"window|ledge|overpass|car park|parking garage|tracks|railway|motorway|highway)",
    ),
    _p(
        "method.wrists",
        ME,
        r"(?:slit|slitting|cut|cutting|slash|slashing|open|opening) (?:my )?wrists|"
        r"cut(?:ting)? (?:myself )?(?:deep|deeply|too deep|deeper)|bleed(?:ing)? out",
    ),
    _p(
        "method.other",
        ME,
        r"(?:drown|drowning|poison|poisoning|gas|gassing|suffocate|suffocating|strangle|"
        r"strangling|electrocute|electrocuting|set fire to|burn) myself|"
        r"(?:drive|driving|crash|crashing|steer|steering) (?:my car |the car )?(?:off|into) "
        r"(?:a|the) (?:cliff|bridge|wall|tree|river|lake|sea|oncoming)|"
        r"crash (?:my|the) car on purpose",
    ),
    # lethal means, everyday means
    _p(
        "means.lethal",
        LM,
        r"rope|noose|guns?|firearms?|pistol|rifle|shotgun|handgun|bullets?|train tracks|"
        r"railway (?:line|tracks)|bridge|cliff|ledge|rooftop|carbon monoxide|ligature",
    ),
    _p("means.everyday", MS, rf"{_PILLS}|knife|knives|blades?|razors?|razor blades?|bleach"),
    # Using them soon: only counts with everyday means and a time (see `level`).
    _p(
        "means.use_soon",
        MS,
        r"(?:will|'ll|going to|gonna|about to|plan to|planning to) "
        r"(?:take|swallow|down|use) (?:them|it|all|the|my|those|these)",
    ),
    # time
    _p(
        "time.cue",
        T,
        r"tonight|today|tomorrow|this (?:weekend|week|evening|afternoon|morning)|right now|"
        r"(?:very |really )?soon|"
        r"(?:in|within) (?:a|an|one|two|three|a few|a couple of|a couple|\d+) "
        r"(?:hours?|days?|minutes?)|"
        r"(?:after|when|once|before) (?:every ?one|every ?body|they|the kids|my \w+) "
        r"(?:is |are |goes |go |has |have |gets |get |falls |fall )?(?:asleep|to sleep|to bed|"
        r"gone|leaves|leave|left|out|away)|"
        rf"at midnight|by (?:the end of )?(?:tonight|tomorrow|the weekend|the week|{_DAYS})|"
        rf"(?:on|this|next|by) {_DAYS}|on my birthday|before (?:the )?(?:morning|sunrise|dawn)",
    ),
    # plan
    _p(
        "plan.have_a_plan",
        PL,
        rf"(?:have|got|made|make|making|worked out|figured out|came up with|come up with) "
        rf"(?:a |the |my )?plan{_END}|"
        r"(?:have|got|made|making) (?:a |the |my )?plan (?:to|for|of) (?:do it|end it|die|"
        r"dying|kill|how|when|where)|"
        r"(?:have|got|made) (?:a |my )?(?:suicide )?plan(?: all)? (?:worked out|ready|sorted)|"
        r"suicide plan",
    ),
    _p(
        "plan.note",
        PL,
        r"(?:suicide|goodbye|farewell) (?:note|letter|message|video)s?|"
        r"(?:wrote|written|writing|write|left|leaving|leave) (?:a|my|the) (?:note|letter)s?"
        rf"(?:{_END}| (?:for|to) (?:everyone|everybody|them|my {_KIN}){_END})",
    ),
    _p(
        "plan.goodbye",
        PL,
        r"(?:said|saying|say) my goodbyes|"
        r"(?:said|saying|say) goodbye to (?:everyone|everybody|the world|this world)|"
        rf"(?:said|saying|say) goodbye to my (?:family|kids|children|loved ones|friends){_END}",
    ),
    _p(
        "plan.giving_away",
        PL,
        r"(?:giving|give|gave|given) away (?:all )?(?:of )?(?:my|all my) "
        r"(?:things|stuff|belongings|possessions)",
    ),
    _p("plan.affairs", PL, r"(?:put|putting|get|getting|got) my affairs in order"),
    _p(
        "plan.how",
        PL,
        r"(?:thought|thinking|think|planned|planning|figured|worked) (?:out |about )?"
        rf"(?:exactly )?how (?:i would|i will|i am going to|i could|to) (?:do it|end it){_END}|"
        r"(?:know|decided|chosen|chose|picked) (?:how|when|where) (?:i will|i am going to|"
        r"i would|to) (?:do it|end it)|"
        r"(?:picked|chosen|chose|set|decided on) (?:a|the) (?:date|day|time|place|spot|way) "
        r"(?:to|for) (?:do it|end it|die)|"
        r"(?:lethal|fatal|deadly) dose|how many \w+ (?:it takes|would kill|to die|to kill)",
    ),
    # preparation (counts only in company)
    _p(
        "preparation.ready",
        PR,
        r"(?:have|got|has|had|getting|get) (?:the|my|some|enough|all the|all my|a) "
        r"(?:\w+ ){0,2}(?:ready|saved|saved up|stored|stockpiled|hidden|lined up)|"
        r"(?:saving|saved|stockpiling|stockpiled|hoarding|hoarded|collecting|collected) "
        rf"(?:up )?(?:my |the |some |all my )?{_PILLS}|"
        r"(?:bought|buying|buy|ordered|order|found|find) (?:a|some|the) (?:rope|gun|noose|"
        r"blades|razor blades)",
    ),
    _p(
        "preparation.research",
        PR,
        r"(?:looked|looking|look|searched|searching|googled|googling|researched|researching) "
        r"(?:up )?(?:how|ways|methods)",
    ),
)

# Idioms: a hit inside one of these spans is dropped.
IDIOMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(rf"(?<![a-z0-9])(?:{regex})(?![a-z0-9])")
    for regex in (
        r"(?<!about )(?<!of )killing myself (?:laughing|at (?:work|the gym)|working|with work|"
        r"over (?:this|that) (?:project|essay|assignment|homework)|"
        r"to (?:finish|get|make|meet|keep|pay))",
        r"kill(?:ed)? myself laughing",
        r"(?:accidentally|nearly|almost) (?:cut|hurt|burned|burnt|injured) myself",
        r"(?:cut|hurt|burned|burnt|injured|harmed) myself (?:shaving|cooking|chopping|"
        r"by accident|accidentally|while (?:cooking|shaving|gardening|working)|on (?:a|the|some)|"
        r"at (?:the gym|work|football|training)|playing|running|lifting|working out|"
        r"exercising|skiing|falling|in (?:a|the) (?:fall|gym|accident))",
        r"(?:career|political|social|financial|commercial) suicide",
        r"suicide (?:squad|doors?|sprints?|runs?|drills?|blonde|bid)",
        r"shoot myself in the foot",
        r"(?:take|taking|took|taken) my life back",
        r"(?:to|could|would|will) die for(?! (?:it|this))",
        r"die (?:of|from) (?:embarrassment|boredom|laughter|laughing|shame|cuteness|hunger)",
        r"dying (?:to|of) (?:see|know|try|meet|go|laughter|laughing|embarrassment|boredom)",
    )
)

# --- negation ------------------------------------------------------------------------------

WINDOW = 6  # words a negation cue may stand before a phrase

# Words that end a negation's scope within a segment.
_TERMINATORS = frozenset(
    {
        "but",
        "and",
        "so",
        "because",
        "cause",
        "cos",
        "though",
        "although",
        "however",
        "yet",
        "except",
        "unless",
        "then",
        "i",
    }
)
# A hedge ends the scope too, but crosses "i": it is looked for in the whole clause.
_CLAUSE_TERMINATORS = _TERMINATORS - {"i"}

_NEGATION = re.compile(
    r"(?<![a-z0-9])(?:not|never|no|nor|neither|without|refuse to|refused to|refusing to)"
    r"(?![a-z0-9])"
)
_PSEUDO_NEGATION = re.compile(
    r"(?<![a-z0-9])(?:not sure|not certain|no longer|no one|no matter|no more|not only|"
    r"not just|no way out|not even sure|(?:not|never) (?:stop|stopped|help|helped|shake|"
    r"get rid of|get over|go away|leave))(?![a-z0-9])"
)
_HEDGE = re.compile(
    r"(?<![a-z0-9])(?:not sure|not certain|unsure|(?:do|does|did) not know (?:if|whether|how "
    r"long|what)|(?:can|could|would) not (?:promise|guarantee|say)|"
    r"(?:not|never) (?:say|said|saying|promise|promised|guarantee|swear|think|thought|mean|"
    r"meant|know|knew) (?:that )?i|"
    r"might|maybe|perhaps|afraid|scared|worried|worry|frightened|terrified|tempted|"
    r"(?:do|can) not trust myself|what if)(?![a-z0-9])"
)


def _negated(before: list[str]) -> bool:
    """NegEx: is a phrase preceded by these words (of its segment) negated?"""
    clause_start = max(
        (index + 1 for index, word in enumerate(before) if word in _CLAUSE_TERMINATORS),
        default=0,
    )
    clause = " ".join(before[clause_start:])
    if _HEDGE.search(clause):
        return False
    scope_start = max(
        (index + 1 for index, word in enumerate(before) if word in _TERMINATORS), default=0
    )
    scope = " ".join(before[max(scope_start, len(before) - WINDOW) :])
    cues = len(_NEGATION.findall(_PSEUDO_NEGATION.sub(" ", scope)))
    return cues % 2 == 1


# --- scanning and levels -------------------------------------------------------------------


def scan(text: str) -> tuple[PhraseHit, ...]:
    """Every pattern found in the note, in order, without repeats."""
    hits: dict[PhraseHit, None] = {}
    for words in normalize(text):
        segment = " ".join(words)
        idioms = [m.span() for idiom in IDIOMS for m in idiom.finditer(segment)]
        for pattern in PATTERNS:
            for match in pattern.regex.finditer(segment):
                start, end = match.span()
                if any(a <= start and end <= b for a, b in idioms):
                    continue
                before = segment[:start].split()
                hits[PhraseHit(pattern.name, pattern.category, _negated(before))] = None
    return tuple(hits)


_SELF = frozenset({Category.INTENT, Category.METHOD})


def level(hits: tuple[PhraseHit, ...]) -> Level | None:
    """The level the rules give these hits (see the module's documentation)."""
    live = {hit.category for hit in hits if not hit.negated}
    self_context = any(hit.category in _SELF for hit in hits)  # negated or not
    preparations = {h.pattern for h in hits if not h.negated and h.category is PR}
    means = MS in live or LM in live
    if (
        PL in live
        or ME in live
        or (INT in live and (T in live or means or PR in live))
        or (means and (self_context or PR in live))
        or (LM in live and T in live)
        or len(preparations) >= 2
        or bool(preparations and self_context)
    ):
        return Level.PLAN
    # Everyday means to be taken or used at a time ("I have the pills and I will take them
    # tonight"): often medication, but a human should look (high, not urgent); a miss costs
    # more. Past use ("took my pills today") and errands ("pick up my meds") stay silent.
    soon = any(h.pattern == "means.use_soon" and not h.negated for h in hits)
    if INT in live or MEN in live or (MS in live and T in live and soon):
        return Level.INTENT
    return None


def assess(text: str) -> TextFinding:
    """Scan a note and grade it. Empty text gives no hits and no level."""
    hits = scan(text) if text else ()
    return TextFinding(level(hits), hits)
