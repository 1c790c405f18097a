"""Crisis language in a check-in's free text: published warning-sign categories, read in context.

A maintained phrase table and fixed rules, never a similarity model: every decision can be read,
tested and explained. English only: text in another language gets no hits (the structured
instruments still apply). The rules can miss; they are one safety net of several.

The categories follow the 988 Lifeline / AFSP / NIMH warning signs and the Columbia (C-SSRS)
ideation ladder, each written as a family of patterns (not a list of examples):

- intent: wish to be dead ("wish i was dead", "hope i don't wake up", "want to disappear
  forever", "just want to be gone", "sleep forever 😴💀"), active thoughts ("kill myself",
  "suicidal", "thinking about ending it", a voice telling me to kill myself: a command
  hallucination is ideation) and intent ("i will end it", "going to do it and die", "by my own
  hand", "i will die tonight", "topping myself", "wouldn't mind if i faded out", "relieved if
  the doctor said i had months left", "hoping a bus takes me out", "jealous of people who get to
  die young", "being dead sounds peaceful", "might as well end it"). Slang and abbreviations
  are spelled out first (kms, unalive, ctb, sewerslide, idwtbh, "off myself", "self delete").
- self_harm: cutting, burning, hitting, scratching, urges and relapse ("feel like cutting",
  "hit myself until it bleeds", "got the blade out", "did a few").
- burden: being a burden, others better off or happier without me, nobody would miss me, "free
  of me", "get the life insurance when i'm gone", "not worth saving".
- trapped: no way out, unbearable pain, no reason to live, can't go on / can't take it anymore,
  no future, life not worth living, nothing left for me here, no place for me in this world.
- farewell: goodbyes in the note itself ("goodbye everyone", "this is my last check-in", "you
  won't hear from me again", "take care of my cat for me", "when i'm gone"); two different soft
  farewells together ("thank you for everything", "it's not your fault", a lone "goodbye").
- method: a self-directed method (hang, shoot, overdose, jump, slit, drown, crash the car), an
  actual attempt ("i overdosed yesterday"), a fixation on a means ("keep looking at the rope"),
  the quickest or painless way to die, standing on a ledge, asking whether a means would work
  or how many it takes ("mixing my meds with alcohol, would it work?": the question may stand
  in the segment after the means, across a comma), taking a whole bottle, a means that would
  hold or be quick ("a beam that's strong enough", "jumping off would be quickest", "which
  tablets work fastest"), "take everything i have with vodka", "sit here until i walk in".
- plan: "i have a plan", a chosen date, place or way, a lethal dose, a suicide or goodbye note,
  the last time alive with its time ("my last weekend alive", "won't see monday"), ending it
  with a time ("ending it later today"), a plan without suicide words ("know exactly how and
  where", "the what and the when", "wrote down step by step what im going to do").
- preparation: stockpiling, buying a means, researching doses or methods, writing a will or
  letters, giving things away, putting affairs in order, saying goodbye to everyone, rehoming
  a pet, arranging that someone is looked after, means gathered in quantity ("bought the
  pills, enough to do it", "got enough to not wake up", "the pills are counted"), "nice for
  whoever finds me", "made sure the dog has a new home".
- Company that counts only with the above: means (everyday: pills, knife, razor; lethal: rope,
  gun, noose), a place (walking to the bridge, driving to the cliffs), finality ("not coming
  back", "one last time", "i'm done", "it'll be over one way or another", "this ends tonight",
  "and then that's it", "sunday is the day"), time ("tonight", "on friday", "on my birthday"),
  resolve ("going to do it", "i've decided", "going through with it", "it's all planned for
  friday", "as soon as everyone's asleep tonight"), and weak preparation ("have it all ready",
  "deleted my accounts", "the plan is sorted", "just need to pick the night", "i know where the
  key is", "the pills, more than enough").
- mention: suicide, overdose or self-harm named as a topic, or of someone else ("kill himself").
- vague: crisis vocabulary the rules can neither confirm nor clear ("whats the point anymore",
  "tired of everything", "i give up", a lone 🔪 or 🪦).

How a note is read:

1. Normalised: Unicode NFKC, lower case, straight apostrophes, contractions spelled out ("im" ->
   "i am", "dont" -> "do not"), slang, texting and typos mapped ("kms" -> "kill myself",
   "unalive" -> "kill", "sewer slide" -> "suicide", "idwtbh" -> "i do not want to be here",
   "wanna" -> "want to", "wud" -> "would", "4 me" -> "for me", "endin" -> "ending", "k!ll",
   "su1c1de", "s*icide"), medicine names by their endings ("sertraline" -> "meds"), emoji named
   (🔪 knife, 💊 pills, 🔫 gun, 🪢 rope; 🪦 ⚰️ ☠️ 🩸 vague; 😞 😢 😭 💔 sad; three 💊 or more a
   handful), letters repeated three times or more cut to two, white space collapsed.
2. Cut into segments at punctuation; a comma, "?" or ":" is a soft boundary (a bare "no" after
   it answers the segment before: "suicidal? no"). A phrase never spans two segments.
3. Every pattern is looked for in every segment, and each hit is given a context (ConText):
   - negated: a negation cue before it in its scope ("not", "never", "no", "won't", "refuse
     to"), reached only over the words a negated verb phrase holds ("i have no intention of",
     "i would never", inverted "never would i", "not once have i"); a content word, a
     conjunction ("and", "but", "so", "because" ...) or a new "i" ends the scope, so "im not ok
     and i want to die" stays live. An even number of cues cancels out; pseudo-negations are no
     cues ("no one", "can't stop"); "no longer" negates a state ("i no longer feel suicidal")
     while "i no longer want to live" is a pattern of its own; "until now" undoes a negation; a
     hedge anywhere in the clause ("not sure", "can't promise", "don't think i", "maybe",
     "scared", "what if") removes it. After the phrase: "suicide is not an option", "ending it
     is something i would never do", "has never crossed my mind", "kill myself, never",
     "suicidal? no", "... but i wouldn't".
   - other: someone else is the experiencer (the nearest subject before a phrase that carries no
     "i", "me" or "my" is "he", "she", "they", "my brother" ...; "kill himself"; "wants to die"),
     or the phrase is someone else's words reported just before it ("bf texted me 'i won't be
     around'", "my brother said kms"), or a sign seen in someone else ("cuts on her arms").
   - topic: prevention, news, study or training in the segment ("suicide prevention 5k", "an
     article on suicide rates") for a phrase that names no one.
   - hypothetical: in the "if" part of a condition that says "ever" or comes with a protective
     act ("if i ever felt suicidal i'd call 988"). In the other part it is a conditional plan
     ("if nothing changes by friday im done").
   - past: a past anchor in its clause ("in 2019", "years ago", "used to", "when i was a teen",
     "back in college", "through most of uni", "spent my twenties") with nothing said of now
     ("again", "still", "now", "... and still am"), or a past verb next to it and a recovery
     statement in the note ("doing much better", "therapy saved me").
   - current: the member, now.
4. Idioms are removed first ("killing myself laughing", "cut myself shaving", "career suicide",
   "my knee pain is unbearable", "no way out of this meeting", "overdosed on chocolate"); "this
   commute is killing me", "dead tired" or "dying to see" match no pattern at all. A casual
   goodbye ("see you next week") drops the note's farewell and finality hits ("i'm done! see
   you next week"). A segment right after finality or resolve that says what "it" was ("...,
   the exams i mean", "..., the season finale") drops them, unless it names a means, a place, a
   plan or the member ("..., my life i mean"). At most eight matches of one pattern per segment
   are read in context (a repeated phrase adds nothing and stays fast).

Levels (from current hits, the whole note together):
- PLAN (the `free_text_plan` trigger, urgent): a method, plan or preparation; intent (or
  resolve with another sign) with a time, means, a place, finality, weak preparation or a
  condition; resolve and a time in one segment ("tonight im doing it"); readiness with a time
  and unclear vocabulary; a lethal place with a look down ("at the bridge. its quiet up here");
  finality with a time, a condition, a place or means; a place with intent, finality, a
  farewell, burden or feeling trapped; farewell, burden, trapped or self-harm with lethal
  means or a place; a farewell with means; lethal means with a time (outside hunting, sport or
  play); weak preparation twice, with means, or with any first-person sign even negated ("i
  don't want to kill myself but i have the pills ready").
  A place with means in hand ("walking to the beach with my pills") is a plan too. "Resolve"
  ("tonight im doing it") whose "it" is said right after ("..., painting the bedroom") is not.
- INTENT (the `free_text_intent` trigger, high): any other intent, self-harm, burden, trapped or
  farewell hit; two different soft farewells ("thank you for everything", "i love you", a lone
  "bye", "it's not your fault", "leaving for good", finality); everyday means to be used at a
  time ("going to take them all tonight"); a death emoji or a handful of pill emoji with a time
  ("me ⚰️ soon"); a sad emoji with a knife; two different resolves, or a resolve with finality
  ("im going to do it. ive decided", "i've made up my mind, i'm not staying").
- None otherwise, and then `TextFinding.reviews` says what a human should still read:
  `third_party` (someone else's crisis), `past` (the member's past, nothing said of now),
  `unclear` (vague vocabulary, a topic named with no context, finality or resolve alone, a lone
  emoji means, lethal means or a lethal place with a time, e.g. "taking the gun to the range
  tonight", "going to the railway tonight"), a lethal place alone ("standing on the roof"), a
  plan made ready with nothing more ("just need to pick the night"), means put somewhere ("the
  rope is in the garage"), a thing given away ("gave away my guitar"), a quick way ("the train
  at 6 would be quick"), "going to finish it tonight". Negated, hypothetical and topic
  hits need no review; nor does a casual goodbye ("bye everyone, see you next week").

A hit records the pattern's stable name, its category and its context, never the words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice


class Category(StrEnum):
    INTENT = "intent"
    SELF_HARM = "self_harm"
    BURDEN = "burden"
    TRAPPED = "trapped"
    FAREWELL = "farewell"
    METHOD = "method"
    PLAN = "plan"
    PREPARATION = "preparation"
    READY = "ready"
    LETHAL_MEANS = "lethal_means"
    MEANS = "means"
    PLACE = "place"
    FINALITY = "finality"
    RESOLVE = "resolve"
    TIME = "time"
    MENTION = "mention"
    VAGUE = "vague"


class Context(StrEnum):
    """Whom and when a hit speaks of (ConText)."""

    CURRENT = "current"
    NEGATED = "negated"
    HYPOTHETICAL = "hypothetical"
    PAST = "past"
    OTHER = "other"
    TOPIC = "topic"


class Level(StrEnum):
    """How alarming a note is: `plan` leads to an urgent trigger, `intent` to a high one."""

    PLAN = "plan"
    INTENT = "intent"


class ReviewReason(StrEnum):
    """Why a check-in that fired no rule still needs a human to read it (a staff review item,
    never a page): what the rules cannot clear must not end in silence."""

    THIRD_PARTY = "third_party"  # the member is worried about someone else
    PAST = "past"  # suicide or self-harm in the member's past, nothing said of now
    UNCLEAR = "unclear"  # crisis language the rules can neither confirm nor clear


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A pattern found in a note. Never the matched words: they stay with the note."""

    pattern: str
    category: Category
    context: Context = Context.CURRENT
    conditional: bool = False  # in the consequence of an "if"/"unless"

    @property
    def negated(self) -> bool:
        return self.context is Context.NEGATED

    @property
    def current(self) -> bool:
        return self.context is Context.CURRENT


@dataclass(frozen=True, slots=True)
class TextFinding:
    level: Level | None
    hits: tuple[PhraseHit, ...]
    reviews: frozenset[ReviewReason] = frozenset()

    @property
    def categories(self) -> frozenset[Category]:
        """The categories of the current hits (the member, now, not negated)."""
        return frozenset(hit.category for hit in self.hits if hit.current)


# --- normalisation -------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u201b\u2032\u02bc\u0060\u00b4\uff07"})
_EMOJI = str.maketrans(
    {
        "\U0001f52a": " emknife ",
        "\U0001f61e": " emsad ",
        "\U0001f614": " emsad ",
        "\U0001f622": " emsad ",
        "\U0001f62d": " emsad ",
        "\U0001f494": " emsad ",
        "\U0001f940": " emsad ",
        "\U0001f5e1": " emknife ",
        "\U0001fa92": " emknife ",
        "\U0001f48a": " empills ",
        "\U0001f489": " empills ",
        "\U0001f52b": " emgun ",
        "\U0001faa2": " emrope ",
        "\U0001fa78": " emblood ",
        "\U0001faa6": " emgrave ",
        "\u26b0": " emgrave ",
        "\u26b1": " emgrave ",
        "\u2620": " emgrave ",
        "\U0001f309": " embridge ",
        "\U0001f634": " emsleep ",
        "\U0001f480": " emskull ",
    }
)
_HARD = "|"
_SOFT = "#"

# Applied in order, on lower-case text with straight apostrophes.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bw/o\b", "without"),
        (r"\bw/(?=\s)", "with"),
        # Hyphens inside words ("self-harm") become spaces; dashes between words end a segment.
        (r"(?<=[a-z])-(?=[a-z])", " "),
        (r"\s[-\u2013\u2014]+\s|[\u2013\u2014]|\s-{2,}\s?", " | "),
        # Leetspeak and censoring inside words: "k!ll", "su1c1de", "s*icide", "d3ad".
        (r"(?<=[a-z])[!1|](?=[a-z])", "i"),
        (r"(?<=[a-z])0(?=[a-z])", "o"),
        (r"(?<=[a-z])3(?=[a-z])", "e"),
        (r"(?<=[a-z])@(?=[a-z])|(?<=\s)@(?=[a-z])", "a"),
        (r"(?<=[a-z])\$(?=[a-z])|(?<![a-z0-9])\$(?=[a-z])", "s"),
        (r"\bd\*+e\b", "die"),
        (r"(?<=[a-z])\*+(?=[a-z])", ""),
        # Whole-phrase abbreviations first.
        (r"\bidw(?:t|2)bh\b|\bidw(?:t|2)b here\b", "i do not want to be here"),
        (r"\bidw(?:t|2)l\b", "i do not want to live"),
        (r"\bidw(?:t|2)e\b", "i do not want to exist"),
        (r"\biw(?:t|2)d\b|\biwanttodie\b", "i want to die"),
        (r"\bctb\b", "commit suicide"),
        (r"\bkmsl\b", "laughing"),
        (r"\bidk\b", "i do not know"),
        (r"\bat no (?:point|time|stage)\b|\bnot at any (?:point|time)\b", "never"),
        (r"\bshould (i|you|anyone|they) ever\b", r"if \1 ever"),
        (r"\bin case (?=(?:i|you) )", "if "),
        (r"\bngl\b", "not going to lie"),
        (r"\bfinna\b", "going to"),
        (r"\blemme\b", "let me"),
        (r"\b(?:wnat|wnt|wnated|wan)\b", "want"),
        (r"\b(?:dnt|dont)\b", "do not"),
        (r"\bcnt\b", "can not"),
        (r"\b(?:abt|bout)\b", "about"),
        (r"\b(?:thnk|thnking|thinkin|thinkn)\b", "thinking"),
        (r"\b(?:evry ?one|every1|evry1|evryone)\b", "everyone"),
        (r"\bppl\b", "people"),
        (r"\b(?:rly|rlly|realy)\b", "really"),
        (r"\bjus\b", "just"),
        (r"\btho\b", "though"),
        (r"\bwknd\b", "weekend"),
        (r"\btn\b(?= *(?:$|[.!?,]))", "tonight"),
        (r"\s(?:&|\+|n)\s", " and "),
        (r"\bdunno\b", "do not know"),
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
        (r"\bsh'?d\b", "self harmed"),
        (r"\bsh'?ing\b", "self harming"),
        (r"'d\b", " would"),
        (
            r"\b(it|that|there|what|everyone|everybody|someone|somebody|he|she|who|nobody|"
            r"life|this|tonight|today|tomorrow)'?s\b",
            r"\1 is",
        ),
        (r"'s\b", ""),
        (
            r"\bill(?= (?:be|never|not|just|finally|do|go|end|kill|take|jump|make|try|have|miss|"
            r"see|die|hurt|cut|call|text|write|leave|stop)\b)",
            "i will",
        ),
        (r"\bgonna\b", "going to"),
        (r"\b(?:wanna|wana|wna)\b", "want to"),
        (r"\bgotta\b", "got to"),
        (r"\btryna\b", "trying to"),
        (r"\bu\b", "you"),
        (r"\bur\b", "your"),
        (r"\b(want|wanted|going|need|have|got|ready|wish|time|decided|plan|about) 2\b", r"\1 to"),
        (r"\brn\b", "right now"),
        (r"\b(?:bc|cuz|coz|cos)\b", "because"),
        (r"\b(?:any ?mor|anymoree|nomore)\b", "anymore"),
        (r"\bany more\b", "anymore"),
        # Abbreviations, slang and spellings.
        (r"\bkms\b", "kill myself"),
        (r"\bkys\b", "kill yourself"),
        (
            r"\bmy ?(?:self|slef|sefl|selfe|slf)\b|\bmyslef\b|\bmysef\b|\bmyslf\b|\bmeself\b",
            "myself",
        ),
        (r"\bun ?alived\b", "killed"),
        (
            r"\bun ?aliv(e|ing)\b(?! (?:myself|him|her|them|someone|somebody|people|yourself|"
            r"my|the|a|his|their|your|others|everyone|himself|herself|themselves|themself|"
            r"yourself)\b)",
            r"unaliv\1 myself",
        ),
        (r"\bun ?aliving\b", "killing"),
        (r"\bun ?alive\b", "kill"),
        (r"\b(?:self ?delete|delete|off|end|yeet) myself\b", "kill myself"),
        (r"\b(?:self ?deleting|deleting|offing|ending) myself\b", "killing myself"),
        (r"\b(?:neck|rope) myself\b", "hang myself"),
        (
            r"\bsewer ?slide\b|\bsu(?:icde|cide|iside|acide|icdie|icid|icied|isde|ciide)\b",
            "suicide",
        ),
        (r"\bsu(?:icdal|cidal|isidal|icidle|icidial|sidal)\b", "suicidal"),
        (r"\bsh\b", "self harm"),
        (r"\bod(?:'?d|ed|ing)?\b", "overdose"),
        (r"\bto ?nite\b|\b2 ?nite\b|\btonite\b|\btnight\b", "tonight"),
        (
            r"\btmrw\b|\btmr\b|\btomorow\b|\btommorow\b|\btommorrow\b|\b2morrow\b|\b2moro\b|"
            r"\btomoz\b|\b2mrw\b",
            "tomorrow",
        ),
        (r"\b2day\b", "today"),
        (r"\bb ?day\b|\bbdy\b|\bbirfday\b|\bbirthdy\b", "birthday"),
        (r"\bb4\b", "before"),
        (r"\bwrist\b", "wrists"),
        (r"\bdi+e{2,}\b", "die"),
        (r"\bded\b", "dead"),
        (r"\bkil\b|\bkll\b|\bkiil\b", "kill"),
        (r"\bs(?:icide|cide|uicid|uiside|uicidee)\b", "suicide"),
        (r"\b(?:myslef|mysself|myselff|myselfe)\b", "myself"),
        (r"\bwhats\b", "what is"),
        (r"\bagen\b|\bagin\b|\bagian\b", "again"),
        (r"\bnite\b", "night"),
        # Dropped g's ("endin it", "killin myself") and texting words.
        (
            r"\b(end|kill|jump|hav|leav|think|cutt|hurt|dy|go|do|tak|try|liv|want|feel|say|giv|"
            r"hang|overdos|burn|plann|wish|hop|slitt|drown|com|noth|someth|los|mak|gett|start|"
            r"keep|sav|hid|writ|plan|stockpil|collect|consider|walk|sitt|driv|research|look|buy|"
            r"bleed|stand|head|wait)in\b",
            r"\1ing",
        ),
        (r"\bw\b(?= [a-z])", "with"),
        (r"\b(?:wud|wld|woud|wuld)\b", "would"),
        (r"\b(?:cud|cld|culd)\b", "could"),
        (r"\b(?:shud|shld)\b", "should"),
        (r"\br\b(?= [a-z])", "are"),
        (r"\bily\b", "i love you"),
        (
            r"\b4\b(?= (?:me|you|u|good|real|ever|now|sure|the|my|him|her|them|everyone|life))",
            "for",
        ),
        (r"(?<=look )4\b|(?<=looking )4\b|(?<=thanks )4\b|(?<=thank you )4\b", "for"),
        (r"\b(this|it|that|them|life|anything) no more\b", r"\1 anymore"),
        (r"(?:empills\s*){3,}", " empills emhandful "),
        (
            r"\b(to|gonna|wanna|could|would|just) dye\b(?! (?:my|your|her|his|the|it|them|hair|"
            r"clothes|fabric|eggs|a|some))",
            r"\1 die",
        ),
        (r"\btheres\b", "there is"),
        (r"\bpointt\b", "point"),
        (r"\bburdon\b|\bburdan\b", "burden"),
        (r"\bcheck ?in\b", "check in"),
        # Medicine names by their endings ("sertraline", "citalopram", "zopiclone") -> "meds".
        (
            r"\b[a-z]+(?:oxetine|traline|opram|azepam|azolam|zepam|apine|idone|codone|madol|"
            r"etamol|profen|mazepine|trigine|tyline|ipramine|olol|pril|statin|formin|pidem|"
            r"piclone|barbital|orphine)\b",
            "meds",
        ),
        # Letters repeated three times or more: "killlll" -> "kill".
        (r"([a-z])\1{2,}", r"\1\1"),
        # Segment boundaries and the rest of the punctuation.
        (r"[.!;\n\r\u2026()\[\]{}\"\u201c\u201d/]+", " | "),
        (r"[?:,]+", " # "),
        (r"[^a-z0-9|# ]+", " "),
    )
)
_SPLIT = re.compile(r"([|#])")


def _segments(text: str) -> list[tuple[str, bool]]:
    """The note's segments (words joined by one space), each with whether a soft boundary (a
    comma, "?" or ":") ends it."""
    value = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    value = value.translate(_EMOJI)
    for pattern, replacement in _REWRITES:
        value = pattern.sub(replacement, value)
    parts = _SPLIT.split(value)
    found: list[tuple[str, bool]] = []
    for index in range(0, len(parts), 2):
        words = parts[index].split()
        if not words:
            continue
        ending = parts[index + 1] if index + 1 < len(parts) else _HARD
        found.append((" ".join(words), ending == _SOFT))
    return found


def normalize(text: str) -> list[list[str]]:
    """The note as segments of words, after the rewrites described above."""
    return [segment.split() for segment, _ in _segments(text)]


def normalized_text(text: str) -> str:
    """The normalised note as one string, segments joined by ' | ' (for tests and debugging)."""
    return " | ".join(segment for segment, _ in _segments(text))


# --- the phrase table ----------------------------------------------------------------------

_KIN = (
    r"(?:family|kids|children|kid|child|parents|wife|husband|partner|mum|mom|mam|dad|mother|"
    r"father|son|daughter|friends?|loved ones|sister|brother|girlfriend|boyfriend|gf|bf|"
    r"grandma|grandpa|nan|best friend|bestie|roommate|flatmate|team|everyone|everybody|people)"
)
_PILLS = (
    r"(?:pills|pill|tablets|meds|medication|medications|medicine|painkillers|sleeping pills|"
    r"paracetamol|tylenol|acetaminophen|ibuprofen|insulin|antidepressants|sleeping tablets|"
    r"oxy|opioids|xanax|benzos|lithium|empills|co codamol|cocodamol|codeine|morphine|valium|"
    r"diazepam|tramadol|aspirin|seroquel|fentanyl)"
)
_LETHAL = (
    r"(?:rope|noose|guns?|firearms?|pistol|revolver|rifle|shotgun|handgun|bullets?|ammo|"
    r"ammunition|carbon monoxide|ligature|helium|charcoal|exit bag|rat poison|poison|"
    r"antifreeze|emgun|emrope)"
)
_PLACES = (
    r"(?:bridge|cliffs?|cliff edge|edge|tracks|train tracks|railway|rail line|train line|river|"
    r"lake|sea|ocean|beach|pier|dam|quarry|roof|rooftop|top floor|parking garage|car park|"
    r"multi storey|multistorey|carpark|overpass|tower|woods|forest|balcony|ledge|"
    r"station platform|motel|hotel room|station|"
    r"platform|coast|coastline|mountains?|hills|moors?|desert|waterfall|canyon|gorge|seaside|"
    r"harbou?r|docks|reservoir|canal|viaduct|motorway|highway|freeway|interstate|train station|"
    r"water|tallest building|top of the \w+|field|fields|middle of nowhere|countryside|"
    r"embridge)"
)
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|wed|thurs|fri)"
_BODY = r"(?:arms?|wrists|legs?|thighs?|skin|stomach|belly|hips?|hands?|body|face|chest|ankles?)"
_END = r"(?= *$)"  # at the end of the segment
# medicines counted out by someone who dispenses them, or for the week
_DISPENSED = (
    r"(?! (?:by|for|into) (?:the|my|a|our) (?:pharmacist|pharmacy|nurse|carer|chemist|doctor|"
    r"mum|mom|dad|partner|dosette|week|pill))"
)
_ANYMORE = r"(?: anymore| any longer| now)?"

INT, SH, BU, TR, FA, ME, PL, PR, RD, LM, MS, PLC, FI, RS, T, MEN, VG = (
    Category.INTENT,
    Category.SELF_HARM,
    Category.BURDEN,
    Category.TRAPPED,
    Category.FAREWELL,
    Category.METHOD,
    Category.PLAN,
    Category.PREPARATION,
    Category.READY,
    Category.LETHAL_MEANS,
    Category.MEANS,
    Category.PLACE,
    Category.FINALITY,
    Category.RESOLVE,
    Category.TIME,
    Category.MENTION,
    Category.VAGUE,
)


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    category: Category
    regex: re.Pattern[str]


def _bounded(regex: str) -> str:
    """Each negative lookahead "(?! (?:a|b))" made to look at whole words only, so that
    "live(?! (?:a|alone))" still matches "live anymore"."""
    out, start = [], 0
    while (found := regex.find("(?! (?:", start)) >= 0:
        depth, index = 0, found + 4
        while True:
            char = regex[index]
            if char == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(char, 0)
            index += 1
            if depth == 0:
                break
        out.append(regex[start:index] + "(?![a-z0-9])")
        start = index
    out.append(regex[start:])
    return "".join(out)


def _word(regex: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{_bounded(regex)})(?![a-z0-9])")


def _p(name: str, category: Category, regex: str) -> Pattern:
    return Pattern(name, category, _word(regex))


PATTERNS: tuple[Pattern, ...] = (
    # --- intent: wish to be dead, active thoughts, intent (C-SSRS 1-3) ---
    _p(
        "intent.kill_myself",
        INT,
        r"kill(?:s|ed|ing)? myself|"
        r"(?:commit|commits|committing|committed|attempt|attempts|attempting|attempted) suicide",
    ),
    _p(
        "intent.end_my_life",
        INT,
        r"(?:end|ends|ending|ended|take|taking|took|taken) my (?:own )?life"
        r"(?! (?:back|seriously|in my (?:own )?hands|more seriously))",
    ),
    _p(
        "intent.end_it",
        INT,
        r"end(?:ing)? (?:it all|everything|my existence)(?! (?:with|between))|"
        r"(?:(?:i|i will|i would|i am going to|going to|want to|wants to|ready to|time to|"
        r"about to|decided to|planning to|plan to|need to|just|should|could|might|will) end|"
        r"(?:i am|am|is|i will be|i|just|finally|probably|seriously) ending) "
        r"(?:it|things|this)(?: all)?(?! (?:with|between|off|for (?:him|her|them)|early))|"
        r"ending it(?= (?:is|was|would be|will be|seems|feels|sounds|might be))|"
        r"(?:thinking|thought|think|thoughts|dreaming|dream) (?:about|of) ending "
        r"(?:it|things|everything)",
    ),
    _p(
        "intent.suicidal",
        INT,
        r"(?:want|wants|wanted|going|plan|planning|ready|about|decided|need|thinking of|gonna) "
        r"to (?:suicide|commit(?! (?:to|a|the|my)))|"
        r"(?:am|feel|feels|feeling|felt|been|getting|get|was|become|becoming|so|very|really|"
        r"still|actively|passively|always) "
        r"(?:so |really |very |quite |a bit |kind of |kinda |pretty |extremely |super |"
        r"actively |passively |a little )?suicidal|"
        r"suicidal (?:thoughts|feelings|urges|ideation|again|thinking|ideas|mood)|"
        r"(?:thoughts|thinking|think|thinks|thought|dreaming|dream|fantasi[sz]ing|obsessing|"
        r"ruminating) (?:of|about) (?:suicide|dying(?! (?:my|her|his|the|it|them))|death|"
        r"being dead|not being here|not existing|killing myself|taking my (?:own )?life)|"
        r"(?:considering|contemplating|considered|contemplated|plotting|pondering) "
        r"(?:suicide|killing myself|ending (?:it|my life|things)|death)|"
        r"(?:suicide|death|dying|killing myself|ending it) (?:is|has been|keeps|seems|feels) "
        r"(?:on my mind|all i (?:can )?think about|calling(?: me)?|tempting|appealing|"
        r"(?:like )?(?:the|my) (?:only )?(?:answer|option|way out|solution|choice|escape))|"
        r"(?:urge|urges|impulse|impulses) to (?:die|kill myself|end it|jump)|"
        r"(?:do not|not|can not) (?:feel |be |keep myself )?safe (?:with|around|by|being alone "
        rf"with) myself|(?:am|feel) not safe(?: right now| tonight| alone| at home)?{_END}|"
        r"can not keep myself safe|"
        r"(?:telling|tell|tells|told|tellin) me to (?:end it|die|kill myself|do it|jump|"
        r"hurt myself|end my life|go die)(?! (?:and|so|but) (?:i did|it|she|he|they|we)"
        r"(?![a-z0-9]))|"
        r"(?:imagining|imagine|imagined|picturing|picture|pictured|dreaming about|fantasi[sz]ing "
        r"about|thinking about|think about) my (?:own )?(?:funeral|death|suicide|grave|obituary|"
        r"dead body)|"
        r"(?:not sure|do not know if|doubt|do not think|no idea if) i "
        r"(?:will|can|am going to|could) "
        r"(?:make it|survive|last|get through|hold on|be (?:here|alive|around))"
        rf"(?:{_END}| (?:through|till|until|past|to) (?:tonight|the night|the weekend|tomorrow|"
        r"morning|the morning|this week|much longer)| (?:tonight|much longer|another day|"
        r"the night))",
    ),
    _p(
        "intent.want_to_die",
        INT,
        r"(?:want|wants|wanted|wanting|wish|wishes|ready|plan|planning|deserve|deserves|need|"
        r"hope|hoping|pray|praying|long|longing|going|prepared) to die"
        r"(?! (?:of|from|laughing|with|when i am old|in my sleep when|old|happy|"
        r"peacefully when|my hair|for(?! (?:most|weeks|months|years|days|a while|so long|"
        r"ages|a long time|the past|the last))))|"
        r"i (?:wish|hope|pray) (?:that )?i (?:was|were|could be|would be|could just be|had|"
        r"would|could|just|will|did) (?:dead|die|died|just die|drop dead|gone|"
        r"never (?:been )?born|not (?:here|alive)|never existed|not exist)|"
        r"wish i (?:was|were|had) (?:dead|never (?:been )?born|never existed|not born)|"
        r"(?:rather|better off|want to|wish to|prefer to|deserve to) be dead|better off dead|"
        r"rather die(?: than (?:live|living|go on|going on|keep|be alive|continue|carry on|"
        rf"feel|face|spend|suffer|wake up|deal with (?:this|it|life))|{_END})|"
        r"i (?:hope|pray|wish) (?:that )?i (?:do not|will not|never|would not|did not) "
        r"wake up|"
        r"(?:wish|hope|want|praying) (?:that )?(?:a|the|some) (?:car|bus|truck|train|lorry) "
        r"(?:would )?(?:hit|hits|kill|kills|runs? me over) me|"
        r"(?:would not|do not|would not even) (?:mind|care) (?:if i died|dying|being dead|"
        r"not waking up|if i did not wake up|if i was dead|if i never woke up)|"
        r"(?:death|dying|being dead) (?:would be|sounds|seems|feels|is|would feel) "
        r"(?:like )?(?:a relief|better|peaceful|nice|welcome|easier|preferable|appealing|"
        r"tempting|the answer|a release|freedom)|"
        r"(?:welcome|welcoming|waiting for|praying for|pray for|long for|longing for) death|"
        r"(?:want|wish|long|ready|need|going) to (?:be with|join|see) (?:him|her|them|my \w+|"
        r"my \w+ \w+) (?:again )?(?:in heaven|on the other side|in the afterlife|up there|"
        r"wherever (?:he|she|they) (?:is|are))|(?:want|wish|ready|long) to (?:go|be) (?:to |in )?"
        r"(?:heaven|the afterlife|the other side)|"
        r"(?:god|someone|something|the universe|death) (?:takes|take|would take|to take|will "
        r"take|please take|would come for|comes for) me(?! (?:to|back|home|out|for|there|away "
        r"on|seriously))|(?:please )?(?:let|make) me (?:die|not wake up|never wake up|"
        r"disappear|stop existing)|take me (?:now|away from this (?:life|world))|"
        r"feel(?:ing)? like (?:dying|death|ending it|killing myself|i want to die|"
        r"disappearing forever|i should die|not existing)|"
        r"(?:tired|sick|done|exhausted|weary) (?:of|with) (?:living|life|being alive|existing|"
        r"being here|this world|breathing|waking up)",
    ),
    _p(
        "intent.not_alive",
        INT,
        r"(?:not|no longer|never) (?:really |even |honestly |just )?(?:want|wants|wanted|wish) "
        r"(?:to )?(?:be alive|"
        r"live(?! (?:with|in|at|like|there|here|near|alone|together|on|by|through|abroad|"
        r"somewhere|a|an|the|my|his|her|that|this|far|close|next))|"
        r"exist|be here(?! (?:for|at|in|when|with|on|today|tomorrow|again))|"
        r"wake up(?! (?:early|at|so|before|for|to|in time))|"
        r"go on(?! (?:a|the|holiday|vacation|trip|with|about|dates?|tour|stage|line|social|"
        r"instagram|tiktok|facebook|that|this|any))|"
        r"be around(?! (?:people|him|her|them|those|my|anyone|others|crowds|you))|"
        r"keep living|keep going|continue(?! (?:with|the|my|this|that|on))|"
        r"be in this world|be on this earth|see tomorrow|wake up tomorrow)|"
        rf"(?:disappear|vanish|fade away|go away|sleep) (?:forever|for good|permanently|"
        rf"and never come back|and not come back|for ever)|stop existing|cease to exist|"
        r"not exist any ?more|un ?exist|never wake up|not wake up (?:tomorrow|in the morning|"
        r"again|ever)|go to sleep and (?:not|never) wake up|"
        r"(?:want|wants|need|wish) (?:it all|everything|my life|life|all of it|this life|"
        r"it) to (?:end|be over)(?! (?:soon|already|so i can))|"
        rf"never want to wake up|not be alive any ?more|not want to be here{_END}|"
        r"not (?:really |even )?(?:want|wish) to (?:live|go on|keep going|exist) (?:like this|"
        r"this way|this life|with this (?:pain|anymore)|in this pain)|"
        r"(?:not|no longer|never) (?:feel like|care about|see myself) (?:living|being alive|"
        r"existing|going on|staying alive|getting older|growing old|making it)",
    ),
    _p(
        "intent.hurt_myself",
        INT,
        r"(?:hurt|hurts|hurting|harm|harming|harmed|injure|injuring|injured) myself",
    ),
    # --- self-harm ---
    _p(
        "self_harm.act",
        SH,
        r"(?:punish|punishing|"
        r"punished|cut|cuts|cutting|burn|burning|burned|burnt|starve|starving|starved|hit|"
        r"hitting|punch|punching|punched|scratch|scratching|scratched|bite|biting|bit|carve|"
        r"carving|carved|slice|slicing|sliced|stab|stabbing|stabbed|bruise|bruising) myself|"
        r"(?:cut|cuts|cutting|slice|slicing|sliced|carve|carving|carved|slash|slashing|"
        rf"slashed) (?:into )?(?:my|both my) (?:\w+ )?{_BODY}|"
        r"make myself bleed|made myself bleed|making myself bleed|"
        r"(?:until|till|til|untill) (?:it|they|i|my \w+) (?:bled|bleed|bleeds|bleeding|bruise|"
        r"bruised|bruises)|"
        r"(?:fresh|new|deep|open) (?:cuts|wounds|scars|burns)(?: on my \w+)?|"
        rf"cuts (?:on|all over) my (?:\w+ )?{_BODY}|"
        r"myself harm(?:ing)?(?: again)?|"
        r"(?:i|been|started|start|keep|kept|still|back to|went back to|going back to) "
        r"(?:self harm|self harming|self harmed|cutting)(?! (?:awareness|prevention|"
        r"research|my hair|the|paper|coupons|class|wood|back|down))|"
        r"(?:self harm|self harming|cutting|cut) again|"
        r"(?:i|used to|use to|started to|want to|need to|going to|urge to|tempted to|wanting to|"
        r"relapsed and|and then|then|and|been) "
        r"(?:cut|burn|hit myself|scratch|cutting)(?: again| tonight| today| deeper| so bad)?"
        rf"(?:{_END}| (?:when|as a|in|back|before|after|a lot|sometimes|every|because|to feel|"
        r"to cope|to punish|until|till|and|but|last night|yesterday|this morning|earlier|"
        r"deep))|"
        r"(?:the )?urges? (?:again|are back|are bad|are strong|are so strong|is back|is strong|"
        r"will not stop|to cut|to hurt myself|to self harm|to burn)|"
        r"(?:relapsed|relapse|relapsing) (?:on|with|into|in)? ?(?:self harm|cutting)|"
        r"(?:relapsed|relapse) (?:and|with) (?:cut|cutting|self harmed|burned|burnt|hurt)|"
        r"(?:self harm|cutting) relapse|"
        r"(?:urge|urges|want|wants|wanting|feel like|tempted|craving|crave|itching|need) "
        r"(?:to )?(?:cut|cutting|self harm|self harming|burn myself|hurt myself|harm myself)|"
        r"self harm (?:urges|thoughts|cravings|is back|is bad)|"
        r"(?:found|saw|noticed|hide|hiding|hid|cover|covering|covered|see|seen|bandaged|"
        r"bandaging|cleaned|cleaning) (?:my|the) (?:fresh |new |deep |)?(?:cuts|scars|wounds|burns|"
        r"self harm marks|self harm scars)",
    ),
    # --- burden ---
    _p(
        "burden.burden",
        BU,
        r"(?:i am|i feel|feel|feeling|felt|being|i have become|become|just|such|always|only|"
        r"nothing but|am|i|me) (?:like )?(?:i am )?(?:such |just |nothing but |only |a huge |"
        r"a big |a |an |the |one big |a massive |a total )*(?:burden|dead weight|drain|"
        r"waste of (?:space|air|oxygen|a life|life)|liability)|"
        rf"burden (?:to|on|for) (?:everyone|everybody|them|my {_KIN}|others|people|the people|"
        r"all|anyone|those|him|her)",
    ),
    _p(
        "burden.better_off",
        BU,
        r"(?:better|happier|easier|fine|relieved|freer|lighter|better off|so much better|"
        r"much better|way better|less stressed|okay|ok|safer) (?:off )?"
        r"(?:without me|if i (?:was|were|had|did|just|would|never|disappear|died|left|"
        r"disappeared|vanished|killed|ended|stopped)(?: not| never)?(?: \w+)?|when i am gone|"
        r"once i am gone|with me gone|with me dead|with me out of the (?:way|picture)|"
        r"after i am gone|if i am gone|if i was not (?:here|around|alive|born))|"
        r"(?:nobody|no one|noone|no body) (?:would|will|is going to|going to|would even|will even|"
        rf"would really) (?:miss|notice|care|mourn|cry)(?: me| if i| when i| that i| i|{_END})|"
        r"(?:would|will) not (?:even )?(?:miss me|notice if i|care if i|notice i am gone|"
        r"notice when i)|"
        r"(?:they|everyone|everybody|people|the world) (?:do|does|would|will) not need me|"
        r"(?:world|everyone|everybody|they|people) (?:is|are|would be) better without me|"
        r"better off with (?:the|my) (?:life )?insurance|(?:insurance|life insurance) "
        r"(?:money|payout|pay out) (?:would|will) (?:help|be better|sort|pay|cover)",
    ),
    # --- trapped, unbearable pain, no reason to live ---
    _p(
        "trapped.no_way_out",
        TR,
        r"no way out|(?:the )?only way out|no escape|no exit|"
        r"can not escape(?! (?:my|the|this|from) (?:emails?|work|job|boss|kids|inbox|phone|"
        r"family|mum|mom|house|town|office|meeting|traffic|noise|rain|heat))|"
        r"(?:can not|do not|no longer) see (?:any|a) way (?:forward|out|through|ahead)|"
        rf"i (?:just )?want out{_END}|i (?:just )?want (?:out|it all to stop) (?:of|from) "
        r"(?:this life|life|everything|this world|existence)|"
        r"(?:feel|feeling|felt|am|so|completely|totally|utterly|really) trapped(?! in (?:this|my|a|"
        r"the) (?:job|marriage|relationship|contract|lease|house|flat|town|city|traffic|lift|"
        r"elevator|meeting|room|village|course|degree))|"
        r"trapped (?:in|inside) (?:my|this) (?:life|head|body|mind|situation|pain|hell|misery)|"
        r"stuck (?:in this|with no|and there is no|and no) (?:hell|way out|escape|misery)|"
        r"no light at the end|no end in sight|(?:see|have|there is|is) no (?:hope left|future)|"
        r"no future (?:for me|for myself|ahead|at all|left)|see no future|"
        r"(?:the )?(?:only|one) (?:way|option|answer|solution|choice) (?:left|is (?:death|to die|"
        r"to end it|suicide))|(?:death|suicide|dying) is the only (?:way|option|answer|solution)",
    ),
    _p(
        "trapped.no_reason",
        TR,
        r"(?:no|not any|not a single|zero|no good) (?:reason|point|purpose)(?: for me| left| "
        r"anymore| at all)? (?:to|in|for|of|left to) (?:live|living|go on|going on|keep going|"
        r"being alive|be alive|be here|"
        r"being here|life|existing|wake up|waking up|get up|getting up|carry on|carrying on|"
        r"continue|continuing|stay(?! (?:late|up|in|home|over|behind|longer|for (?:dinner|"
        r"lunch|tea|the)))|staying(?! (?:late|up|in|home|over|behind|longer))|try|trying|"
        r"keep trying|anything|any of it|"
        r"breathing|exist)|nothing (?:left )?(?:to|worth) (?:live|living|stay|staying|going "
        r"on) for|no (?:reason|point) (?:anymore|left)|"
        r"(?:do not|can not|no longer|never) see (?:the|any|a) (?:point|reason|purpose) "
        r"(?:in|of|to|"
        r"for) (?:living|life|going on|being alive|being here|existing|carrying on|staying)|"
        r"(?:life|living|existing|it|my life|this life) (?:is|feels|is just|seems) "
        r"(?:so |just |really |completely |totally |fucking |fkn |honestly |literally )?"
        r"(?:not worth (?:it|living)|pointless|meaningless|worthless|unbearable|hell|torture|"
        r"a prison|too much to bear|too hard to bear)|not worth living|"
        r"what is the point (?:of|in) (?:living|life|going on|being alive|being here|existing|"
        r"waking up|getting up|me|it all|carrying on|staying alive|continuing)|"
        r"give up on (?:life|living|everything|myself)|giving up on (?:life|living|myself)|"
        r"lost (?:the|my|all) will to live|no will to live",
    ),
    _p(
        "trapped.cannot_go_on",
        TR,
        r"can not (?:go on|keep going|keep living|carry on|keep doing this|live like this|"
        r"live this way|keep on|do this|take it|take this|take any more|take anymore|bear it|"
        r"bear this|handle it|handle this|handle life|cope|cope with life|face another day|"
        r"face tomorrow|survive another|stand it|stand this|stand being me|deal with it|"
        r"deal with this|deal with life|do life|do it|live with this|fight anymore|fight "
        r"this|keep fighting|endure)(?: (?:any ?more|any longer|much longer|for much longer|"
        rf"another day|like this|this pain|the pain|the way i feel)|{_END})|"
        r"can not take (?:the|this|my) (?:pain|hurt|torment|suffering|misery|way i feel)|"
        rf"can not go on(?: like this)?{_END}|"
        r"(?:the |this |my )?(?:emotional |mental )?(?:pain|hurt|suffering|agony|torment|misery) "
        r"(?:is|feels) (?:unbearable|too much|never ending|endless|more than i can (?:take|"
        r"bear|handle))|(?:pain|suffering|agony|torment|misery) (?:will never|never|does not|"
        r"is never going to|is not going to|will not) (?:end|stop|go away)|"
        r"(?:it|this|everything|life) (?:is|feels) (?:unbearable|too much to bear)|"
        rf"(?:the pain|this pain|it) is (?:just )?too much(?: to (?:bear|take|handle))?{_END}|"
        r"(?:i am|i feel|feeling) (?:in )?(?:so much |such )?(?:unbearable|constant) "
        r"(?:pain|agony|torment)",
    ),
    # --- farewell (in the note itself) ---
    _p(
        "farewell.goodbye",
        FA,
        r"(?:goodbye|good bye|farewell|bye bye) (?:everyone|everybody|all|world|cruel world|guys|"
        r"friends|y ?all|forever|for good|for ever|to (?:everyone|everybody|all|the world|you "
        r"all|you guys))|"
        r"(?:this is|this will be|this has to be|consider this) (?:my )?(?:final )?goodbye|"
        r"(?:time|wanted|want|need|going|came|come|here) to say (?:my )?goodbyes?"
        rf"(?:{_END}| (?:to (?:everyone|everybody|you all|all of you|y ?all|the world|this world|"
        r"you guys)|before i go|for the last time|forever|one last time|for good))|"
        r"(?:my )?(?:last|final) (?:check in|message|post|entry|note|words|goodbye|day on earth|"
        r"night on earth|day alive|night alive)(?! (?:of|for|this|before|until|till|today|"
        r"for now|at|in|on|with))|"
        r"(?:this is|this will be|it is) (?:my )?(?:last|final) (?:time|one|day|night)(?: here|"
        rf" writing| checking in| on here)?{_END}|"
        r"(?:will not|will never|never) (?:hear|see) (?:from )?me (?:again|any ?more|ever again|"
        r"after)|(?:hear|see) from me again|"
        r"(?:will|would|am going to) not be (?:around|here|alive) (?:much longer|for (?:much )?"
        r"longer|long|any ?more|tomorrow|next (?:week|month|year|time)|by (?:then|the time|"
        r"tomorrow|morning)|after (?:tonight|today|this)|to see)|"
        rf"(?:it is |it is just )?time (?:for me )?to go{_END}|"
        r"(?:tell|let) (?:my (?:\w+ )?\w+|them|him|her|everyone|everybody)(?: that)? i "
        r"(?:am sorry|love|loved|was sorry|never meant|did not mean|tried)|"
        r"see you (?:on the other side|in (?:another|the next|a better) life|in heaven|"
        r"on the other side)|in (?:the|my) next life|"
        r"it (?:was|has been) (?:nice|good|an honour|an honor) knowing (?:you|everyone|y ?all)|"
        r"(?:do not|please do not) (?:be sad|cry|blame yourselves|blame yourself|miss me) "
        r"(?:when|after|for|about) (?:i am gone|me|what i did|what happens)|"
        r"(?:take care|look after) of (?:my|our) (?:\w+ )?(?:cats?|dogs?|pets?|kids|children|"
        r"babies|plants|fish|bird|rabbit|hamster|mum|mom|family) (?:for me|when|after|once)|"
        r"(?:take care|look after) (?:my|our) (?:\w+ )?(?:cats?|dogs?|pets?|kids|children|"
        r"babies|plants|fish|bird|rabbit|hamster) (?:for me|when|after|once)|"
        r"(?:when|after|once|for when|for after|in case|after the day) i am (?:gone|dead|not "
        r"here|no longer here|not around)(?! (?:on|to|for|away|out|abroad|travel|working|"
        r"shopping|at))|(?:when|after|once|for when|for after) i (?:die|pass|pass away)"
        r"(?! (?:of old age|peacefully when i am old))|"
        r"by the time (?:you|anyone|they|someone|somebody) (?:read|reads|see|sees|find|finds|"
        r"get|gets) this|(?:i am )?sorry for what i am (?:about|going) to do|"
        r"(?:remember|please remember) me (?:as|when|fondly|kindly|happy|smiling|like this|for)|"
        r"(?:love|loved) you all(?:,)? (?:goodbye|bye|forever)|"
        r"good ?night forever|forever good ?night|final good ?night|goodbye forever|"
        r"(?:sleep|rest) (?:well|tight) forever",
    ),
    # --- method (self-directed) ---
    _p("method.hang", ME, r"(?:hang|hanging|hanged|hung) myself|noose (?:around|round) my neck"),
    _p(
        "method.shoot",
        ME,
        r"(?:shoot|shooting|shot) myself(?! in the foot)|(?:gun|pistol|barrel) (?:to|in) my "
        r"(?:head|mouth|temple)|(?:put|putting) a bullet in my (?:head|brain)|"
        r"(?:blow|blowing) my brains out",
    ),
    _p(
        "method.overdose",
        ME,
        r"(?:to|will|could|might|should|thinking of|thinking about|planning|plan|want|going "
        r"to|gonna) overdos(?:e|ing)|overdos(?:e|ing) (?:on purpose|tonight|again)|"
        r"(?:take|taking|took|swallow|swallowing|swallowed|down|downing|neck|necking) "
        rf"(?:every|each|all|the whole|the rest of|all of) (?:\w+ ){{0,3}}?{_PILLS}|"
        r"i (?:have )?(?:overdosed|attempted(?: suicide| it| again)?(?=$| (?:last|yesterday|this|"
        r"on|in|a few|two|three|again|earlier|today|tonight))|took an overdose|made an attempt|"
        r"tried to (?:end it|overdose|hang myself|do it)|survived (?:an|my|the) (?:attempt|"
        r"overdose))|"
        r"(?:take|taking|took|swallow|swallowing|swallowed|down|downing|neck|necking) (?:a bunch|"
        r"too many|way too many|a ton|lots|so many|a fistful|all the|half the) (?:of )?"
        rf"(?:my |the |those |these )?(?:\w+ )?{_PILLS}|"
        r"(?:take|taking|took|swallow|swallowing|swallowed|down|downing|neck|necking) (?:all|"
        r"every one|every single one|everything|a (?:bottle|handful|box|pack|packet|load|"
        r"month)|the (?:whole|entire|rest of the) (?:bottle|box|pack|packet|lot)|enough|"
        rf"a lot|loads|dozens|hundreds|\d{{2,}}) (?:of )?(?:my |the |those |these |them )?"
        rf"(?:\w+ )?{_PILLS}|"
        rf"enough {_PILLS} to (?:kill|die|end|not wake|do it|overdose|do the job|never wake)|"
        r"(?:enough|a lethal amount|too much) (?:of )?(?:my )?(?:\w+ )?to (?:not wake up|"
        r"never wake up|kill me|die|end it)|"
        r"take them all|swallow them all|(?:take|swallow|down) (?:all|the lot)(?: of them)?"
        rf"{_END}",
    ),
    _p(
        "method.jump",
        ME,
        r"(?:jump|jumping|jumped|leap|leaping|throw myself|throwing myself|step|stepping|walk|"
        r"walking|lie|lying|lay|laying) (?:off|from|in front of|under|onto|into|out of|down) "
        r"(?:a|the|that|this|my|an) (?:\w+ ){0,2}(?:bridge|building|roof|rooftop|cliff|balcony|"
        r"tower|train|trains|bus|car|truck|lorry|window|ledge|overpass|car park|parking garage|"
        r"multi storey|multistorey|storey|flat|block|hotel|stairwell|dam|viaduct|quarry|"
        r"tracks|railway|motorway|highway|traffic|sea|river|lake|ocean|tube|subway|metro)|"
        r"(?:walk|walking|step|stepping|run|running) (?:out )?(?:into|in front of) (?:the )?"
        r"(?:traffic|oncoming|a train|the train|a bus|a truck|the sea|the ocean|the river|"
        r"the lake)|(?:in front of|under) (?:a|the) (?:train|bus|truck|lorry|car)|"
        rf"(?:jump|jumping|jumped) (?:off|from)(?: (?:it|there|here))?{_END}",
    ),
    _p(
        "method.jump_bare",
        ME,
        r"(?:going to|will|want to|ready to|about to|decided to|planning to|thinking of|thinking "
        rf"about|could just|should just) (?:jump|jumping)(?:{_END}| (?:tonight|today|tomorrow|"
        r"soon|now|off|from|again))|"
        r"(?:stood|standing|stand|sat|sitting|sit|climbed|climbing|leaned|leaning|hung|"
        r"hanging|perched) (?:on|over|at|onto|up on|out over|by) (?:the |a )?(?:ledge|railing|"
        r"parapet|wrong side of the (?:railing|fence|barrier|rail)|"
        r"edge(?! of (?:the |my |a )?(?:bed|seat|chair|sofa|couch|pool|bath|table|stage|"
        r"platform|world|glory|my seat|town|city|forest|woods))|edge of the (?:\w+ )?(?:roof|"
        r"cliff|bridge|building|balcony|car park|tracks))",
    ),
    _p(
        "method.wrists",
        ME,
        r"(?:slit|slitting|cut|cutting|slash|slashing|open|opening) (?:my )?(?:wrists|throat|"
        r"veins)|cut(?:ting)? (?:myself )?(?:deep|deeply|too deep|deeper|to die|vertically)|"
        r"bleed(?:ing)? out|(?:knife|blade|razor) to my (?:wrists|throat)",
    ),
    _p(
        "method.other",
        ME,
        r"(?:drown|drowning|poison|poisoning|gas|gassing|suffocate|suffocating|strangle|"
        r"strangling|electrocute|electrocuting|set fire to|burn|starve|freeze|freezing|bleed) "
        r"myself(?: to death)?(?! (?:in|with) (?:work|the sun))|"
        r"(?:drive|driving|drove|crash|crashing|steer|steering|swerve|swerving) (?:my car |the "
        r"car |it )?(?:off|into) (?:a|the) (?:cliff|bridge|wall|tree|river|lake|sea|oncoming|road|"
        r"edge|motorway|embankment|overpass|highway|traffic|ditch|"
        r"pole|lorry|truck|barrier|ravine)|(?:crash|wreck) (?:my|the) car on purpose|"
        r"(?:plastic )?bag over my head|car running in the garage|"
        r"(?:drink|drinking|drank|swallow|swallowing|swallowed|eat|eating|inject|injecting|chug|"
        r"chugging) (?:the |some |a bottle of |a cup of |a glass of |a whole bottle of )?(?:bleach|"
        r"poison|antifreeze|rat poison|weed killer|drain cleaner|pesticide|cyanide|acid|"
        r"lighter fluid|petrol|gasoline|paint thinner|insecticide)|"
        r"(?:stab|stabbing) myself|use (?:it|them|the gun|a knife|the knife|the rope|the pills) "
        r"on myself|(?:using|turn|turning|turned) (?:it|them|the gun|a gun|a knife|the knife) "
        r"on myself",
    ),
    _p(
        "method.fixation",
        ME,
        r"(?:keep|kept|keeps|been|can not stop|cant stop|always) (?:looking at|staring at|"
        r"holding|touching|thinking about|picturing|eyeing|checking|visiting|going back to) "
        rf"(?:the|my|that|a|those|these) (?:\w+ )?(?:{_LETHAL}|{_PILLS}|knife|knives|blades?|"
        rf"razors?|{_PLACES})",
    ),
    _p(
        "method.research",
        ME,
        r"(?:easiest|quickest|fastest|least painful|painless|surest|best|most reliable|most "
        r"effective|cleanest|simplest|peaceful|quiet) (?:way|ways|method|methods) (?:to|of) "
        r"(?:die|dying|go|kill myself|end it|do it|end my life|end things|suicide|overdose)|"
        r"(?:which|what) (?:bridge|building|pills|method|drug|rope|height) (?:i would|i will|"
        r"i am going to|i could|to) (?:use|jump|take|do it)|"
        r"how (?:high|far) (?:a|the)? ?(?:fall|drop|jump|bridge|building) (?:has|needs|would "
        r"need|to) |"
        rf"how many (?:\w+ )?{_PILLS} (?:it takes|would|to|are|is|will|could|does|do)|"
        r"how much (?:of (?:my|the) )?(?:\w+ )?(?:it takes to die|would kill|to (?:die|kill|"
        r"overdose|not wake up|end it)|would be (?:enough|lethal|fatal))",
    ),
    # --- plan ---
    _p(
        "plan.have_a_plan",
        PL,
        rf"(?:have|has|had|got|made|make|making|worked out|figured out|came up with|come up with|"
        rf"sorted) (?:a |the |my )?(?:suicide )?plan(?:{_END}| (?:and|but|now|already|ready|"
        r"worked out|in place|for (?:it|this|that|tonight|how|when)))|"
        r"(?:have|has|got|made|making) (?:a |the |my )?plan (?:to|for|of) (?:do it|end it|die|"
        r"dying|kill|how|when|where|ending|taking|my death)|"
        r"(?:have|has|got|made) (?:a |my )?(?:suicide )?plan(?: all)? (?:worked out|ready|"
        r"sorted|in place|figured out)|suicide plan|plan (?:to|on) (?:kill|killing|end|ending) "
        r"(?:myself|my life|it)|my plan is to (?:die|end|kill|jump|overdose|do it|go|drive|"
        r"walk|take|hang|not)|"
        r"(?:planning|planned|plan|plotting|preparing for|arranging|prepared for) (?:my|our) "
        r"(?:own )?(?:death|suicide|exit|ending|end|last day|final day)|"
        r"(?:have|got) (?:it|everything|this|the whole thing) (?:all )?(?:planned|figured|worked|"
        rf"sorted|mapped) out(?:{_END}| (?:and|now|already|tonight|for (?:tonight|tomorrow|"
        r"friday|saturday|sunday|the weekend)))",
    ),
    _p(
        "plan.note",
        PL,
        r"(?:suicide|goodbye|farewell|final|last) (?:notes?|letters?|messages|videos?)|"
        r"(?:wrote|written|writing|write|left|leaving|leave|drafted|drafting|finished|started) "
        r"(?:a|my|the|some|letters|notes) ?(?:notes?|letters?)?"
        rf"(?:{_END}| (?:for|to) (?:everyone|everybody|them|my {_KIN}|all of you|each of)"
        rf"(?:{_END}| (?:so|explaining|saying|before i|to read|telling|for after|for when|"
        r"to find|in case)))",
    ),
    _p(
        "plan.chosen",
        PL,
        r"(?:thought|thinking|think|planned|planning|figured|worked|decided) (?:out |about )?"
        rf"(?:exactly )?how (?:i would|i will|i am going to|i could|to) (?:do it|end it|die)"
        rf"{_END}|"
        r"(?:know|decided|chosen|chose|picked|worked out) (?:exactly )?"
        r"(?:how|when|where|which way) "
        r"(?:i will|i am going to|i would|to|i could) (?:do it|end it|die|go)|"
        r"(?:picked|chosen|chose|set|decided on|found|scouted) (?:a|the|my) (?:date|day|time|"
        r"place|spot|way|method|location|night) (?:to|for) (?:do it|end it|die|go|my death)|"
        r"(?:picked|chosen|chose|set|decided on|found|scouted) (?:a|the|my) (?:date|spot|method|"
        rf"location){_END}|"
        r"(?:picked|chosen|chose|found|scouted|checked out) (?:a|the|my) (?:\w+ )?(?:spot|place|"
        r"location) (?:by|near|at|on|under|off|up|beside|next to) (?:the |a )?(?:\w+ )?"
        rf"{_PLACES}|"
        r"(?:lethal|fatal|deadly|overdose) (?:dose|amount|quantity|dosage)|"
        r"how many \w+ (?:it takes|would kill|to die|to kill)",
    ),
    # --- preparation (alone it is a plan) ---
    _p(
        "preparation.stockpile",
        PR,
        r"(?:saving|saved|stockpil\w*|hoard\w*|collect\w*|stash\w*|stor(?:e|ed|ing)|squirrel\w*|"
        r"(?:keep|keeping|kept|put|putting|set|setting) aside|(?:been )?building up) "
        rf"(?:up )?(?:all |enough |some |a lot of |a bunch of |more |extra |lots of )?(?:of )?"
        rf"(?:my |the |these |those |his |her )?(?:\w+ )?{_PILLS}|"
        rf"(?:a|my) (?:stash|stockpile|hoard|supply|collection) of (?:\w+ )?{_PILLS}|"
        rf"{_PILLS} (?:that )?i (?:have )?(?:got |been )?(?:saved|saving|stockpiled|stockpiling|"
        r"hoarded|hoarding|stashed|stashing|collected|collecting|kept back|hidden|hiding|put "
        r"aside|set aside|squirrelled away|squirreled away)",
    ),
    _p(
        "preparation.means_ready",
        PR,
        rf"{_PILLS} (?:\w+ )?(?:hidden|stashed|hoarded|stockpiled|put away|tucked away|saved up|"
        r"squirrelled away|squirreled away|counted out|lined up|laid out)"
        rf"{_DISPENSED}|"
        rf"(?:the|my|a) (?:\w+ )?(?:{_LETHAL}|{_PILLS}|knife|blades?|razors?) (?:is|are) (?:all )?"
        r"(?:ready|set up|tied|in place|hidden|waiting|prepared|sorted|counted out|lined up|"
        r"laid out|up)(?! for (?:the|my|work|school|class|tomorrow))"
        rf"{_DISPENSED}",
    ),
    _p(
        "preparation.leaving",
        PR,
        r"(?:who|which of (?:my|them) \w+|which \w+) (?:gets|will get|should get|should have|can "
        r"have|is getting) (?:my|all my) (?:\w+ )?(?:stuff|things|belongings|possessions|money|"
        r"savings|cats?|dogs?|car|guitar|games|clothes|jewell?e?ry|books|collection|room)|"
        rf"(?:said|saying|say|texted|texting|sent|sending) (?:a )?goodbyes? to (?:my )?(?:\w+ )?"
        rf"{_KIN} (?:one by one|one last time|for the last time|before i go|for good|forever|"
        r"without (?:them|anyone) knowing|quietly|so they)|"
        r"so (?:that )?(?:no one|nobody|noone|they|people|my \w+) (?:can|could|will|would) "
        r"(?:not )?(?:stop me|find me|save me|get there in time)|"
        r"(?:no one|nobody|noone) (?:can|could|will|would) (?:stop|find|save) me(?: in time)?",
    ),
    _p(
        "preparation.acquire",
        PR,
        r"(?:bought|buying|buy|ordered|ordering|order|purchased|purchasing|got|getting|picked up|"
        r"acquired|borrowed|borrowing|found|stole|stolen|tied|tying|made|making|packed|packing|"
        r"brought|bringing|grabbed|took|taking|carrying) "
        r"(?:a |some |the |myself a |more |an |enough )?(?:new )?(?:rope|noose|gun|pistol|"
        r"handgun|firearm|revolver|rifle|shotgun|bullets|ammo|ammunition|blades|razor blades|"
        r"razors|charcoal|helium|exit bag|rat poison|poison|antifreeze|emgun|emrope)"
        r"(?! (?:swing|for (?:hunting|the range|climbing|camping|the garden|(?:the|a|my|our|"
        r"the kids|the kids s) (?:swing|boat|tent|garden|washing|clothesline|washing line|dog|"
        r"tree ?house|hammock|gym|climbing|sailing|boxing|trailer|van|roof rack))|license|"
        r"licence))",
    ),
    _p(
        "preparation.research",
        PR,
        r"how (?:much|many) (?:\w+ ){0,3}(?:is|are|would be|will be|it takes to be|to be) "
        r"(?:lethal|fatal|deadly|enough to (?:die|kill)|an overdose)|"
        r"(?:research\w*|googl\w*|search\w*|look(?:ed|ing|s)? (?:up|into|at)|read(?:ing|s)? "
        r"(?:up )?(?:on|about)|"
        r"watch(?:ed|ing)? videos (?:on|about)|ask(?:ed|ing) (?:about|online about)) "
        r"(?:the |for |about )?(?:how (?:to (?:die|kill|end|overdose|hang|do it|not wake)|"
        rf"much (?:\w+ )?(?:it takes|would|to)|many (?:\w+ )?(?:{_PILLS}|it takes)|long it takes)|"
        r"ways to (?:die|kill|end|overdose|do it)|methods|doses|dosages|dose|overdoses?|"
        r"(?:lethal|fatal|toxic|deadly)|painless|suicide|hanging|knots|tall buildings|"
        r"bridges|heights|(?:the )?(?:easiest|quickest|fastest|least painful|best|surest) "
        r"(?:way|method))",
    ),
    _p(
        "preparation.affairs",
        PR,
        r"(?:put|putting|puts|get|getting|got|sort|sorting|sorted|set|setting|have|had) "
        r"(?:all )?(?:of )?my (?:affairs|things|finances|accounts|paperwork|passwords|life) "
        r"in order|(?:put|get|getting|putting|got) (?:everything|it all) in order(?: for|"
        rf"{_END})|(?:sorted|sorting|sort) out my (?:will|affairs|life insurance|funeral)|"
        r"(?:wrote|written|writing|write|made|making|make|updated|updating|update|finished|"
        r"drafted|drew up|drawing up|signed|changed|changing) (?:a |my |out my |up my |up a )"
        r"(?:last )?will(?! (?:power|to|with|at|and power|for the (?:first|kids|baby)))|"
        r"(?:planned|planning|plan|arranged|arranging|chose|picked|choosing|paid for|paying for) "
        r"my (?:own )?(?:funeral|burial|cremation|headstone|memorial)|"
        r"(?:songs|music|hymns|readings|flowers) for my funeral|"
        r"(?:cancel\w*|clos\w*) (?:all )?(?:of )?my (?:bank )?(?:accounts|subscriptions|"
        rf"appointments|policies)(?: so|{_END})|"
        r"(?:life insurance|insurance) (?:pays out|covers suicide|will pay)|"
        r"(?:sorted|sorting|sort|organi[sz]ed|organi[sz]ing|left|leaving|wrote down|writing down|"
        r"shared|sharing|gave|giving) (?:out )?(?:all )?my (?:passwords|bank details|pin numbers|"
        rf"pins|logins|life insurance|insurance policy|insurance papers)(?: and| so| for|{_END})|"
        r"so (?:my|the) (?:\w+ )?(?:gets|get|will get|can have|has|have|can get) (?:the|my) "
        r"(?:money|insurance|house|savings|inheritance)|"
        r"(?:the|my) (?:kids|children|family|wife|husband|partner|mum|mom) will get (?:the|my) "
        r"(?:insurance|money|house)",
    ),
    _p(
        "preparation.giving_away",
        PR,
        r"(?:giving|give|gave|given|gifting|gifted|handing|handed|donated|donating|left|leaving) "
        r"(?:out |away |back )?(?:all |most )?(?:of )?(?:my|all my) (?:\w+ )?(?:things|stuff|"
        r"belongings|possessions|prized|treasures|valuables|favourite|favorite|precious|"
        r"savings|collection)(?! to charity because (?:i am moving|we are moving))|"
        r"(?:will not|never going to|not going to|no longer|not gonna) need (?:them|it|these|"
        r"those|anything|any of (?:it|this|them|my \w+)|my (?:\w+ )?\w+)(?: any ?more| where i am "
        rf"going| soon| after (?:tonight|today|this week|friday)|{_END})|"
        r"(?:rehome|rehoming|rehomed|re homing|re home|found a (?:new )?home for|"
        r"finding a (?:new )?home for|finding homes for|give away|giving away|gave away|"
        r"given away) (?:my |our )?"
        r"(?:\w+ )?(?:cats?|dogs?|pets?|puppy|kitten|birds?|rabbits?|hamster|fish|babies)|"
        r"(?:made sure|making sure|make sure|arranged|arranging) (?:that )?(?:the|my|our) "
        r"(?:\w+ )?(?:cats?|dogs?|pets?|kids|children|plants|fish|birds?) (?:will be|are|is|get|"
        r"gets|would be) (?:looked after|taken care of|cared for|fed|rehomed|okay|ok|fine|"
        rf"alright)(?: when| after| once|{_END})",
    ),
    _p(
        "preparation.goodbyes",
        PR,
        r"(?:said|saying|say|texted|texting|sent|sending|called|calling|visited|visiting|"
        r"written|wrote|writing|made) (?:all )?my goodbyes|"
        r"(?:said|saying|say|texted|texting|sent|sending) (?:a )?goodbyes? to (?:everyone|"
        r"everybody|the world|this world|all (?:my|of my) \w+|people|them all)|"
        rf"(?:said|saying|say|texted|texting|sent|sending) (?:a )?goodbyes? to my (?:\w+ )?{_KIN}"
        rf"{_END}|"
        r"(?:visiting|visited|seeing|saw|calling|called) (?:everyone|my \w+|them|my family) "
        r"(?:one last time|for the last time|a last time)|"
        r"(?:deleted|deleting|wiped|wiping) (?:all )?my (?:social media|accounts|photos|"
        rf"messages|profiles)(?: so| before|{_END})",
    ),
    # --- weak preparation: only in company ---
    _p(
        "ready.have_ready",
        RD,
        r"(?:have|got|has|had|getting|get) (?:the|my|some|enough|all the|all my|a|it|everything|"
        r"them) (?:\w+ ){0,2}?(?:ready|saved|saved up|stored|stockpiled|hidden|lined up|"
        r"prepared|set up|in place|sorted)(?! for (?:the|my|work|school|class|tomorrow))|"
        rf"(?:counted|counting|count) (?:out )?(?:the|my|all the|all my|all of my) {_PILLS}|"
        rf"(?:there is|there are|i have|have|got|i got) (?:more than )?enough(?: of them| "
        rf"{_PILLS})?{_END}|"
        rf"everything is ready{_END}|(?:it is|it will be) (?:all )?(?:set|ready|planned|"
        rf"arranged){_END}",
    ),
    _p(
        "ready.looked_up",
        RD,
        r"(?:looked|looking|look|searched|searching|googled|googling|researched|researching) "
        rf"(?:up )?(?:how|ways|methods){_END}",
    ),
    # --- company: means, places, finality, resolve, time ---
    # --- more of each family ---
    _p(
        "intent.wish_more",
        INT,
        r"(?:wish|wishing|wished|hope|hoping|hoped|pray|praying|prayed) (?:that )?i (?:just |"
        r"simply |finally |would |will |could |might )?(?:was dead|were dead|die|died|drop dead|"
        r"do not wake up|will not wake up|never wake up|would not wake up|did not wake up|"
        r"will never wake up|would never wake up|was never born|had never been born|"
        r"could (?:just )?(?:not exist|disappear|die|stop existing|vanish|not be here|end it|"
        r"fall asleep forever|sleep forever|go away forever))|"
        r"(?:do not|not|no longer|could not|would not|hardly) care (?:if|whether) i (?:live or die|"
        r"die|wake up|make it|survive|live)|"
        r"i (?:will|would|am going to|shall) (?:be dead|not be alive)(?: by| before| soon| "
        rf"tomorrow| tonight| next| in| and|{_END})|"
        r"(?:suicide|suicidal|sewerslide|killing myself) (?:thoughts|ideation|urges|feelings)|"
        r"(?:do|doing|try|trying|attempt) suicide",
    ),
    _p(
        "method.more",
        ME,
        rf"(?:{_LETHAL}|{_PILLS}|knife|knives|blades?|razors?|{_PLACES}|exhaust)(?: \w+){{0,6}} "
        r"(?:keeps|keep|is|are|was) (?:calling|calling to|calling out to|tempting|staring at) "
        r"me|"
        rf"(?:{_LETHAL}|{_PILLS}|knife|blades?|exhaust|fumes)(?: \w+){{0,10}} (?:thinking about|"
        r"think about|thought about|thinking of|think of|tempted to|want to|going to|about) "
        r"(?:using|use) (?:it|them|"
        r"that)(?: (?:on myself|to|tonight|now))?|"
        rf"(?:{_LETHAL}|{_PILLS}|exhaust|fumes|vodka|whisky|whiskey|alcohol)(?: \w+){{0,6}} "
        r"(?:would|will|could|might|should) (?:work|do it|do the job|be enough|kill me|finish me|"
        r"end it)|"
        r"car exhaust|exhaust (?:pipe|fumes)|hose (?:to|on|from|for|into) the (?:car|exhaust)|"
        r"(?:engine|car) (?:running|on) (?:in|and) (?:the )?(?:garage|door shut|doors shut)|"
        r"(?:in|inside) the garage with the (?:engine|car) (?:running|on)|"
        r"(?:what|where|something) (?:i would|i could|i will|to) tie (?:it|the rope|a rope) to|"
        r"strong enough to (?:hold|take) (?:me|my weight)|"
        r"(?:picturing|imagining|picture|imagine|visuali[sz]ing|see|seeing) myself (?:jumping|"
        r"hanging|falling|dead|dying|overdosing|stepping|in front of|on the tracks|drowning|"
        r"shooting|bleeding)|"
        r"(?:overdose|overdosing|hanging|jumping|drowning|pills|a bullet|the rope|the bridge) "
        r"(?:seems|is|would be|sounds|feels) (?:like )?(?:the|a|my) (?:easiest|best|quickest|only|"
        r"simplest|cleanest|most peaceful|least painful|surest) (?:way|option|choice|method)|"
        r"how (?:high|far|long|deep|much|many)(?: \w+){0,6} (?:to (?:not )?survive|not to survive|"
        r"to die|to not wake up|would kill|is fatal|is lethal|to be fatal|to end it|it takes to "
        r"die)|"
        rf"{_PILLS} (?:and|plus) (?:the |a |my |some )?(?:bottle of |whole bottle of )?(?:vodka|"
        r"whisky|whiskey|alcohol|wine|booze|gin|rum|drink)|"
        r"(?:which|what) (?:of my )?(?:\w+ ){0,2}(?:would|will|could|might) (?:kill me|do it|be "
        r"enough|be fatal|be lethal)|kill me (?:fastest|quickest|quicker|faster)|"
        rf"(?:the )?{_PILLS} (?:are|is) (?:going down|going in|in my hand|in front of me|next to "
        r"me|lined up|counted out|poured out)"
        rf"{_DISPENSED}",
    ),
    _p(
        "plan.more",
        PL,
        r"(?:i have |have |i |already |all )?planned (?:it|how|when|where|everything|it all|the "
        r"whole thing|my death|it out|the day|the date)(?! for (?:the|my|a|our) (?:party|trip|"
        r"wedding|holiday|birthday|event|weekend|week|meeting|move))|"
        r"(?:my|the) plan is (?:to )?(?:die|end|kill|jump|overdose|do it|hang|pills|the pills|"
        r"the rope|the gun|the bridge|the tracks|the car|a rope|a gun)|"
        r"(?:that is|this is|it is|that will be|will be|saturday is|sunday is|friday is) the "
        r"(?:day|night|date) i (?:die|do it|end it|go|kill myself|end my life)",
    ),
    _p(
        "preparation.more",
        PR,
        r"(?:bought|buying|got|getting|picked up|ordered|ordering) (?:\d+|a few|several|loads of|"
        r"lots of|extra|more|multiple|two|three|four|five) (?:boxes|packs|packets|bottles|tubs) "
        rf"of (?:\w+ )?{_PILLS}|"
        r"(?:went to|visited|tried|going to|from) (?:\d+|several|different|multiple|a few|three|"
        r"two|four|five) (?:pharmacies|chemists|shops|stores|doctors|supermarkets)|"
        rf"(?:hiding|hid|hidden|stashing|stashed|keeping|kept) (?:my|the|all my|some|a few|extra) "
        rf"(?:\w+ )?{_PILLS}|"
        r"(?:research\w*|googl\w*|search\w*|look(?:ed|ing)? up|check\w*|work(?:ed|ing) out) "
        rf"(?:which|what) (?:{_PILLS}|method|bridge|building|rope|knot|poison|drug|dose)|"
        r"pays? out (?:for|on|after|if) (?:suicide|i die|i kill myself)|covers suicide|"
        r"suicide clause|"
        r"(?:sorted|sorting|sort) (?:out )?my (?:life )?insurance(?: paperwork| papers| policy)?|"
        r"(?:my )?passwords? (?:to|for) (?:everything|all my|my accounts)|(?:my )?passwords? "
        r"(?:are|is) (?:in|on|under|written)|"
        r"(?:posted|posting|recorded|recording|filmed|shared|left|leaving) (?:all )?my goodbyes|"
        r"(?:gave|given|giving|give) (?:away )?(?:(?:my|our) (?:\w+ )?(?:cats?|dogs?|pets?|puppy|"
        r"kitten|birds?|rabbits?|hamster|fish)|(?:all|most|everything) (?:of )?(?:my|our)? ?"
        r"(?:\w+ )?(?:things|stuff|belongings|possessions|clothes|books|games|plants|"
        r"collection)?) (?:away|to)(?!.*\b(?:while|for the (?:weekend|week|trip|holiday)|until|"
        r"till|when i am (?:away|on|back)|to look after while))|"
        r"(?:wrote|written|writing|left|leaving) (?:a|my|the) (?:note|letter)s? (?:for|to) my "
        r"(?:kids|children|son|daughter|family|parents|mum|mom|dad|husband|wife|partner) "
        r"(?:to find|for after|for when|in case|in the drawer|under|to read after)|"
        r"(?:no one|nobody|noone|nothing|you) (?:is going to|will|can|could) (?:talk me (?:down|"
        r"out of (?:it|this))|stop me|change my mind)(?: this time)?",
    ),
    _p(
        "self_harm.more",
        SH,
        r"(?:burn|burning|burned|burnt|scald\w*|hit|hitting|punch\w*|bruis\w*|bang\w*) (?:my|both "
        rf"my) (?:\w+ )?{_BODY} (?:with (?:a |my |the )?(?:cigarettes?|lighters?|matches|a match|"
        r"hot|candle|wax|iron)|on purpose|deliberately|again|until|to feel)|"
        r"(?:until|till|til) (?:it|they|i|my \w+) (?:split|broke|cracked|blistered|burned|"
        r"swelled|went numb)|"
        r"(?:reopen|reopening|reopened|picking at|pick at|picked at) (?:the|my|old) (?:cuts|"
        r"wounds|scabs|scars)|"
        rf"(?:took|taking|take) (?:more|extra|too many) (?:\w+ )?{_PILLS} than (?:i should|"
        r"prescribed|i am supposed to|i was meant to)|"
        r"(?:cutting|self harm|self harming|burning myself|hurting myself)(?= (?:is|helps|makes "
        r"me feel|calms me|keeps me))|"
        r"(?:broke|break|breaking|lost|ended|reset|resetting) (?:my )?(?:\w+ ){0,3}(?:self harm|"
        r"cutting|clean|sh free) (?:streak|record)|"
        r"(?:carved|carving|carve|scratched|etched|cut) (?:\w+ ){0,3}(?:into|in|on) my (?:\w+ )?"
        rf"{_BODY}|"
        r"^(?:cut|cutting|self harmed|burned myself|burnt myself|purged)(?: again)?(?= *$)",
    ),
    _p(
        "burden.more",
        BU,
        r"(?:better|happier|easier|fine|relieved|free|freer|lighter|okay|ok|safer|richer|calmer) "
        r"(?:off )?for (?:everyone|everybody|them|all|my \w+|the \w+|people) (?:if i (?:was|were|"
        r"had|did|just|would|never|disappeared|died|left|was gone|were gone)(?: not| never)?"
        r"(?: \w+)?|without me|when i am gone)|"
        r"(?:holding|hold|dragging|drag) (?:everyone|them|my \w+|everybody|people) (?:back|down)|"
        r"(?:they|everyone|my \w+|people|everybody) (?:would|will|could) (?:be )?(?:free|freer) "
        r"without me|"
        r"(?:weight|millstone|anchor) (?:around|round) (?:my|their|everyone) (?:\w+ )?necks?|"
        r"(?:they|everyone|everybody|my \w+|people) (?:would|will|could) (?:move on|get over it|"
        r"get over me|forget me|forget about me)|"
        r"if i (?:was|were) (?:gone|dead|not here|not around)(?: \w+){1,3} (?:could|would|will|"
        r"might) (?:finally )?(?:be )?(?:happy|happier|free|move on|relax|live)",
    ),
    _p(
        "trapped.more",
        TR,
        r"stuck (?:in this|here|like this|in this life|in this hell)(?: \w+){0,2} forever|"
        r"trapped (?:in this|here|like this)(?: \w+){0,2} forever|"
        r"no (?:hope|future|way forward) (?:left|for me|at all)",
    ),
    _p(
        "farewell.more",
        FA,
        r"if (?:anyone|someone|somebody) (?:reads|finds|sees|is reading) this|"
        r"(?:please )?(?:take care of|look after|feed|walk|love) (?:my|our) (?:\w+ )?"
        r"(?:cats?|dogs?|"
        rf"pets?|fish|birds?|rabbits?|hamster|plants)(?: \w+)?{_END}|"
        r"(?:could|would|can|please) (?:feed|walk|look after|take care of|take|adopt) my (?:\w+ )?"
        r"(?:cats?|dogs?|pets?|fish|birds?|rabbits?|hamster)(?! (?:while|this weekend|for the "
        r"(?:weekend|week)|when i am (?:away|at|on)|on))|"
        r"will not be (?:checking in|posting|writing|logging in|on here|using this)(?: any ?more| "
        r"again)|"
        r"(?:will not|never|will never|do not) have to (?:deal with|worry about|put up with|see|"
        r"look after|take care of|hear from) me (?:again|any ?more|after|much longer|soon|"
        r"for much longer)|"
        r"(?:not going to|will not|never going to|am not going to) (?:see|make it to|live to see|"
        r"be here for|be around for|be alive for) (?:christmas|my birthday|next year|the new year|"
        r"another (?:year|birthday|christmas|summer)|the spring|the summer|my \w+ birthday)|"
        r"before i go for good|(?:say|said|saying) (?:goodbye|thank you|thanks|sorry) before i "
        r"(?:go|leave|am gone)|"
        r"i (?:will|shall|am going to) (?:be at peace|finally be at peace|be free|finally be free|"
        r"be with (?:him|her|them|my \w+)|finally rest|rest in peace)(?: soon| now| tonight| "
        rf"forever| of (?:this|it|it all|the pain|everything)|{_END})|"
        r"(?:will not|won't|will never|not going to) be (?:alive|here|around|breathing) (?:by|"
        r"after|past|on|for|much longer|tomorrow|next|this time|in a)|"
        rf"^(?:goodbye|farewell)(?: all| everyone| forever| world| kindred| friends| guys| "
        rf"everybody| mum| mom| dad)?{_END}",
    ),
    # --- a third wave: the same families in other words ---
    _p(
        "method.third",
        ME,
        r"(?:sitting|sat|lying|lay|laying|standing|stood|waiting|parked) on (?:the )?(?:train |"
        r"railway )?(?:tracks|rails|railway line|level crossing)|"
        r"(?:rocks|stones|weights) in my (?:pockets|coat|bag)|"
        rf"(?:{_LETHAL}|{_PILLS}|jumping|hanging|the bridge|a knife|the knife|drowning|the train|"
        rf"a bullet|the car) or (?:{_LETHAL}|{_PILLS}|jumping|hanging|the bridge|a knife|the knife|"
        r"drowning|the train|a bullet|the car)(?! (?:for (?:dinner|lunch)|today))|"
        r"(?:think|thinking|thought|dream|dreaming|fantasi[sz]e|fantasi[sz]ing) about (?:jumping|"
        r"hanging|drowning|overdosing|crashing|stepping in front|walking into traffic|"
        r"shooting|slitting|throwing myself)(?! (?:in|into|on|at|ship|jobs|careers|to|the gun|"
        r"out|around|rope|jacks))|"
        rf"how many (?:of )?(?:my |the )?(?:\w+ )?{_PILLS}(?: \w+){{0,2}} (?:it would take|"
        r"would it "
        r"take|it takes|would do it|would kill|would be enough|would be lethal)|"
        r"(?:looked|looking|stared|staring|gazed|gazing) at (?:the|my) (?:\w+ )?(?:knives|knife|"
        rf"blades?|rope|gun|{_PILLS}|bridge|tracks|razors?) (?:for (?:a long time|ages|hours|an "
        r"hour|a while|so long)|again|all night|and thought)|"
        rf"(?:{_LETHAL}|{_PILLS}|knife|blades?|bridge|tracks)(?: \w+){{0,4}} (?:would be|is|seems|"
        r"could be|might be) (?:an? |the )?(?:easy|easiest|quick|quickest|painless|simple|"
        r"simplest|peaceful|clean) (?:way|option|exit|out|method)|"
        r"(?:hitting|hit|banging|bang|bashing|bashed|smashing|smashed) my (?:head|fists?|hands?) "
        r"(?:against|into) (?:the |a )?(?:wall|floor|door|mirror)",
    ),
    _p(
        "preparation.third",
        PR,
        rf"with all (?:of )?my {_PILLS}|"
        r"(?:wrote|written|writing|write|left|leaving) (?:letters|notes|goodbye \w+|a letter to "
        r"each|a note to each) (?:to|for) (?:everyone|everybody|all|each|my (?:\w+ )?"
        rf"{_KIN})|"
        r"who (?:will|would|is going to|can|should) (?:take|have|look after|get|adopt|inherit) "
        r"(?:my|all my) (?:\w+ )?(?:cats?|dogs?|pets?|kids|children|things|stuff|belongings|"
        r"money|house)|"
        r"my will (?:is|was) (?:up to date|updated|sorted|done|written|signed|ready)|"
        r"so (?:that )?(?:nobody|no one|noone|they|my \w+|people|no one else) (?:has to|have to|"
        r"would have to|will have to|needs to|need to|gets|get|is|are) (?:clear up|clean up|sort "
        r"out|deal with|sort|go through|find|pay|stuck|left)|"
        r"(?:ordered|bought|got|found) (?:\w+ ){0,3}(?:that|which) (?:will|would|should) "
        rf"(?:do it|do the job|end it|kill me){_END}|"
        r"(?:will not|never going to|not going to|no longer|not gonna) need (?:either|both|"
        r"any of it|anything)",
    ),
    _p(
        "farewell.third",
        FA,
        r"(?:the )?(?:last|final)(?: time)? (?:you|anyone|they|you all|you guys|"
        r"everyone) (?:will )?"
        r"(?:hear from|see|hear|read|talk to) me|(?:the )?last time i (?:will )?(?:see|talk to|"
        r"write to|hear) (?:the|my|you|anyone|this)|"
        r"(?:signing|logging|checking) off (?:for (?:the last time|good|ever|the final time)|"
        r"forever)|this is me signing off|"
        r"(?:hope|wish) (?:you|you all|everyone|y ?all|you guys|everybody)(?: all)? (?:have|has|"
        r"live|find|get) (?:a )?(?:good|great|happy|nice|long|wonderful|better|beautiful) "
        r"(?:lives?|life)|"
        r"(?:please )?(?:take care of|look after) (?:my|our) (?:kids|children|family|babies|"
        rf"mum|mom|dad|wife|husband|boys|girls|son|daughter)(?: for me)?{_END}",
    ),
    _p(
        "self_harm.third",
        SH,
        r"(?:scars|cuts|wounds|burns) (?:on my (?:\w+ )?\w+ )?(?:are|is) (?:fresh|new|open|"
        r"bleeding|"
        r"infected|deep)|"
        r"(?:scratched|scratching|scratch|picked|picking|pick|rubbed|rubbing) (?:myself|my \w+) "
        r"(?:raw|bloody|until|till)|"
        r"^(?:cut|cutting|self harmed|burned myself|burnt myself|purged)(?: again| twice| last "
        r"night| today| tonight| \w+ times)+(?= *$)",
    ),
    _p(
        "burden.third",
        BU,
        r"(?:deserve|deserves|deserved) (?:better|someone better|more) than me|"
        r"(?:by being (?:here|alive|around)|just by (?:existing|being alive|being here|being me))|"
        r"(?:nobody|no one|noone) (?:would|will) (?:even )?(?:notice|care|realise|realize) (?:i|"
        r"that "
        r"i) (?:was|am|had|were) (?:gone|dead|missing|not here)",
    ),
    _p(
        "trapped.third",
        TR,
        r"no way i (?:can|could) (?:keep living|go on|keep going|carry on|live|survive|keep doing "
        r"this) (?:like this|this way|any ?more|much longer)|"
        r"(?:can not|could not) (?:see|imagine) (?:a|any) (?:future|way out|way forward|life) "
        r"(?:for me|ahead|that is not)",
    ),
    _p(
        "intent.third",
        INT,
        r"better off (?:not existing|not alive|not being here|not here|gone|not born|never born|"
        r"asleep forever|not around)|"
        r"(?:would|will|could) (?:rather|prefer to) (?:not exist|not be here|not be alive|not wake "
        r"up|be gone)",
    ),
    # --- a fourth wave ---
    _p(
        "intent.fourth",
        INT,
        r"(?:would |i would )?welcome (?:a |an )?(?:car crash|crash|accident|heart attack|death|"
        r"dying|the end|an end|it all ending|a fatal \w+)|"
        r"(?:hope|hoping|pray|praying|wish|wishing) (?:for )?(?:a|an) (?:fatal |"
        r"deadly )?(?:car crash|"
        r"crash|accident|heart attack|illness|disease)|"
        r"(?:fantasi[sz]\w*|daydream\w*|dream\w*|obsess\w*|ruminat\w*) (?:about|"
        r"of) (?:not existing|"
        r"dying|death|being dead|killing myself|ending it|not being here|my death|suicide)|"
        r"(?:want|wants|wanted|need) (?:to get )?off (?:this|the) (?:planet|ride|earth|world)|"
        r"let me off(?: (?:this|the))?(?: (?:ride|planet|world))?|"
        r"(?:no|zero|not any|not much|little|lost (?:all|the|my)) (?:desire|will|wish|want|"
        r"motivation|reason|interest) (?:left )?to (?:live|keep living|go on|keep going|be alive|"
        r"exist|carry on|stay alive)|"
        r"(?:sleep|asleep|bed) and (?:not|never) (?:have to |need to |want to )?wake up|"
        r"if i (?:died|was dead|were dead|killed myself|was gone forever|disappeared forever)"
        r"(?: tomorrow| tonight| today)? (?:would|will|nobody|no one|who|everyone|anyone|it)",
    ),
    _p(
        "method.fourth",
        ME,
        r"(?:vodka|whisky|whiskey|alcohol|wine|booze|gin|rum|drink)(?: \w+){0,6} (?:and|plus|"
        r"with) (?:a |the |my )?(?:full |whole )?(?:(?:pack|packet|box|bottle|load|strip) of )?"
        rf"(?:my )?{_PILLS}|"
        r"(?:practic\w*|rehears\w*|testing|test|tested|trying out|tried out) (?:with )?(?:the|my|"
        r"a) "
        r"(?:\w+ )?(?:knife|rope|noose|belt|gun|blade|razor|pills|knot|knots|ligature)|"
        r"(?:in|into|getting into) the (?:bath|bathtub|tub) with (?:a|the|my) (?:razor|knife|"
        r"blade|pills|toaster|hairdryer|razors|blades)|"
        r"thinking about the (?:next|oncoming|fast|express) (?:train|bus|lorry|truck)|"
        r"i am (?:on|at|up on) (?:the |a )?(?:bridge|roof|rooftop|ledge|cliff|cliffs|edge|tracks|"
        r"cliff edge|edge of the (?:cliff|roof|bridge|platform)|top of the bridge|"
        r"train tracks|railway|top of (?:the|a) \w+)(?: now| right now)?(?= *$)",
    ),
    _p(
        "preparation.fourth",
        PR,
        r"(?:belt|cord|cable|scarf|lead|sheet|bedsheet|ligature|rope|noose)(?: \w+)? (?:ready|"
        r"tied|set up|in place|hung up|over the (?:door|beam|banister))|"
        r"(?:bought|buying|got|ordered|picked up|stocked up on|stocking up on) (?:a lot of|lots of|"
        r"loads of|a load of|tons of|heaps of|so many|extra|a stash of|enough) (?:\w+ )?"
        rf"{_PILLS}(?! for (?:flu|cold|the flu|winter|my \w+|the kids|headaches|the trip|"
        r"the house|work))|"
        r"will not need (?:this|the|my) (?:\w+ )?(?:app|phone|account|therapy|appointment|"
        r"car|flat|room|job|stuff|things|meds)(?: any ?more| after| soon| where i am going)",
    ),
    _p(
        "burden.fourth",
        BU,
        r"(?:would|will|could|might) (?:improve|be better|get better|be easier|be fine|be okay|"
        r"be ok|move on) (?:if|when|once|after) i (?:died|was gone|were gone|was dead|"
        r"disappeared|left|was not here|am gone|die)|"
        r"(?:they|everyone|my \w+|people|everybody) (?:would|will) (?:be|feel) (?:so )?(?:relieved|"
        r"better|happier|free)(?: if i| when i| without me| once i|(?= *$))|"
        r"nothing but (?:trouble|a problem|a burden|a pain|a disappointment|a waste|a drain) "
        r"(?:for|to) (?:my \w+|everyone|them|everybody|people)|"
        r"(?:better off|happier) with (?:a )?(?:different|another|new|better|someone else as) "
        r"(?:mum|mom|dad|father|mother|parent|wife|husband|partner|friend|daughter|son|person)",
    ),
    _p(
        "trapped.fourth",
        TR,
        r"(?:no|not any|zero) (?:point|reason) (?:in )?(?:carrying on|going on|living|trying|"
        r"continuing|being here|staying|getting up|waking up)|"
        r"can not (?:bear|take|face|do|survive|live|handle|stand|cope with|go through|get through) "
        r"(?:another|one more) (?:day|night|week|minute|hour|year)",
    ),
    _p(
        "finality.fourth",
        FI,
        r"(?:none of (?:this|it)|nothing) (?:will|would|"
        r"is going to) matter(?: to me)?(?: any ?more|"
        r" soon| after| by| then)?|"
        r"i (?:will|shall|am going to) (?:finally )?be free of (?:this|it|it all|the pain|"
        r"everything"
        r"|all of this)",
    ),
    _p(
        "means.with",
        MS,
        r"with (?:my|the|all my|a bottle of|a box of|all the) (?:\w+ )?(?:"
        + _PILLS
        + r"|rope|gun|knife|razor|blades?|belt)",
    ),
    # --- a fifth wave ---
    _p(
        "intent.fifth",
        INT,
        r"(?:easy|easier|better|nice|peaceful|simpler) to (?:just )?(?:not be here|not exist|"
        r"disappear|die|not wake up|end it|be gone|stop existing|fade away|vanish|go to sleep "
        r"forever|sleep forever|not be around)|"
        r"(?:wish|wishing|wished|hope|hoping|pray|praying) (?:that )?i (?:would |could |might |"
        r"will )?(?:get|got) (?:hit|run over|killed)|"
        r"(?:end|ending|stop|stopping) (?:my|this) (?:suffering|misery|torment|existence)|"
        r"(?:end|ending|stop|stopping) the (?:suffering|misery|torment) (?:for good|forever|once "
        r"and for all|permanently)|"
        r"had enough of (?:life|living|everything|it all|this life|being alive|this world|"
        r"existing)|"
        r"(?:life|living|this world|existing|being alive) (?:is not|was never) (?:for me|worth it)|"
        r"(?:please )?do not miss me|"
        r"(?:bye|goodbye) forever",
    ),
    _p(
        "trapped.fifth",
        TR,
        r"done (?:fighting|trying|living|with life|with living|being alive|with this life)|"
        r"(?:tired|sick|exhausted) of fighting(?: this| it| every day| anymore)?",
    ),
    _p(
        "method.fifth",
        ME,
        r"(?:take|taking|took|swallow|swallowing|swallowed|down|downing|neck|necking) (?:a |an |"
        r"the )?"
        r"(?:whole |entire |full )(?:bottle|box|pack|packet|handful|strip|tub|jar|blister)s? of"
        r"(?! (?:water|wine|beer|juice|milk|cereal|crisps|chips|biscuits|cookies|chocolates?|"
        r"sweets|candy|tea|coffee|snacks|soda|cola|coke|tissues|pens|crayons|lego|cards|food|"
        r"cake|pizza|popcorn|donuts|doughnuts|shampoo|sun ?cream|sunscreen))",
    ),
    _p(
        "plan.fifth",
        PL,
        r"(?:know|decided|chosen|chose|picked|worked out) (?:exactly )?(?:which|what|how many|how "
        rf"much) (?:{_PILLS}|bridge|building|method|way|rope|dose|tablets|drug|height|knot)",
    ),
    _p(
        "preparation.fifth",
        PR,
        r"(?:hidden|hid|hiding|stashed|stashing) (?:a|the|my|some) (?:\w+ )?(?:knife|knives|"
        rf"blades?|razors?|rope|gun|belt|noose|{_PILLS})|"
        r"(?:arranged|arranging|organised|organized|organising|organizing|sorted) (?:for )?"
        r"(?:\w+ ){0,3}to (?:have|take|look after|adopt|get|keep) (?:my|all my) (?:\w+ )?"
        r"(?:cats?|dogs?|pets?|kids|children|things|stuff|belongings|plants|fish)",
    ),
    _p(
        "self_harm.fifth",
        SH,
        r"(?:slammed|slam|hit|burned|burnt|cut|scratched|punched|bit|broke|bruised|banged|smashed|"
        r"stabbed|scalded|starved|hurt) (?:\w+ ){1,5}(?:on purpose|deliberately|intentionally)",
    ),
    _p(
        "burden.fifth",
        BU,
        r"(?:make|making|made|makes) (?:everyone|everybody|my \w+|people|their|everything)"
        r"(?: is| else)?(?: \w+)? ?(?:lives?|life)? (?:worse|harder|miserable|hell|a misery)",
    ),
    _p(
        "finality.fifth",
        FI,
        rf"it (?:all )?(?:ends|will end|is over){_END}|i am ready to go{_END}",
    ),
    _p(
        "vague.farewell_enough",
        VG,
        rf"(?:i have )?had enough{_END}|^no more{_END}|i want (?:it )?to stop{_END}|"
        r"(?:you|you guys|you all|y all|everyone|this group|kindred) (?:were|was|have been|"
        r"has been) "
        r"(?:the best|amazing|so kind|good to me|great|wonderful)|"
        r"sorry (?:it|things) (?:ended|had to end|turned out|went) (?:like this|this way)",
    ),
    _p(
        "place.lethal",
        PLC,
        r"(?:to|at|on|onto|up|by) (?:the |a )?(?:(?:top|edge) of (?:the|a) )?(?:\w+ )?"
        r"(?:bridge|cliffs?|cliff edge|tracks|"
        r"train tracks|railway|railway line|roof|rooftop|ledge|multi storey|multistorey|car park|"
        r"carpark|tower|overpass|viaduct|quarry|dam)(?! (?:for|to (?:work|school|the shops)|with "
        r"(?:my|the) (?:family|kids|dog|friends)))",
    ),
    # --- a sixth wave ---
    _p(
        "intent.sixth",
        INT,
        r"(?:made|making|at) peace with (?:dying|death|the idea of dying|ending it|killing myself|"
        r"going|leaving this world)|"
        r"(?:pull|pulled|drawn|drawing|drawn) (?:towards?|to) (?:death|dying|the edge|the end)|"
        r"wish i (?:had |would |would have )?(?:never|not) (?:woken up|woke up|wake up|been born|"
        r"existed|survived)|"
        r"(?:can not|could not|do not|no longer) (?:picture|imagine|see) (?:a |any )?(?:future|"
        r"myself)(?: \w+){0,4} (?:alive|still here|old|making it|living|in (?:a|five|ten|two) "
        r"years?)",
    ),
    _p(
        "trapped.sixth",
        TR,
        r"(?:hole|pit|darkness|place|mess|this) i (?:will never|can never|can not|could never|am "
        r"never going to|will not ever) (?:get|climb|dig|crawl) out of|"
        r"(?:at|reached|come to|came to) the end of my (?:rope|tether)",
    ),
    _p(
        "method.sixth",
        ME,
        r"(?:stood|standing|stand|stepped) on (?:a|the) (?:chair|stool|box|bucket|ladder) with "
        r"(?:a|the|my) (?:belt|rope|cord|cable|scarf|noose|ligature)|"
        r"(?:belt|rope|cord|cable|scarf|noose|ligature|plastic bag) (?:around|round|over) my "
        r"(?:neck|head)",
    ),
    _p(
        "plan.sixth",
        PL,
        r"(?:have|got) (?:the )?means(?: to (?:do it|end it|kill myself|die))?(?= *$| and)|"
        r"(?:have|got) (?:a|the) (?:time|date|place|day) (?:set|picked|chosen|sorted|planned)",
    ),
    _p(
        "preparation.sixth",
        PR,
        r"(?:collect\w*|sav\w*|hoard\w*|stockpil\w*|stash\w*|hid\w*) (?:a |the |my "
        r"|some |more |up )?(?:\w+ )?(?:razor blades|blades|razors|knives|ropes|belts|bullets|"
        r"ammo)|"
        r"(?:research\w*|googl\w*|search\w*|look\w* up|learn\w*|watch\w*) how to (?:tie|make) "
        r"(?:a |the )?(?:noose|hangman|slip knot|knot for)|"
        r"(?:picked|picking|chose|chosen|choosing|planned|planning|wrote|writing|sorted|sorting) "
        r"(?:out )?my (?:own )?funeral (?:songs|music|playlist|readings|plans|outfit|flowers|"
        r"service)",
    ),
    _p(
        "self_harm.sixth",
        SH,
        r"(?:scratching|scratched|scratch|picking|picked|clawing|clawed|digging|dug) (?:at |into )?"
        r"my (?:\w+ )?(?:wrists|arms|skin|legs|thighs|face)(?: again| until| till| raw| so hard| "
        r"with (?:a|my|the))",
    ),
    _p(
        "burden.sixth",
        BU,
        r"(?:would|will) be (?:\w+er|better|easier|quieter|calmer|simpler|happier|nicer|lighter|"
        r"more peaceful) (?:for \w+ )?if i (?:was|were|had) (?:not|never|gone|dead)",
    ),
    _p(
        "farewell.sixth",
        FA,
        r"if (?:you are|anyone is|someone is|somebody is|you) (?:reading|read|find|see) this|"
        r"i (?:am|will be|will already be) (?:already )?gone (?:by now|by then|already)|"
        r"i am already gone|"
        r"see you (?:all|guys|everyone) (?:on the other side|in (?:another|the next|a better) "
        r"life|in heaven)|"
        r"(?:it is|it has) been (?:nice|good|an honour|an honor|a pleasure) knowing (?:you|"
        r"everyone|y ?all)",
    ),
    _p(
        "intent.seventh",
        INT,
        r"disappointed (?:that )?i (?:woke up|am still alive|am still here|survived|did not die|"
        r"made it through)|(?:unfortunately|sadly|annoyingly|somehow) (?:i )?(?:woke up|am still "
        r"alive|survived|am still here)(?: again)?|"
        r"(?:thinking|thoughts) (?:about|of|bout) (?:ending|killing|jumping|overdosing|hanging)",
    ),
    # --- a seventh wave ---
    _p(
        "intent.eighth",
        INT,
        r"(?:hope|hoping|pray|praying|wish|wishing) (?:that )?i (?:just )?(?:do not|will not|never|"
        r"would not) (?:make it|survive|get home|come home|come back)|"
        r"(?:if|when) i (?:died|die|was dead|did not wake up|"
        r"never woke up)(?: \w+){0,4} i (?:would|"
        r"will) (?:be|feel) (?:relieved|happy|grateful|glad|fine|okay|ok|at peace)|"
        r"(?:fine|okay|ok|happy|content|at peace|glad) (?:with|about) (?:never waking up|not "
        r"waking up|dying|death|not being here|not existing)|"
        r"waiting (?:room )?for (?:death|the end|it to end|it all to end|my life to end)|"
        r"(?:want|wish|need) to not (?:be alive|exist|be here|wake up|live|be around)|"
        r"(?:i am|so|totally|just) over (?:living|life|being alive|existing)",
    ),
    _p(
        "method.eighth",
        ME,
        r"(?:take|taking|swallow|swallowing|down) (?:everything|all|whatever is|whatever) (?:in|"
        r"from) (?:the|my) (?:medicine )?(?:cabinet|cupboard|drawer|bathroom|box|bag|first aid "
        r"kit)|"
        r"(?:the )?(?:easiest|quickest|best|simplest|least painful|surest|cleanest|fastest) (?:way|"
        r"method|option)(?: \w+){0,2} (?:would be|is|seems|might be|will be) (?:pills|the pills|"
        r"a rope|the rope|hanging|jumping|the bridge|drowning|a gun|the gun|overdosing|an "
        r"overdose|the train|my meds|the car)|"
        r"(?:car|exhaust)(?: \w+){0,6} (?:with|and) (?:a|the) (?:hose|hosepipe|tube|tubing|pipe)|"
        r"(?:step|stepping|jump|jumping|fall|falling|throw myself) (?:off|from) (?:the|a) "
        r"(?:platform|cliff edge|edge)",
    ),
    _p(
        "preparation.eighth",
        PR,
        r"(?:get|getting|grab|grabbing|grabbed|fetch|fetching|take|taking|borrow|borrowing|"
        r"borrowed|steal|stealing|stole) (?:my |the |a |his |her |their )?(?:\w+ )?(?:gun|"
        r"shotgun|rifle|pistol|handgun|firearm|revolver)|"
        r"a (?:letter|note|video|message) (?:to|for) each of (?:my|them|you)",
    ),
    _p(
        "finality.eighth",
        FI,
        r"i (?:will|shall) (?:not|no longer) (?:exist|be alive)|"
        r"(?:it|everything|my life|all of this|the pain|this) will all be over|"
        r"(?:everything|it all|my life|all of this|the pain) will (?:all )?be over",
    ),
    # --- an eighth wave ---
    _p(
        "intent.ninth",
        INT,
        r"looking forward to (?:dying|death|the end|not being here|being dead|it all ending)|"
        r"(?:give anything|do anything|pay) to (?:not exist|die|not wake up|be dead|disappear|not "
        r"be here|stop existing)|"
        r"(?:want|wish|need) (?:someone|somebody|something|anyone|god|you) to (?:kill me|"
        r"end it for "
        r"me|end my life|put me out of my misery|shoot me|run me over)",
    ),
    _p(
        "method.ninth",
        ME,
        r"(?:drink|drinking) (?:until|till|then|and) (?:\w+ ){0,4}(?:take|swallow|down) (?:my |the "
        rf"|all my )?(?:\w+ )?{_PILLS}|"
        r"(?:would|will|could) (?:hold|take) (?:me|my weight)|"
        r"(?:tested|testing|checked|checking) (?:the|a|if the) (?:beam|banister|rail|hook|branch|"
        r"tree|door frame|loft hatch)|"
        r"(?:googl\w*|search\w*|research\w*|look\w* up|ask\w*) (?:if|whether|how|what) (?:\w+ )"
        r"{0,3}(?:overdose|overdosing|hanging|drowning|jumping|bleeding out|dying) (?:is|hurts|"
        r"would|takes|feels)",
    ),
    _p(
        "preparation.ninth",
        PR,
        rf"{_PILLS}(?: \w+){{0,8}} (?:saving|saved|keeping|kept|hoarding|stockpiling|stashing|"
        r"hiding) them(?: up| all)?|"
        r"so (?:they|no one|nobody|people|my \w+) (?:will not|would not|do not|does not) (?:look "
        r"for|come looking for|worry about|check on|come after) me|"
        r"so (?:my \w+|nobody|no one|they) (?:is not|are not|will not be|would not be) (?:out of "
        r"pocket|left with|stuck with|burdened)",
    ),
    _p(
        "self_harm.ninth",
        SH,
        r"(?:pulled|dragged|ran|drew|pressed|dug) (?:a|the|my) (?:blade|razor|knife|scissors|glass|"
        rf"compass)(?: \w+){{0,2}} (?:across|along|over|into|against) my (?:\w+ )?{_BODY}|"
        r"my (?:\w+ )?(?:arms?|legs?|thighs?|wrists|body|stomach) (?:are|is) (?:covered in|"
        r"full of) "
        r"(?:cuts|scars|burns|wounds|marks)",
    ),
    _p(
        "burden.ninth",
        BU,
        r"(?:only|just|always) (?:cause|bring|causing|bringing) (?:pain|problems|trouble|misery|"
        r"hurt|stress) (?:to|for) (?:people|everyone|everybody|my \w+|those|them)",
    ),
    _p(
        "trapped.ninth",
        TR,
        r"(?:there is|is|just) no way forward|"
        r"(?:every day|each day|every morning|life|living|existence|everything|every minute) (?:is|"
        r"feels|has become) (?:so )?(?:unbearable|torture|agony|hell|a nightmare|too much)",
    ),
    # --- a tenth wave: families from statements written by others ---
    _p(
        "intent.tenth",
        INT,
        # to be gone, not to exist, to sleep for good
        r"(?:want|wants|wanted|wanting|wish|wishing|need|long|longing|hope|hoping|ready) to "
        r"(?:just )?(?:stop being alive|stop breathing|stop existing|stop living(?! (?:in|with|"
        r"like|for|at|here|there|off|under|a|the|my|this|on|through)))|"
        r"(?:want|wants|wanted|wanting|wish|wishing|need|needing|long|longing|hope|hoping|ready) "
        r"(?:to |i could |i was |i were )?(?:just |simply |finally |really |quietly )?"
        rf"(?:be gone|not exist|not be here|stop being|go away)(?:{_END}| (?:for good|forever|for "
        r"ever|permanently|from (?:this|the) (?:world|earth|life|planet)|from everything|"
        r"and never come back|and not come back|and never be found))|"
        r"(?:want|wants|wanted|wanting|wish|wishing|need|long|longing|hope|hoping|pray|praying|"
        r"ready)(?: \w+){0,4} (?:sleep(?! in)|stay asleep|fall asleep|go to sleep|close my eyes|"
        r"rest)"
        r"(?: \w+){0,3} (?:forever|for ever|for good|permanently|and never wake|and not wake|"
        r"and never open|and never open them)|"
        r"(?:sleep|stay asleep|fall asleep) forever(?: emsleep)*(?: emskull| emgrave)+|"
        r"emsleep(?: emsleep)* (?:emskull|emgrave)|"
        # a voice (or the head) commanding it
        r"(?<!text )(?<!text a )(?:voice|voices|head|brain|mind|thoughts|something inside me)"
        r"(?! (?:message|messages|note|notes|mail|memo|call|chat))(?: \w+){0,6} "
        r"(?:says?|saying|said|tells?|telling|told|whispers?|whispering|screams?|screaming|"
        r"shouts?|shouting|commands?|commanding|orders?|ordering|urges?|urging|keeps? saying|"
        r"keeps? telling)(?: at)?(?: me)?(?: that)?(?: i)? (?:should |must |need to |have to |to |"
        r"deserve to |ought to )?(?:kill (?:myself|yourself)|die|end it|end (?:my|your) life|"
        r"hurt (?:myself|yourself)|harm (?:myself|yourself)|cut (?:myself|yourself)|jump|"
        r"be dead|do it|go die|end yourself|end myself)(?! (?:my|her|his|your|the) hair)|"
        # resolve to die
        r"(?:going to|will|gonna|about to|ready to|decided to) (?:do it|go through with it) and "
        r"(?:die|be gone|be dead|not come back)|"
        r"(?:die|dying|end my life|go) (?:by|at) (?:my own hand|my hand|my own hands|suicide|"
        r"my own choice)|"
        r"(?:will|going to|gonna|want to|choose to|decided to|ready to) (?:die|go) on my own "
        r"terms|"
        # hit by a bus would be fine; everything to stop for good; it keeps crossing my mind
        r"(?:would not|do not|would not even|wouldn t) (?:mind|care) if (?:a|the|some) (?:car|"
        r"bus|truck|train|lorry|plane) (?:hit|hits|killed|kills|ran me over|runs me over|took "
        r"me out)|(?:would not|do not) (?:mind|care) if i (?:got|get|was|were) (?:hit|run over|"
        r"killed)|"
        r"(?:want|wish|need) (?:everything|it all|life|all of it|my life) to (?:stop|end) "
        r"(?:permanently|for good|forever|for ever)|"
        r"(?:suicide|dying|death|killing myself|ending it|ending my life|ending things|taking my "
        r"(?:own )?life|not being here) (?:keeps|keep|kept|has been|is|was|always) (?:crossing|"
        r"popping into|coming into|going through|running through|creeping into|on) my (?:mind|"
        r"head|thoughts)|"
        r"(?:intend|intending|intended|determined|resolved|committed) to (?:end it|end my life|"
        r"kill myself|die|end things|take my (?:own )?life|end it all)|"
        r"(?:want|wish|need|long) to (?:disappear|vanish) (?:and never be (?:found|seen "
        r"again)|off the face of the earth|without a trace)|"
        r"(?:thought|idea|prospect) of (?:not waking up|never waking up|dying|death|being dead|"
        r"not existing|killing myself|ending it|ending my life) (?:is|feels|seems|sounds) "
        r"(?:so |really |very )?(?:comforting|a comfort|peaceful|appealing|tempting|nice|"
        r"soothing|calming|a relief|like (?:a )?relief)|"
        r"(?:voice|voices)(?: \w+){0,4} (?:want|wants|wanted) me (?:dead|to die|to kill myself|"
        r"to hurt myself|gone|to end it)|"
        r"(?:want|wish|need) (?:the pain|this pain|the suffering|all this|all of this|it) to "
        r"(?:stop|end) (?:permanently|for good|forever|for ever)|"
        r"(?:not sure|do not know if|unsure if|unsure whether|doubt|do not think) i (?:can|could|"
        r"will) (?:keep|stay) (?:myself )?safe|"
        # check out of life
        r"(?:check|checking|checked|clock|clocking|tap|tapping) out (?:for good|permanently|"
        r"of (?:life|this life|this world|existence|everything|here for good))|",
    ),
    _p(
        "plan.tenth",
        PL,
        # the last time alive, with its time
        r"(?:my|the|this is my|is my|it is my|tonight is my|today is my) (?:very )?(?:last|"
        r"final) "
        r"(?:weekend|night|day|week|morning|evening|sunset|sunrise|christmas|birthday|hours?|"
        r"days|moments?|breath) (?:alive|on (?:this )?(?:earth|planet)|in this (?:world|life)|"
        r"breathing|of my life|as a living)|"
        r"(?:will not|won't|not going to|never going to|am not going to|do not plan to|do not "
        r"intend to|will never) (?:see|make it to|live to see|be alive for|be here for|be "
        r"around for|be alive on|wake up on|survive) (?:monday|tuesday|wednesday|thursday|"
        r"friday|saturday|sunday|tomorrow|the morning|morning|sunrise|the sunrise|dawn|the "
        r"weekend|next week|another (?:day|week|night|morning)|the end of (?:the|this) "
        rf"(?:week|month|day)|(?:this|next) (?:weekend|week|month))(?! s )(?:{_END}| (?:alive|"
        r"anyway|either|i|because i|so|and))|"
        # ending it, with its time
        r"(?:(?:end|ends|ending) (?:it|things|this)|(?:end|ends|ending|finish|finishing) (?:it "
        r"all|everything|my life|myself off|things for good))(?: all)?(?: for good)? "
        r"(?:later |early |either )?(?:today|tonight|"
        r"tomorrow|this (?:weekend|week|evening|afternoon|morning)|later|soon|very soon|on "
        rf"{_DAYS}|{_DAYS}(?: night)?|by (?:morning|midnight|the weekend|{_DAYS})|in (?:a|an|\d+|"
        r"a few|two|three|a couple of) (?:hours?|days?|minutes?))(?! (?:at|with|in the|for the "
        r"(?:team|company|class)|meeting|shift|session))|"
        # two things chosen
        r"(?:picked|chosen|chose|set|decided on|found|fixed) (?:the|a|my) (?:place|spot|date|day|"
        r"time|method|way|location) and (?:the|a|my) (?:place|spot|date|day|time|method|way|"
        rf"location){_END}|"
        # knowing when, where and how
        r"(?:know|decided|worked out|figured out|chosen|chose|picked) (?:exactly )?(?:how|when|"
        rf"where)(?: (?:how|when|where))?,? and (?:how|when|where)(?: to do it| i will do it)?"
        rf"{_END}",
    ),
    _p(
        "method.tenth",
        ME,
        # asking whether a means would be enough, or how much it takes
        r"how (?:many|much) (?:of )?(?:these|those|them|it|this|that|of (?:these|those|them)|"
        r"of my \w+|of the \w+)(?: \w+)? (?:would it take|would i need|do i need|does it take|"
        rf"it would take|it takes|i would need)(?:{_END}| to (?:die|not wake up|do it|end it|"
        r"kill (?:me|myself)|not survive|be fatal))|"
        r"(?:would|will|could|is|are|might) (?:\d{2,}|all(?: of)?(?: my| the| these| those)?|the "
        r"whole|a whole|a full|a bottle of|a box of|a packet of|a pack of|the bottle of|a "
        r"handful of|a months? worth of|a months? supply of|two boxes of|three boxes of)"
        r"(?: \w+){0,2}"
        rf" {_PILLS}(?: \w+){{0,3}} (?:(?:be )?enough|do it|kill me|be lethal|be fatal|do the job|"
        rf"work)(?:{_END}| to (?:die|not wake up|do it|end it|kill me))|"
        # high enough, deep enough, painless enough
        r"(?:fall|drop|jump) (?:from|off) (?:\w+ ){0,3}(?:would|will|is|could) (?:be )?(?:high "
        r"enough|far enough|tall enough|fatal|lethal|enough to (?:kill|die))(?! (?:for|to))|"
        r"(?:high|tall|far) enough to (?:die|kill me|not survive|be fatal|make sure)|"
        r"how (?:deep|hard|long|far|much|many)(?: \w+){0,3} (?:do you|do i|would i|would you|"
        r"does one|should i|does someone) (?:have to|need to|need|must) (?:cut|bleed|fall|jump|"
        rf"swallow|hang|drown|overdose|take)(?:{_END}| to (?:die|not wake up|be fatal|kill myself|"
        r"end it|not survive)| for it to work)|"
        r"(?:the )?(?:most|least) (?:painless|painful|peaceful|reliable|effective|certain) "
        rf"(?:way|method)(?: out)?{_END}|(?:quickest|easiest|most painless|least painful|"
        rf"surest) way out(?: for me)?{_END}|"
        r"(?:would|will|is|are) (?:my|the|these|those|all (?:my|the)) (?:\w+ )?"
        rf"{_PILLS}(?: \w+){{0,2}} (?:be )?enough to (?:do it|die|not wake up|end it|kill me|"
        r"never wake up)|"
        r"(?:is|are|would|will) \d{2,} (?:of )?(?:my |the |these |those )?(?:\w+ )?"
        rf"{_PILLS} (?:be )?enough(?:{_END}| to (?:die|do it|not wake up|end it|kill me))|"
        # taking a lot at once: an attempt
        r"(?:took|taken|swallowed|downed|necked|ate|have taken|just took) (?:the |a |my )?"
        r"(?:whole|entire|full) (?:bottle|box|packet|pack|strip|blister pack|supply|tub)"
        rf"(?:{_END}| of (?:my |the |\w+ )?{_PILLS})|"
        r"(?:took|taken|swallowed|downed|necked) (?:\d{2,}|a handful of|handfuls of|a fistful "
        rf"of|dozens of|loads of|all of my|every one of my)(?: \w+)? {_PILLS}|"
        r"(?:swallowed|downed|took|taken) everything in (?:the|my) (?:medicine |bathroom )?"
        r"(?:cabinet|drawer|cupboard)",
    ),
    _p(
        "preparation.tenth",
        PR,
        r"(?:said|saying|say|texted|sent) (?:good ?)?byes? to (?:everyone|everybody|all) (?:i "
        r"love|i care about|who matters|that matters)|"
        r"(?:instructions|wishes|plans|arrangements|songs|playlist|music) for my (?:own )?"
        r"(?:funeral|burial|cremation|memorial)|"
        # means gathered in quantity, enough for it
        r"(?:bought|buying|got|getting|picked up|ordered|ordering|have|has|collected|saved|"
        rf"stocked up on|gathered)(?: \w+){{0,3}} (?:{_PILLS}|{_LETHAL}|them|those)(?: \w+){{0,3}} "
        r"(?:enough|plenty|more than enough)"
        r"(?: \w+){0,2} (?:to (?:do it|end it|die|not wake up|never wake up|kill me|kill myself|"
        r"make sure|finish it|be sure|end things|overdose)|for (?:it|the job|what i need|what i "
        r"am going to do))|"
        rf"enough (?:of (?:them|these|those|it) |{_PILLS} |\w+ {_PILLS} )?to (?:not|never) wake "
        r"up(?! (?:tired|early|in|at|during|before|until|till|for|again|on))|"
        rf"(?:the|my|all the|all my) (?:\w+ )?{_PILLS} (?:are|is|have been|has been) (?:all )?"
        r"(?:counted|measured out|crushed|poured out|in a pile|on the table|by the bed|by my "
        r"bed|on my nightstand|out on the table)(?! (?:for|into|in|out|by (?:the|my) "
        r"(?:pharmacist|nurse|carer|doctor)))",
    ),
    _p(
        "ready.tenth",
        RD,
        r"^(?:and |with )?(?:more than |just |exactly )?(?:enough|plenty)"
        r"(?: of (?:them|these|those|it))? to "
        r"(?:do it|end it|finish it|kill me|kill myself|make sure|be sure|do the job)(?= *$)",
    ),
    _p(
        "resolve.tenth",
        RS,
        rf"^(?:i have |i )?(?:made|reached) (?:my|the|a) final decision{_END}|"
        rf"^final decision(?: is)? made{_END}|my decision is final{_END}",
    ),
    _p(
        "self_harm.tenth",
        SH,
        r"(?:thinking about|thinking of|think about|considering|planning on|planning to|going "
        r"to|gonna|about to) (?:cutting|self harming|burning myself|hurting myself|cut|self "
        rf"harm)(?: again)?(?:{_END}| (?:tonight|today|again|later|soon|now))",
    ),
    _p(
        "trapped.tenth",
        TR,
        r"(?:nothing|no one|nobody) (?:left )?to keep me (?:here|alive|going|around)|"
        r"nothing (?:is )?keeping me (?:here|alive|going|around)(?: any ?more)?|"
        # nothing left for me, no place for me, nothing to stay for
        r"(?:nothing|no one|nobody|nothing and no one|no one and nothing|nothing left|no one "
        r"left) (?:left )?(?:here )?(?:for me )?to (?:stay|live|stick around|hang on|keep going|"
        r"hold on|be here|go on|stay alive|keep living) for|"
        r"(?:is|there is|there s|i have|i have got|got) nothing (?:left )?(?:here )?for "
        r"(?:me|him|her|them)"
        rf"(?:{_END}| here| any ?more| in this (?:world|life)| on this earth| now| left)"
        r"(?! (?:so|to do|to eat|in this (?:town|city|job))| (?:at|in) (?:this|the) (?:job|town|"
        r"city|company|school))|"
        r"no (?:place|room|space|home) (?:left )?for (?:me|him|her|them|someone like me|people "
        r"like me) "
        r"(?:here|in this world|on this earth|any ?more|in this life|left|in life)|"
        r"(?:have|has|there is) no place (?:left )?(?:for me )?(?:in this world|on this earth|"
        r"among the living|in this life)|"
        r"(?:do not|no longer|never) (?:belong|fit) (?:in this world|on this earth|among the "
        r"living|in this life|anywhere any ?more)|"
        r"no (?:reason|reasons|point|purpose) (?:left )?(?:for me )?(?:to|in) (?:stay|staying|"
        r"live|living|be here|being here|stick around|sticking around|keep going|keeping going|"
        r"go on|going on|stay alive|staying alive|keep living|exist|existing|be alive|being "
        r"alive)(?! (?:at|in (?:this|the) (?:job|town|city|house|group)|with (?:him|her|them)|"
        r"late|up))|"
        r"(?:do not|can not|no longer|never) see (?:a|any) future(?: for me| for myself| at all|"
        rf" any ?more|{_END})|(?:see|there is|have) no future (?:for me|for myself|ahead of me)|"
        r"(?:tired|sick|exhausted|weary) of (?:existing|being alive|being me|being here|"
        r"breathing|waking up|everything and everyone)",
    ),
    _p(
        "burden.tenth",
        BU,
        r"(?:will not|won't|not going to|am not going to|never going to) be (?:a |your |their |"
        r"anyone s |everyone s |the )?(?:problem|burden|bother|nuisance|worry|trouble|weight)"
        r"(?: to (?:anyone|you|them|anybody|everyone|my \w+))? (?:much |for much |any |for )?"
        r"(?:longer|any ?more|soon|after (?:tonight|today|this|tomorrow))|"
        r"(?:will not|won't|never) have to (?:put up with|deal with|carry|support|pay for|worry "
        r"about) me (?:much |for much )?(?:longer|any ?more|soon|again)",
    ),
    _p(
        "finality.tenth",
        FI,
        r"(?:last|final) (?:\w+ ){0,2}i (?:will|would|am going to) ever (?:see|have|feel|spend|"
        r"write|send|hear)|"
        r"(?:made|making) (?:my )?peace(?: with (?:it|everything|dying|death|my decision|god|"
        rf"the world|leaving|going|it all))?{_END}|"
        r"(?:it all|all of (?:this|it)|my life|this life) (?:ends|will end|is ending|will be "
        rf"over|ends here)(?: for good)?(?: (?:tonight|today|tomorrow|this weekend|soon)|{_END})",
    ),
    _p(
        "vague.tenth",
        VG,
        r"^(?:i am |i )?(?:checking|check) out(?: early)?(?: (?:tonight|today|tomorrow|soon))?"
        rf"{_END}|"
        r"soon (?:it|none of (?:this|it)|nothing) (?:will not|will no longer|is not going to) "
        rf"matter|(?:my )?time (?:is )?up(?: for me)?{_END}|"
        r"i (?:ruin|ruins|wreck|destroy|spoil) everything (?:for everyone|for everybody|i touch)|"
        r"(?:going to|will|gonna|finally|actually|really) go(?:ing)? through with it|"
        r"(?:it is|it s|everything is|it is all|everything is all) (?:all )?(?:planned|arranged|"
        r"sorted|organi[sz]ed) (?:for|on) (?:tonight|tomorrow|the weekend|this weekend)",
    ),
    _p("lethal_means.object", LM, _LETHAL),
    _p(
        "means.everyday",
        MS,
        rf"{_PILLS}|knife|knives|blades?|razors?|razor blades?|bleach|emknife|lighter|scissors",
    ),
    _p(
        "means.use_soon",
        MS,
        r"(?:will|going to|about to|plan to|planning to|want to|ready to|am) "
        r"(?:take|swallow|down|use|neck|taking|swallowing) (?:them all|all of them|the lot|"
        r"it all|all|them|"
        r"every one|every last one|the|my|those|these)",
    ),
    _p(
        "place.at",
        PLC,
        r"(?:to|at|on|in|into|by|near|over|off|from|onto|toward|towards|up|down|under|beside|"
        r"behind|along|out to) (?:the |a |that |this |my |our )?(?:\w+ ){0,3}"
        + _PLACES
        + r"|out to sea|(?:going|go|went|heading|head|off) (?:for|on) (?:a|one) (?:\w+ )?"
        r"(?:drive|walk|ride|swim|hike|trip)(?! (?:with|to (?:the )?(?:shops|store|work|school)))",
    ),
    _p(
        "place.going",
        PLC,
        r"(?:go|going|goes|went|gone|walk|walking|walked|drive|driving|drove|head|heading|headed|"
        r"take|taking|took|ride|riding|climb|climbing|climbed|run|running|get|getting|back|"
        r"sit|sitting|stand|standing|wait|waiting|stood|sat|up|at|on|trip|ride|journey|bus|"
        r"train|taxi|drive|walk) "
        r"(?:to |up |on |onto |out to |down to |at |over to |by |on top of |to the top of |"
        r"the top of )?(?:the |that |a |my |this |our )?(?:\w+ )?" + _PLACES,
    ),
    _p(
        "finality.place_not_home",
        FI,
        rf"{_PLACES}(?: \w+){{0,8}} (?:not|never) (?:coming|going|be coming|be going|come|go) "
        r"home",
    ),
    _p(
        "finality.more",
        FI,
        r"(?:not|never|no) (?:be )?(?:coming|going|getting|driving|walking|climbing|paddling|"
        r"swimming|checking|heading|making it|come|go|get|make it|planning on coming|planning "
        r"on going) (?:back|home|out|down|off)(?! (?:to (?:work|school|class|the office|this|"
        r"that|the)|after|until|till|for|tomorrow|next|later|on|in|from|with|early|late|soon|"
        r"tonight))|"
        r"not planning on (?:leaving|coming back|returning|coming home|coming out)|"
        r"(?:do not|please do not) (?:look for|try to find|come looking for|search for|try to "
        r"stop) me|"
        r"this is where (?:it|i|this|everything) (?:all )?(?:ends|end it|stops)|"
        r"(?:that|this|it) (?:will|would) be the end(?: of (?:it|me|everything))?|"
        r"(?:then|and then|after that) i am (?:gone|done|out)|i will (?:go|follow) (?:too|him|her|"
        r"them)",
    ),
    _p(
        "finality.not_back",
        FI,
        r"(?:not|never|no) (?:coming|come|going|go|be coming|be back|return|returning|"
        r"walking|driving) back(?! (?:to (?:work|school|class|the office|this)|"
        r"after|until|till|for|tomorrow|next|later|on))|"
        r"(?:will not|never) (?:be )?(?:coming )?back(?! (?:to (?:work|school|class)|after|"
        r"until|till|for|tomorrow|next|later|on))|"
        r"(?:one|a|for the|for a) (?:last|final) time|no return|no turning back|"
        r"one way (?:trip|journey|ride)|"
        rf"i am (?:so |just |really |finally )?(?:done|finished|out|gone|through)"
        rf"(?: for good| for real| with it all| with everything)?{_END}|"
        r"i will (?:be gone|not be here|not be around)(?! (?:for|on|at|this|next|until|\w+ing|"
        r"abroad|away|overseas|home|by))|"
        r"it (?:all )?(?:ends|is ending|will end|is over|finishes) (?:tonight|today|tomorrow|soon|"
        rf"here|now|this week|on)|this is (?:the end|it)(?: for me)?{_END}|"
        r"(?:tonight|today|friday|tomorrow) is the (?:night|day)(?: i think| i guess| then| for "
        rf"me| finally)?{_END}|"
        r"(?:this|that) (?:will be|is) (?:my|the) last|"
        r"(?:tonight|today|tomorrow|this|it|this weekend|friday|saturday|sunday) (?:is|will be) "
        r"(?:my|the) (?:last|final) (?:night|day|time|one|weekend|sunset|morning)"
        r"(?! (?:at|of|in|on|with|before|here|there|working|shift|as))",
    ),
    _p(
        "resolve.do_it",
        RS,
        r"(?:going to|will|about to|ready to|decided to|finally going to|finally|gonna|am) "
        r"(?:do|doing) it(?: (?:tonight|today|tomorrow|this weekend|soon|for real|this time|"
        rf"now))?(?:{_END}|(?= (?:when|after|before|once|while|as soon as) ))|"
        rf"i am going{_END}|"
        r"made (?:up )?my mind|no (?:more )?(?:second thoughts|going back)|"
        r"(?:do|doing|did) something (?:stupid|drastic|dumb|crazy|permanent|final|irreversible|"
        r"i can not take back|i will regret)|"
        r"(?:this is the|tonight is the|today is the|now is the|it is the) (?:night|day|time)"
        r"(?: i do it| it "
        rf"happens| it ends)?{_END}|"
        r"(?:doing|do) it (?:tonight|today|tomorrow|this weekend|soon|on)",
    ),
    _p(
        "time.cue",
        T,
        r"tonight|today|tomorrow|this (?:weekend|week|evening|afternoon|morning)|right now|"
        r"(?:a few|only|maybe|just|some|couple of|\d+) (?:more )?(?:hours|days|minutes) left|"
        r"as soon as (?:i|they|everyone|the|my) \w+|by (?:sunrise|dawn|morning|midnight|the "
        r"morning|then)|"
        r"(?:very |really )?soon|"
        r"(?:in|within) (?:a|an|one|two|three|a few|a couple of|a couple|\d+) "
        r"(?:hours?|days?|minutes?|weeks?)|"
        r"(?:after|when|once|before) (?:every ?one|every ?body|they|the kids|my \w+|the \w+) "
        r"(?:is |are |goes |go |has |have |gets |get |falls |fall )?(?:asleep|to sleep|to bed|"
        r"gone|leaves|leave|left|out|away|at school|at work)|"
        r"(?:after|when|once) (?:the|my) (?:\w+ )?(?:exams?|term|semester|holidays?|wedding|"
        r"funeral|party|trip|christmas|birthday|results) (?:finish|finishes|is over|are over|"
        r"ends|end|are done|is done|are out|come out)|"
        rf"at midnight|at \d+ ?(?:am|pm)?|by (?:the end of )?(?:tonight|tomorrow|the weekend|"
        rf"the week|the month|next week|{_DAYS}|monday)|(?:on|this|next|by|until) {_DAYS}|"
        rf"{_DAYS}(?: night)?|next week|"
        r"(?:on|before|after) my (?:birthday|anniversary)|on (?:the|my) (?:anniversary|\d+(?:st|"
        r"nd|rd|th)?)|on (?:christmas|new year|new years|valentine|mother|father)\w*|"
        r"before (?:the )?(?:morning|sunrise|dawn|christmas|new year|the end of)|"
        r"(?:end|last day) of (?:the|this) (?:month|week|year)|"
        r"(?:when|after|once) (?:the )?(?:exams|wedding|holidays|school term|term) (?:are|is) "
        r"over|(?:this|next) (?:month|year)",
    ),
    # --- mention (a topic, someone else, or told to) ---
    _p(
        "mention.others",
        MEN,
        r"kill(?:s|ed|ing)? (?:himself|herself|themselves|themself|yourselves)|"
        r"(?:took|take|taken|taking|end|ended|ending|ends) (?:his|her|their) (?:own )?life|"
        r"(?:hanged|hung|hang|hangs|shot|shoot|shoots|overdosed|hurts|hurt|harms|cuts|cut|"
        r"starves|starving|harming|hurting|cutting) (?:himself|herself|themselves|themself)",
    ),
    _p(
        "mention.others_signs",
        MEN,
        r"(?:everyone|everybody|we|they|the world|people|his family|her family|their family) "
        r"(?:would|will|could) be (?:better off|happier|fine) without (?:him|her|them)|"
        r"(?:texted|messaged|sent|said|posted|wrote) (?:me|us|everyone|the group) (?:a )?"
        r"(?:goodbye|goodbyes|farewell)|"
        r"(?:posted|sent|texted) (?:a )?(?:goodbye|farewell) (?:message|post|text|note)|"
        r"(?:giving|gave|given|give) (?:away )?(?:all )?(?:of )?(?:his|her|their) (?:\w+ )?"
        r"(?:things|stuff|belongings|possessions)|"
        r"(?:she|he|they) (?:is|are|was|were) (?:saying goodbye|saying goodbyes|giving things "
        r"away)|"
        r"letters (?:my|her|his|their) \w+ (?:wrote|had written|left)|"
        r"self harms|self harmed|self injures|self injured|"
        r"(?:posted|sent|texted|wrote|put up) (?:a |something (?:that )?(?:sounded|looked|read|"
        r"seemed) like a )(?:goodbye|farewell)|"
        r"(?:talking|talks|talked|going on|went on|goes on) about (?:not )?being a burden",
    ),
    _p(
        "mention.others_seen",
        MEN,
        # signs seen on or in someone else, named by "his", "her", "their", "him", "them"
        r"(?:cuts|scars|marks|burns|fresh cuts|cut marks|scratches) (?:on|all over|up) (?:her|his|"
        rf"their) (?:\w+ )?{_BODY}|"
        r"(?:giving|gave|given|give) away (?:all )?(?:of )?(?:his|her|their) (?:\w+ )?(?:tools|"
        r"clothes|games|guitar|records|books|collection|watch|car|bike|pets?|dog|cat|jewell?ery|"
        r"savings|money)|"
        r"(?:would|will|could) be (?:better off|happier|fine) without (?:him|her|them)"
        r"(?! (?:at|in|on) (?:the|work|school|practice))",
    ),
    _p(
        "mention.attempt",
        MEN,
        r"(?:my|a|an|the|his|her|their) (?:suicide )?attempts?(?! (?:at|to))|"
        r"(?:previous|past|last|first|second|"
        r"prior|earlier|old) (?:suicide )?attempts?|"
        r"(?:for|after) (?:attempting|my attempt|an attempt|trying to kill myself|an overdose|"
        r"overdosing)|(?:attempted|tried)(?: suicide)? (?:twice|once|before|\d+ times|several "
        r"times|a few times|multiple times|three times|in the past)",
    ),
    _p("mention.told_to", MEN, r"kill yourself|kill urself|go die|end yourself|hang yourself"),
    _p(
        "mention.stopped",
        MEN,
        r"(?:stopped|quit|gave up|been clean from|clean from|free from|recovering from|recovered "
        r"from|in recovery from) (?:self harming|cutting|self harm|burning myself|hurting myself|"
        r"self injury)",
    ),
    _p(
        "mention.topic",
        MEN,
        r"suicide|suicides|suicidal|self harm|self harming|self injury|overdose|overdosed|"
        r"overdoses|overdosing",
    ),
    # --- vague: crisis vocabulary the rules can neither confirm nor clear ---
    _p(
        "vague.despair",
        VG,
        r"what is (?:even )?the point(?: (?:anymore|of anything|of it all|of any of this|of "
        r"trying|in trying|of anything anymore))?(?! (?:of|in) (?:\w+ing|this|the|that|a|an|"
        r"going|buying|paying|it if|asking|even))|"
        r"(?:tired|sick|exhausted) of (?:everything|it all|this all|all of this|trying|fighting|"
        r"my life|this life)|(?:i give up|giving up)(?! (?:trying to|on (?:this|the|that|it|"
        r"trying to|"
        r"dieting|sugar|coffee|my (?:diet|plan|car|hair|phone))|smoking|drinking|sugar|coffee|"
        r"meat|alcohol|chocolate))|(?:feel|feeling|felt|am|so) hopeless|"
        r"hopelessness|dark (?:thoughts|place)|bad thoughts|intrusive thoughts|"
        r"(?:disappear|vanish)(?! (?:for (?:a|the) (?:bit|while|weekend|day)|into))|"
        r"make it (?:all )?stop|want (?:it|this|everything) (?:all )?to stop|"
        r"dead inside|nothing (?:will|is going to) (?:ever )?(?:get|be) better|"
        rf"(?:it|things) will never get better|"
        rf"not (?:want|wish) to be here{_END}|nobody cares|no one cares|no one would care|"
        r"want to sleep (?:and )?(?:forever|for a long time)|done with (?:everything|it all)|"
        r"(?:wish|want) (?:it|this) (?:was|were|would be) (?:all )?over|"
        r"i can not anymore|can not do it anymore",
    ),
    _p("vague.death_emoji", VG, r"emgrave|emblood"),
    # Soft farewells: two different ones in a note read as a farewell (see `level`).
    _p(
        "vague.farewell_thanks",
        VG,
        r"(?:thank you|thanks|thank u) (?:all|everyone|everybody|you all) for|"
        r"(?:thank you|thanks|thank u)(?: all| everyone| so much)? for (?:everything|all you have "
        r"done|all you did|everything you have done|trying to help|trying|always being there|"
        r"being there|putting up with me)",
    ),
    _p(
        "vague.farewell_sorry",
        VG,
        rf"sorry for everything|(?:please )?forgive me{_END}|^(?:i am )?sorry(?: \w+)?{_END}|"
        r"sorry i (?:could not|was not|am not|can not|could never|did not|never|was never) (?:be "
        r"|do |make |get )?(?:stronger|better|enough|good enough|the \w+|more|it|this|there)|"
        r"sorry for (?:all the pain|being "
        r"(?:such )?a burden|what i (?:am about to do|put you through)|letting (?:you|everyone) "
        r"down)",
    ),
    _p(
        "vague.farewell_fault",
        VG,
        r"(?:it is|it was|this is|none of this is|this was) not (?:your|their|anyone|anybody|his|"
        r"her|my \w+) fault|(?:do not|please do not) blame (?:yourself|yourselves)|"
        r"(?:you|they|he|she) did nothing wrong",
    ),
    _p(
        "vague.farewell_know",
        VG,
        r"(?:want|need) (?:everyone|everybody|you all|you guys|them all|my \w+|you) to know "
        r"(?:that )?(?:i (?:love|loved|am sorry|tried)|it is not)",
    ),
    _p(
        "vague.farewell_words",
        VG,
        r"^(?:please )?(?:bye|bye bye|do not be sad|do not cry|"
        r"do not worry about me(?: any ?more)?|"
        rf"take care(?: of yourselves| everyone| all)?)(?: all| everyone| forever)?{_END}",
    ),
    _p(
        "vague.farewell_leaving",
        VG,
        r"(?:leaving|leave|going|gone|go) for good|"
        r"bye (?:everyone|everybody|all|guys|y all|you all|friends)(?! (?:see|talk|till|until|for "
        r"now|have))",
    ),
    _p("vague.emoji_handful", VG, r"emhandful"),
    _p("vague.emoji_sad_means", VG, r"emsad(?: \w+)? emknife|emknife(?: \w+)? emsad"),
    _p(
        "vague.farewell_love",
        VG,
        r"i love you(?: all| guys| so much)?(?= *$)|"
        rf"^(?:i love you(?: all| so much| guys)?|love you all|love you guys|i love you \w+)"
        rf"(?: all| everyone| forever| so much| always| guys)*{_END}",
    ),
    _p(
        "vague.farewell_handover",
        VG,
        r"(?:food|meds|medication|lead|leash|keys?|spare key|passwords?|will|papers|documents|"
        r"insurance|bowl|vet details|bank details)(?: \w+){0,2} (?:is|are) (?:in|under|on|with|"
        r"at|inside) (?:the|my|a)",
    ),
    _p("vague.emoji_means", VG, r"emknife|empills|emgun|emrope|embridge"),
    # --- an eleventh wave: indirect and euphemistic phrasings ---
    _p(
        "intent.will_die",
        INT,
        r"i (?:will|am going to|shall|am gonna) (?:finally )?die(?= (?:tonight|today|tomorrow|"
        rf"this|on|by|before|soon|at|in (?:a|the|\d)|{_DAYS}))",
    ),
    _p(
        "intent.passive_wish",
        INT,
        r"(?:would not|wouldnt|do not|would honestly not|would genuinely not|would not really) "
        r"mind if i (?:just )?(?:faded|fade|died|did not wake|never woke|got hit|got run over|"
        r"was gone|disappeared|got (?:some|an|a) (?:\w+ )?(?:illness|disease|cancer))|"
        r"(?:be|feel|felt) (?:ok|okay|fine|happy|glad|relieved) if i (?:\w+ ){0,5}"
        r"(?:faded (?:out|away)|died|did not wake up|never woke up)|"
        r"relieved if (?:\w+ ){0,5}(?:i (?:had|only had) (?:months|weeks|days|a year) "
        r"(?:left|to live)|i was (?:dying|terminal)|it was terminal)",
    ),
    _p(
        "intent.topping",
        INT,
        r"top(?:ping|ped|s)? (?:myself|himself|herself|themselves|themself)(?! (?:up|off))",
    ),
    _p(
        "intent.not_around",
        INT,
        r"(?:do not|can not|cannot) see myself (?:being )?(?:around|alive)(?! (?:here|at|in))|"
        r"(?:do not|can not|cannot) see myself (?:living|surviving|lasting) (?:much longer|past|"
        r"beyond|to see|another|until|till)",
    ),
    _p(
        "burden.free_of_me",
        BU,
        r"(?:be|are|is|finally be|would be|will be) (?:finally )?(?:free|rid) of me"
        r"(?! (?:for (?:a|the|two|\d)|while|until|till|this|on))|"
        r"(?:get|collect|have|would get) (?:the|my) (?:life )?insurance(?: money| payout)?"
        r"(?: \w+){0,3} (?:if|when|once|after) i (?:die|am gone|went|go)|"
        r"(?:nobody|no one|noone) (?:will|would) (?:have to|need to|ever have to) (?:put up with|"
        r"deal with|clean up after|carry|pay for) me|"
        r"(?:you|they|everyone|everybody|you all|my \w+) (?:will|would|are going to) (?:all )?be "
        r"better off(?= (?:by|after|soon|tomorrow|tonight|when|once))|"
        r"(?:someone|somebody|people) (?:more )?worth saving|i am not worth (?:saving|the "
        r"(?:money|oxygen|air|space))",
    ),
    _p(
        "trapped.only_door",
        TR,
        rf"(?:the )?only (?:door|option|way|choice|answer|thing) (?:left|still)(?: open)?{_END}",
    ),
    _p(
        "self_harm.blade_out",
        SH,
        r"(?:got|get|getting|took|take|have) (?:the|my|a) blades? out|"
        rf"(?:did|done) a (?:few|couple)(?: more)?(?: cuts| lines)?{_END}",
    ),
    _p(
        "method.means_enough",
        ME,
        r"(?:beam|rafter|hook|banister|bannister|railing|pipe|branch|door frame|loft hatch|tree)"
        rf"(?: \w+){{0,3}} (?:strong|sturdy|solid|high) enough(?: to (?:hold|take) (?:me|my "
        rf"weight))?{_END}|(?:strong|sturdy) enough to (?:hold|take) (?:me|my weight)|"
        r"(?:which|what) (?:\w+ ){0,2}(?:pills|tablets|meds|medication|painkillers|drugs|"
        r"method|methods|way|ways) (?:work|works|would work|kill|kills|is|are) (?:the )?"
        rf"(?:fastest|quickest|most painless|faster|quicker){_END}|"
        r"(?:take|taking|swallow|swallowing|down|downing) (?:everything|all(?: of (?:it|them))?)"
        r"(?: i have| i have "
        r"got| i can find| in the (?:cabinet|cupboard|drawer|house))? with (?:vodka|alcohol|"
        r"booze|wine|whisky|whiskey|drink|beer|gin|rum)|"
        r"(?:until|till|then|and|before) i (?:walk|wade|swim) (?:in|into the (?:water|sea|lake|"
        rf"river|waves|ocean))(?:{_END}| and (?:not|never))|"
        r"(?:rope|noose|gun|pills|tablets|jump|jumping off|jumping|fall|drop|bridge|cliff|"
        r"overdose|tracks) "
        rf"(?:\w+ ){{0,2}}would (?:be (?:quick|quicker|quickest|instant|painless|easiest|easy|"
        rf"certain)|do it|do the job){_END}|"
        r"(?:sit|sitting|lie|lying|lay|laying|stand|standing|wait|waiting) (?:down )?on the "
        r"(?:train )?(?:tracks|railway line|rail line|line)",
    ),
    _p(
        "vague.quick_way",
        VG,
        r"(?:train|bus|lorry|truck|car|traffic|motorway) (?:\w+ ){0,3}would (?:be (?:quick|"
        rf"quicker|quickest|instant|painless|easiest|easy|certain)|do it|do the job){_END}|"
        rf"(?:knife|blade|razor)s? (?:is|are) (?:sharp|big) enough{_END}|"
        r"(?:nobody|no one|noone) (?:will|would) (?:have to|need to|ever have to) worry about me",
    ),
    _p(
        "plan.worked_out",
        PL,
        rf"the (?:how|what|where|when)(?: and| or)? the (?:how|what|where|when){_END}|"
        r"(?:know|worked out|figured out|decided) (?:exactly )?(?:how and (?:where|when)|where "
        r"and (?:how|when)|when and (?:how|where))(?! to (?!(?:do it|end it|die|go through)))|"
        r"(?:wrote|written|writing|write|made|making|have) (?:down )?(?:a )?(?:list )?step by "
        r"step (?:\w+ )?(?:what i am going to do|how i am going to do it|how i will do it|how "
        r"to do it)",
    ),
    _p(
        "ready.sorted",
        RD,
        rf"(?:the |my )?plan is (?:sorted|set|ready|done|made|in place|all set|finished){_END}|"
        r"(?:i have |i )?(?:worked|figured|thought|sorted) (?:it all|everything) out"
        rf"{_END}|i have (?:got )?everything i need{_END}|"
        r"everything(?: is)? (?:ready|set|in place)(?: for (?:tonight|tomorrow|today|this "
        rf"weekend|{_DAYS}))?{_END}",
    ),
    _p(
        "ready.choose_time",
        RD,
        r"(?:just |only )?(?:need|have|got) to (?:pick|choose|set|decide) (?:the|a) (?:night|day|"
        rf"date|time|moment){_END}|"
        r"(?:settled on|decided on|chosen|chose|picked) (?:a|the) (?:date|day|night|time|spot|"
        rf"place|way)(?: and (?:a|the) (?:date|day|night|time|spot|place|way))?{_END}",
    ),
    _p(
        "ready.looked_after",
        RD,
        r"(?:made sure|sorted it so|arranged (?:it )?so|arranged that) (?:mum|mom|dad|my \w+|the "
        r"kids|the cats?|the dogs?|everyone|they|he|she) (?:will be|is|are|gets|get|will get) "
        rf"(?:looked after|taken care of|cared for|ok|okay|alright|sorted|provided for){_END}",
    ),
    _p(
        "ready.key",
        RD,
        r"i know where (?:the|his|her|dad|mum|my dad|my mum|my \w+) (?:\w+ )?(?:key|keys) "
        r"(?:is|are)|i know the (?:code|combination)(?: to (?:the|his|her|my dad) (?:safe|"
        r"cabinet|gun|locker))?",
    ),
    _p(
        "ready.enough",
        RD,
        rf"(?:pills|tablets|meds|rope|gun|everything) (?:\w+ ){{0,2}}more than enough{_END}|"
        rf"^more than enough{_END}",
    ),
    _p(
        "ready.unseen",
        RD,
        rf"^(?:the |my )?plan is (?:the |to go to the |to head to the )(?:\w+ ){{0,3}}{_PLACES}",
    ),
    _p(
        "ready.nobody_goes",
        RD,
        r"(?:nobody|no one|noone) (?:ever )?(?:goes|comes|walks|will look|would look) (?:there|"
        r"here|up here|down there)",
    ),
    _p(
        "preparation.found_by",
        PR,
        r"(?:left|written|wrote|writing|made|making) (?:\w+ ){0,2}(?:instructions|wishes|plans|"
        r"arrangements) for my funeral|"
        r"(?:whoever|who ever|the person who|whoever it is that|when (?:they|someone|somebody)) "
        r"(?:finds|find|will find) (?:me|him|her|them)|"
        r"(?:made sure|sorted it so|arranged it so|arranged|sorted|"
        r"lined up|organised|organized) (?:that )?(?:the|my) (?:dog|dogs|cat|cats|pets?|rabbit|"
        r"hamster|budgie|bird|horse|puppy|kitten) (?:has|have|will have|gets|get|is going to "
        r"have) (?:a )?(?:new (?:home|owner)|somewhere to go|someone to (?:look after|care "
        r"for) (?:it|them|him|her))|new home (?:lined up )?for (?:the|my) (?:dog|cat|pets?|"
        r"rabbit|hamster|budgie|horse|puppy|kitten)",
    ),
    _p(
        "vague.gave_away",
        VG,
        r"(?:gave|given|giving|give) away (?:my|all my|most of my) (?!(?:old|spare|unwanted|"
        r"outgrown|extra|baby|kids|children|clothes|books|toys|junk|furniture|leftovers?|"
        r"tickets?|plants?|seeds)(?![a-z0-9]))(?:\w+ ){0,2}\w+",
    ),
    _p(
        "resolve.through_with_it",
        RS,
        r"(?:going|go|am going|gonna|will go|ready to go) through with it",
    ),
    _p(
        "resolve.decided",
        RS,
        r"(?:i have|i am|my mind is|i have finally|i finally) (?:made up|decided|made my "
        rf"decision)(?: my mind| how| when| where)?{_END}",
    ),
    _p(
        "resolve.ready_to_go",
        RS,
        rf"^(?:i am )?(?:ready to go|ready now|ready for it){_END}",
    ),
    _p(
        "resolve.not_scared",
        RS,
        r"(?:i am )?not (?:scared|afraid|frightened)(?: of (?:it|dying|death|the pain))?"
        rf"(?: anymore| any more| now)?{_END}",
    ),
    _p(
        "resolve.set_for",
        RS,
        r"(?:it is|everything is|everything|it has all been|it has been) (?:all )?(?:planned|"
        r"arranged|"
        r"organised|organized) (?:for|on) (?:tonight|tomorrow|today|this weekend|the weekend|"
        rf"next week|{_DAYS})(?: night| morning| evening)?{_END}|"
        r"^(?:as soon as|once|when) (?:every ?one|every ?body|they|the kids|the house|my \w+|"
        r"the \w+) (?:is|are) "
        rf"(?:asleep|in bed|gone|out)(?: tonight)?{_END}",
    ),
    _p(
        "finality.eleventh",
        FI,
        r"(?:it|this|everything|all of this|it all) (?:will|is going to|would) (?:all )?be over "
        r"(?:one way or (?:another|the other)|for good|for me|forever)|"
        r"(?:this|it all|everything|all of this|this all) (?:ends|will end|is ending|finishes|"
        r"stops|will stop|is stopping)"
        r"(?= (?:tonight|today|tomorrow|now|soon|this|on|at|by|when|after))|"
        r"(?:and )?then (?:that is it|that is that|it is over|it ends)|"
        r"i will not be (?:a problem|a bother|an issue|in (?:anyone|your|the) way)"
        r"(?: (?:for|to) (?:anyone|you|them|anybody|you all))?(?: any ?more| any longer)?|"
        rf"no more (?:second )?chances{_END}|"
        rf"i am not (?:staying|sticking around|hanging around)(?: here| around)?"
        rf"(?: any ?more| any longer| much longer)?{_END}",
    ),
    _p(
        "finality.the_day",
        FI,
        rf"(?:tomorrow|{_DAYS}|tonight|today|this weekend|next week)(?: is)? (?:the (?:day|night|"
        r"one)|it)"
        rf"(?: i think| i guess| then| for me| finally)?{_END}",
    ),
    _p(
        "farewell.dont_look",
        FA,
        r"(?:do not|please do not|no need to) (?:come looking(?: for me)?|look for me|come after "
        r"me|try (?:and|to) find me)(?! (?:at|in|on|today|tomorrow|until|till|before|after|this|"
        r"later|tonight|for))|(?:nobody|no one|noone) (?:will|is going to|is gonna) find me",
    ),
    _p("vague.farewell_before_go", VG, rf"before i (?:go|leave|am gone){_END}"),
    _p(
        "finality.walk_in",
        FI,
        r"(?:going to|about to|i will|i am going to|gonna) (?:just )?(?:walk|wade|swim) (?:in|out)"
        rf"{_END}",
    ),
    _p(
        "vague.finish_it",
        VG,
        r"(?:going to|will|gonna|about to|want to) finish (?:it|this|things)(?: all| off)?"
        r"(?= (?:tonight|today|tomorrow|soon|now|this|on))|"
        r"it (?:is|will be) happening(?= (?:tonight|today|tomorrow|soon|this|on))|"
        r"(?:tonight|today|tomorrow) it (?:happens|ends)",
    ),
    _p(
        "vague.means_placed",
        VG,
        r"(?:rope|noose|gun|rifle|shotgun|pistol|pills|tablets|blade|razor)s? (?:is|are) "
        r"(?:in|under|behind|on|at|inside) (?:the|my) (?:garage|shed|loft|attic|drawer|closet|"
        r"car|bag|room|wardrobe|cupboard|bedroom|basement|cellar)|"
        r"(?:giving|given) myself (?:until|till|til|to|one more|another|a (?:week|month|few))",
    ),
    _p(
        "vague.up_here",
        VG,
        r"(?:it is|so) (?:quiet|peaceful|calm|cold|windy|dark|high) (?:up|out|down) here|"
        r"(?:the )?(?:drop|water|fall) (?:looks|is) (?:so |really )?(?:far|high|deep|long|calm|"
        r"inviting)",
    ),
    # --- a fourth pass: research on lethality, means on the mind, a walk off the edge, a dose
    # worked out, means gathered unnoticed, not putting the means back, "finally ready" ---
    _p(
        "method.lethality_research",
        ME,
        # finding out which place is high enough or which medicine is lethal
        r"(?:look|looking|looked|read|reading|researching|researched|googling|googled|"
        r"searching|searched|checking|checked|finding|found|working|worked) (?:up |out |into "
        r"|on |up on )?(?:which|what|how high|how tall|whether|if) (?:\w+ ){0,2}"
        rf"(?:{_PLACES}s?|buildings?|car parks|{_PILLS}|drugs|doses?|overdoses?|"
        r"combinations?)(?: \w+){0,5} (?:are|is|would be|were|will be|could be) (?:\w+ )?"
        r"(?:high enough|tall enough|deep enough|lethal|fatal|deadly|enough to (?:die|kill))"
        r"(?! (?:to|for) (?:dogs?|cats?|pets?|animals?|kids|children|babies|puppies|kittens|the "
        r"(?:dog|cat|baby|kids)|my (?:dog|cat|baby|kids|pets?)))",
    ),
    _p(
        "method.means_on_mind",
        ME,
        # a lethal means that will not leave the mind
        r"(?:the|my|that|his|dad|dads|a) (?:\w+ )?(?:rope|noose|gun|shotgun|rifle|pistol|"
        r"ligature|bullets?)(?! (?:show|range|club|licen[cs]e|safe|safety|course|lesson|swing))"
        r"(?: \w+){0,5} (?:has been|have been|is|was|keeps?|kept) "
        r"(?:on my mind|in my head|calling (?:to )?me|in my thoughts)|"
        r"(?:cannot stop|can not stop|keep|kept|been) (?:thinking|dreaming) about (?:the|my|that|"
        r"dad|dads|a) (?:\w+ )?(?:rope|noose|gun|shotgun|rifle|pistol|ligature|bullets?)"
        r"(?! (?:show|range|club|licen[cs]e|safe|safety|course|lesson|swing))",
    ),
    _p(
        "method.off_the_edge",
        ME,
        # walking, stepping or driving off an edge
        r"(?:walk|walking|step|stepping|drive|driving|throw myself|throwing myself|fling myself|"
        r"roll|rolling|go|going|tip myself) (?:(?:off|over) (?:the|a|that) (?:edge|ledge|cliff|"
        r"cliff edge|side of the (?:bridge|cliff|building|car park))|off (?:the|a|that) (?:roof|"
        r"rooftop|bridge|balcony|top))(?! (?:of (?:the |my )?(?:map|pitch|stage|pool|bed|field|"
        r"court|world|table|page|"
        r"desk|sofa|couch|plan)|in (?:the )?(?:game|dream)))",
    ),
    _p(
        "plan.dose_enough",
        PL,
        # the dose worked out and enough of it
        r"(?:figured|worked|found|looked|calculated|checked) (?:out |up )?(?:the |what |which )?"
        r"(?:lethal |fatal |right |exact )?(?:dose|amount|number)(?: \w+){0,4} (?:and|so) "
        r"(?:i have|i have got|i got|i now have|got|i have collected|i have saved) "
        r"(?:enough|plenty|more than enough|that many|that much)"
        r"(?! (?:for|to last|until|till|left|in the))",
    ),
    _p(
        "ready.unnoticed",
        RD,
        # means gathered so that no one would notice
        r"(?:from|at|across|in) (?:two |three |several |a few |multiple |separate |a different |"
        r"different |another )(?:different |separate )?(?:chemists?|pharmac(?:y|ies)|shops?|"
        r"stores?|supermarkets?|places|doctors)(?: \w+){0,3} so (?:they|nobody|no one|noone|"
        r"people|the (?:\w+ )?(?:pharmacist|chemist|staff|cashier)) (?:would not|will not|did not|"
        r"does not|do not|could not|can not|cannot|would|will|could|did) (?:ask|notice|get "
        r"suspicious|be suspicious|suspect|question|flag|clock|twig)|"
        r"(?:a second|a third|another|an extra) (?:box|packet|pack|bottle|strip|lot|load) "
        rf"of (?:\w+ )?{_PILLS}(?: \w+){{0,6}} so (?:they|nobody|no one|people) (?:would not|"
        r"will not|did not|could not) (?:ask|notice|get suspicious|suspect)",
    ),
    _p(
        "finality.not_put_back",
        FI,
        # the means held, not put back or away
        r"(?:not|never) (?:planning|going|gonna|intending|meaning) (?:on |to )?(?:put|putting) "
        r"(?:it|them|this) (?:back|away)|"
        r"(?:do not|not|never) (?:think|expect) i will (?:be )?(?:walking|going|getting|driving|"
        r"coming|heading|making it) (?:back )?home",
    ),
    _p(
        "resolve.finally_ready",
        RS,
        # at last ready or brave enough
        r"(?:finally|at last|now) (?:ready|brave enough|strong enough|calm enough) to (?:do it|go "
        r"through with it|end it)|"
        r"(?:finally|at last) (?:have|found|got) the (?:courage|guts|nerve|balls) to (?:do it|go "
        r"through with it|end it)",
    ),
    # --- wishing an accident or illness would take me, envy of the dead, death as rest, the
    # only door, every road to death, "might as well end it", kinder if i disappeared ---
    _p(
        "intent.taken_out",
        INT,
        # hoping something would kill me
        r"(?:hoping|hope|hoped|praying|pray|prayed|wishing|wish|wished) (?:that )?(?:a|the|some)"
        r" (?:\w+ ){0,2}(?:bus|car|truck|lorry|train|driver|plane|meteor|asteroid|lightning|"
        r"illness|disease|cancer|heart attack|stroke|accident|tree|wave|crash)s? (?:\w+ ){0,2}"
        r"(?:(?:takes|would take|will take|took) me (?:out|away for good)|(?:hits|would hit|will "
        r"hit|hit|kills|would kill|will kill|ends) (?:me|my life)(?! (?:up|with|for|in|on))|"
        r"(?:runs|would run|will run|ran) me (?:over|down))|"
        # envy of those who die
        r"(?:jealous|envious|envy) (?:of )?(?:people|those|anyone|everyone|the ones|whoever|"
        r"people who|those who)(?: who)? (?:get to |got to )?(?:die|died|are dead|pass away|passed "
        r"away|do not wake up|did not wake up)|"
        # a terminal diagnosis welcomed
        r"if i (?:got|get|had|was given|were given|found out i had) (?:a |an )?(?:terminal|fatal|"
        r"incurable) (?:diagnosis|illness|disease|cancer)(?: \w+){0,3} i (?:would|will) "
        r"(?:honestly |genuinely |actually |secretly |probably |just |really )?(?:be )?(?:glad|"
        r"happy|relieved|grateful|thankful|pleased|welcome it)|"
        # death or being dead as rest
        r"(?:being dead|death|dying|not existing|not being alive|not waking up|not being here) "
        r"(?:sounds|seems|looks|feels|would feel) (?:so |really |quite |kind of |kinda |just )?"
        r"(?:peaceful|nice|good|restful|appealing|lovely|like a relief|like relief|like rest|"
        r"tempting|inviting|easier|better|calming)(?! (?:in|on|for) (?:that|the|this|a|his|her|"
        r"their|them|him|tv|film|books?))",
    ),
    _p(
        "intent.might_as_well",
        INT,
        # might as well be dead
        r"might as well (?:just )?(?:end it(?: all)?|die|be dead|kill myself|not be here|not "
        rf"exist)(?:{_END}| now| then| already)",
    ),
    _p(
        "trapped.to_death",
        TR,
        # death the only way left
        r"(?:death|dying|suicide|ending it|the end) is (?:the|my) only (?:door|way out|option|"
        r"exit|escape|answer|choice|way|thing)(?: left| still open| open)?|"
        r"(?:every|each|all) (?:road|path|way|door|option)s? (?:ends?|leads?|leading|goes|go) "
        r"(?:in|at|to|back to) (?:death|dying|suicide)|"
        r"(?:pretending|pretend|deny|denying) (?:that )?(?:it is|the answer is|the end is|the way "
        r"out is) not (?:death|dying|suicide)",
    ),
    _p(
        "burden.kinder_gone",
        BU,
        # others freer or kinder off if i were gone
        r"(?:be|are|is|would be|will be|she would be|he would be|shed be|hed be|theyd be) "
        r"(?:so much |finally |a lot )?(?:free|freer|kinder|easier|better|cheaper|a relief|a "
        r"favou?r|fairer|lighter|happier)(?: (?:for|to|on) (?:them|everyone|him|her|you|my \w+|"
        r"\w+))?(?: \w+){0,2} if i (?:just )?(?:disappeared|vanished|was gone|were gone|died|"
        r"was not here|was not around|were not here|were not around|did not exist|went away|was "
        r"dead|were dead|was no longer (?:here|around))"
        r"(?! (?:for (?:a|the|two|\d|some|the weekend|a bit|a while)|on holiday|to|from|at|"
        r"tonight|this|next|today|tomorrow))",
    ),
    _p(
        "farewell.look_after",
        FA,
        # handing over someone in my care, a farewell
        r"(?:please |pls )?(?:look after|take care of|watch over|keep an eye on|be there for) my "
        r"(?:little |baby |big |younger |older |kid |)(?:brother|sister|kids?|children|son|"
        r"daughter|mum|mom|dad|family|boys|girls|nan|grandma)(?: for me)?{_END}(?<=for me)|"
        r"so long (?:everyone|everybody|all|world|guys|friends|y all|you all|folks)"
        rf"(?:{_END}| and)",
    ),
    _p(
        "self_harm.again",
        SH,
        # cut or burned again, deeper
        r"^(?:i )?(?:cut|burned|burnt|scratched|hit myself|slashed)(?: myself)? (?:again|deep|"
        r"deeper|too deep)(?! (?:into|the|my|our|a|down|back|on|off|in|to|by|from|short))|"
        r"(?:cut|cuts|cutting|went|burned|burnt) (?:\w+ ){0,3}deeper than (?:usual|last time|"
        r"before|ever|normal|i meant|i wanted|i meant to)(?! (?:into|through|on) (?:the|a|this|"
        r"that))|"
        r"(?:relapsed|relapse)(?: \w+){0,4} (?:(?:cut|burned|burnt|hit|scratched|hurt) myself"
        rf"(?! (?:a|an|some))|(?:cut|burned|burnt){_END})|"
        r"(?:burned|burnt|cut|scratched) myself with (?:a|the|my) (?:lighter|match|matches|"
        r"cigarette|lighter|blade|razor|knife|compass|scissors|glass|iron)",
    ),
)

# Idioms: a hit inside one of these spans is dropped.
IDIOMS: tuple[re.Pattern[str], ...] = tuple(
    _word(regex)
    for regex in (
        r"(?<!about )(?<!of )killing myself (?:laughing|at (?:work|the gym)|working|with work|"
        r"over (?:this|that) (?:project|essay|assignment|homework)|"
        r"to (?:finish|get|make|meet|keep|pay))",
        r"kill(?:ed)? myself laughing|laughing",
        r"(?:accidentally|nearly|almost) (?:cut|hurt|burned|burnt|injured|hit|scratched|bit) "
        r"myself",
        r"(?:cut|hurt|burned|burnt|injured|harmed|hit|scratched|bit|bruised) myself (?:shaving|"
        r"cooking|chopping|by accident|accidentally|while (?:cooking|shaving|gardening|working|"
        r"playing|running|cleaning)|on (?:a|the|some|my)|with (?:the|a) (?:door|oven|iron|kettle|"
        r"pan|saucepan|hammer|cupboard)|at (?:the gym|work|football|training|practice)|playing|"
        r"running|lifting|working out|exercising|skiing|falling|in (?:a|the) (?:fall|gym|"
        r"accident|face with)|gardening|in the kitchen)",
        r"(?:career|political|social|financial|commercial|electoral) suicide",
        r"(?:could|would|can|will) sleep (?:forever|for a week|for days|for a year)|"
        r"so (?:boring|embarrassing|awkward|cringe|cringy|bad|long|hot|tired|full|funny|stressful)"
        r"(?: \w+){0,3} i (?:wanted|want|thought i would|could|almost wanted|nearly wanted) "
        r"(?:to )?die",
        r"(?:i )?overdos(?:e|ed|ing) on (?:chocolate|sugar|caffeine|coffee|netflix|tv|candy|cake|"
        r"sweets|"
        r"pizza|carbs|sun|cheese|memes|tiktok|anime|christmas|food|snacks|cookies)",
        r"(?:traffic|meeting|queue|lecture|class|contract|lease|game|maze|level|lift|elevator|exam|"
        r"shift|car park|parking lot)(?: \w+){0,5} no way out|no way out of (?:this|the|that) "
        r"(?:\w+ )?(?:meeting|traffic|queue|contract|lease|game|maze|level|class|lecture|exam|"
        r"shift|job|deal|situationship|parking lot|car park)",
        r"(?:\w+ )?(?:knee|back|neck|tooth|teeth|head|shoulder|leg|arm|foot|feet|stomach|hip|"
        r"joint|period|ear|chest|nerve|muscle|jaw|wrist|ankle|hand|physical|migraine|labou?r|"
        r"surgery|sciatica|arthritis|toothache|headache|backache)s? ?(?:pain|ache|aches|pains|"
        r"cramps?)? (?:is|are|feels|has been|was|is just) (?:so |just |really |absolutely )?"
        r"(?:unbearable|too much|never ending|endless|killing me)",
        r"suicide (?:squad|doors?|sprints?|runs?|drills?|blonde|bid|mission|hotline number is|"
        r"king)",
        r"shoot myself in the foot",
        r"end of my (?:rope|tether)",
        r"(?:take|taking|took|taken) my life back",
        r"(?:to|could|would|will) die for(?! (?:it|this))",
        r"die (?:of|from) (?:embarrassment|boredom|laughter|laughing|shame|cuteness|hunger|"
        r"old age|cringe)",
        r"dying (?:to|of) (?:see|know|try|meet|go|laughter|laughing|embarrassment|boredom)",
        r"(?:cutting|cut) (?:back|down|out|corners|ties|the cord|my hair|carbs|sugar)",
        r"(?:jump|jumped|jumping) (?:off|into|from) (?:the|a) (?:diving board|high dive|boat|"
        r"pier into|rope swing|trampoline|dock)",
        r"(?:going|went|walk|walking|drove|driving) (?:to|over) the (?:\w+ )?bridge (?:to|for) "
        r"(?:work|school|the shops|the store|my|a|dinner|lunch|the office)",
        r"(?:water|glue|nail|staple|heat|nerf|paintball|airsoft|spray|hot glue|toy) guns?|"
        r"(?:jump|skipping|skip|climbing|tow|tug of war) ropes?|ropes course|learning the ropes|"
        r"rope swing|the ropes",
        r"pills? (?:for|to help with) (?:my )?(?:headache|sleep|pain|allergies|anxiety|blood "
        r"pressure|cholesterol)",
        r"(?:dead|killing|killed|kill) (?:tired|battery|phone|skin|weeds|time|it|the)",
    )
)

# --- context: negation, the experiencer, the topic, conditions, the past --------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CLAUSE_TERMINATORS = frozenset(
    {
        "but",
        "and",
        "so",
        "because",
        "cause",
        "though",
        "although",
        "however",
        "yet",
        "except",
        "unless",
        "then",
        "while",
        "whereas",
        "plus",
        "anyway",
        "still",
    }
)
_AUX = _words(
    """
    would will have had has did do does could should shall can am was might must once
    """
)
_INVERTING = _AUX | {"way", "chance", "ever"}  # "never would i", "no way i would"
_CUES = frozenset({"not", "never", "no", "nor", "neither", "without", "refuse", "refused",
                   "refusing", "nothing", "zero", "nope", "nah"})  # fmt: skip
# Words a negated verb phrase can hold between the cue and the phrase.
_FILLERS = _words(
    """
    to going want wanna wanting wanted really ever even actually truly seriously planning plan
    plans planned have has had having any intention intentions intent of thought thoughts
    think thinking about feel feeling felt like i would will am be been being do did does so
    that the a an at all anymore again try trying tried attempt attempting considering
    considered consider in way mood urge urges desire desires wish wishes interest intend
    intending on tempted ready me for currently right now today tonight once could should
    shall can might must is are was were it this these ideas idea get got need needs yet
    anything something go through with doing act acting such kind sort thing things active
    current recent serious real whatsoever honestly definitely absolutely certainly totally
    personally mean means my life dream dreaming time times point plotting ideation feelings
    single slightest longer gonna contemplated contemplating wishing hoping hope crossed
    entered occurred head mind
    """
)
_PSEUDO_AFTER = {
    "no": frozenset({"one", "matter", "more", "body", "point", "reason"}),
    "not": frozenset({"only", "just", "sure", "certain", "even", "until"}),
    "never": frozenset({"stop", "stopped"}),
}
_HEDGE = re.compile(
    r"(?<![a-z0-9])(?:not sure|not certain|unsure|(?:do|does|did) not know (?:if|whether|how "
    r"long|what|why)|(?:can|could|would) not (?:promise|guarantee|say)|"
    r"(?:not|never) (?:say|said|saying|promise|promised|guarantee|swear|think|thought|mean|"
    r"meant|know|knew) (?:that )?i|"
    r"might|maybe|perhaps|afraid|scared|worried|worry|frightened|terrified|tempted|"
    r"(?:do|can) not trust myself|what if|not really|not yet|not anymore)(?![a-z0-9])"
)
_POST_NEGATION = re.compile(
    r"^(?:(?:and |but )?i (?:said|say|answered|replied|told (?:her|him|them|my \w+)) "
    r"(?:no|nope|never|not really|that i am not|i am not|i do not|i would not)(?![a-z0-9])"
    r"|(?:but|and) i (?:would not|will not|never would|am not going to|do not|would never|"
    r"will never|could never)(?: ever)?(?: do that| do it)?(?= *$)"
    r"|(?:has|have|had|is|was)? ?(?:never|not) (?:once )?(?:crossed|entered|been on|on|"
    r"occurred to) (?:my|me)"
    r"|(?:is|are|was|were|would be|will be|has been|feels|seems|sounds|that is) "
    r"(?:definitely |absolutely |really |just |simply |totally |certainly |honestly )?"
    r"(?:not|never|off the table|out of the question|no longer)"
    r"|(?:is|was|would be|will be) (?:something|a thing|an option|a choice|one thing|what|an "
    r"idea|a path|a road) (?:that )?i (?:would|will|could|do|did|have|had|am|can|should|shall)?"
    r"(?: ever)? ?(?:not|never)"
    r"|(?:never|nope|nah|no way|not at all|not me|not ever|not happening|never again|no thanks|"
    r"not for me|not an option|not now|not today)(?: ever)?(?: i am (?:fine|ok|okay|good|safe))?"
    r" *$)"
)
_NEXT_NEGATION = re.compile(
    r"(?:no|nope|nah|never|none|nothing|not at all|no way|definitely not|absolutely not|"
    r"of course not|not me|hell no|no no|never ever|not now|not today|zero|0|never again|no never|"
    r"nope never|not really|n a|na|nil|nothing like that|no thoughts)"
    r"(?: (?:this|last|the past|in the last) (?:week|month|fortnight|few days|few weeks)| lately|"
    r" recently| for (?:a while|weeks|months|ages|a bit))?"
    r"(?: (?:i am|im) (?:fine|ok|okay|good|safe|alright))?"
)
_UNTIL_NOW = re.compile(
    r"^(?:\w+ )?(?:until|till|til|before) (?:now|recently|today|lately|this (?:week|month|year)|"
    r"tonight|last (?:night|week)|a few (?:days|weeks) ago)(?![a-z0-9])"
)
_SELF_MARK = re.compile(r"(?<![a-z0-9])(?:i|me|my|myself|mine)(?![a-z0-9])")
_KIN_WORDS = _words(
    """
    brother sister friend friends mum mom mam mother dad father son daughter wife husband
    partner boyfriend girlfriend bf gf colleague coworker cousin uncle aunt grandma grandpa
    nan grandmother grandfather neighbour neighbor roommate flatmate classmate student
    students patient patients client clients kid kids child children teen teenager niece
    nephew boss bestie mate buddy pal ex fiance fiancee stepdad stepmom stepson stepdaughter
    family
    """
)
_OTHERS = _words(
    """
    he she they him her his their them hes shes theyre someone somebody anyone anybody people
    person guy girl man woman celebrity singer actor character whoever
    """
)
_THIRD_PERSON_VERBS = _words(
    """
    wants wishes has is feels keeps tries says plans thinks talks hates cuts burns hurts needs
    hopes deserves was
    """
)
_TOPIC = re.compile(
    r"(?<![a-z0-9])(?:prevention|awareness|rates?|statistics|stats|research|study|studies|"
    r"article|articles|news|headlines?|documentary|podcast|book|novel|film|movie|show|series|"
    r"episode|lecture|class|course|module|training|trained|seminar|webinar|workshop|conference|"
    r"charity|fundraiser|fundraising|5k|10k|marathon|volunteer\w*|hotline|helpline|lifeline|"
    r"crisis line|988|campaign|policy|essay|paper|thesis|report|presentation|assignment|"
    r"homework|first aid|safetalk|asist|qpr|bereavement|memorial|vigil|celebrity|song|"
    r"lyrics|epidemic|among (?:teens|young|men|women|veterans|farmers|students|doctors|the)|"
    r"veterans|farmers|population|survivors of|"
    r"loss survivors|support group|risk factors|warning signs|gatekeeper|screening|"
    r"psychology|nursing|nurse|counsell?ing course|textbook|journal|tv|netflix|radio|"
    r"museum|(?<!my )(?<!a )history of|historical|statistic|data|reading about|read about|"
    r"learning about|"
    r"learned about|learnt about|discussion|discussed|debate|character|author|writer|poem|"
    r"theatre|theater|awareness (?:month|week|day)|studying|revision|revising|psych(?! ward| unit|"
    r" hospital)|"
    r"psychology)(?![a-z0-9])"
)
_PROTECTIVE = re.compile(
    r"(?<![a-z0-9])(?:call|calling|text|texting|ring|phone|contact|tell|telling|talk to|reach "
    r"out|go to|ask for help|get help|safety plan|988|hotline|helpline|crisis line|lifeline|"
    r"samaritans|therapist|counsell?or|doctor|gp|emergency|911|999|112|my support)"
    r"(?![a-z0-9])"
)
_EMBEDDING = _words(
    """
    asked ask asks asking wonder wondering wondered know knows knew see sure check checked
    unsure question decide whether tell told
    """
)
_PAST_ANCHOR = re.compile(
    r"(?<![a-z0-9])(?:used to|use to|(?:my|a) (?:long )?history of|as a (?:teen|teenager|kid|"
    r"child)|(?:stopped|quit|gave up) (?:self harm|cutting|burning|"
    r"hurting|self injury)|clean from|free from|recover\w* from|"
    r"in recovery from|years? ago|months ago|a (?:long )?(?:time|while) ago|"
    r"long ago|ages ago|decades? ago|in (?:19|20)\d\d|back in|back then|back when|"
    r"last (?:winter|summer|spring|autumn|fall|christmas)|in the past|previously|"
    r"(?:once|a few times|twice) before|since i last|(?:\d+|a|two|three|four|five|six|ten) "
    r"(?:years?|months?) since|(?:was|been) in (?:the |a )?(?:psych ward|hospital|psychiatric|"
    r"inpatient|a unit)|(?:attempted|tried)(?: suicide)? (?:twice|once|\d+ times|several times|"
    r"a few times|multiple times|three times)|(?:been|felt|done|tried|had|was|were) (?:\w+ ){0,3}"
    r"before(?= *$)|"
    r"in my (?:early |late |mid )?(?:teens|twenties|thirties|forties|\d0s)|"
    r"at (?:uni|university|college|boarding school)|"
    r"after (?:my|the) (?:\w+ )?(?:was born|were born|birth)|"
    r"during (?:my|the|a) (?:\w+ ){0,3}(?:episode|breakdown|relapse|admission|"
    r"hospitali[sz]ation|pregnancy|divorce|breakup)|"
    r"during (?:the )?(?:lockdown|pandemic|covid|my teens|my twenties|uni|university|college|"
    r"school|my pregnancy|my divorce)|"
    r"when i was (?:a |younger|little|in|at|\d+|young|small|growing|still)|"
    r"as a (?:kid|teen|teenager|child|student|young)|in (?:high school|college|uni|university|"
    r"school|my teens|my twenties|my 20s|my youth|the past|middle school|secondary school)|"
    r"(?:last|that) (?:year|decade)|at one point|for years when|years back|"
    r"history of|(?:last|previous|past|prior|first|old|earlier) (?:suicide )?attempts?|"
    r"old scars|in my past|during (?:my|the) (?:divorce|breakup|pregnancy|college|lockdown|"
    r"pandemic|teens|twenties|worst)|(?:after|when) (?:my|the) (?:divorce|breakup|accident|"
    r"diagnosis|miscarriage|redundancy) (?:i|years)|once upon|way back|\d+ years? (?:clean|free)|"
    r"(?:through|throughout|for) (?:most of |all of |much of )?(?:uni|university|college|school|"
    r"high school|my teens|my twenties|my 20s|my thirties|my childhood|my youth)|"
    r"spent (?:most of |all of |much of )?my (?:teens|twenties|20s|thirties|30s|childhood|youth))"
    r"(?![a-z0-9])"
)
_PRESENT = re.compile(
    r"(?<![a-z0-9])(?:again|still|now|currently|lately|these days|this week|today|tonight|"
    r"right now|recently|starting to|coming back|back again|returning|relapsed|relapse|"
    r"lately|since)(?![a-z0-9])"
)
_PAST_VERBS = _words(
    """
    was were had tried attempted wanted felt thought used did went overdosed took made wrote
    planned considered survived harmed started hurt cut burned burnt
    """
)
_RECOVERY = re.compile(
    r"(?<![a-z0-9])(?:(?:(?:much|a lot|way|so much|far|loads) )?better "
    r"(?:now|place|these days|than (?:before|then|ever))|"
    r"doing (?:\w+ )?(?:better|well|good|great|okay|ok|fine)|"
    r"(?:in|at) a (?:much |far |way |really )?(?:better|good|great|healthier|safer) place|"
    r"not any ?more|recovered|recovering|recovery|glad i (?:did not|survived|am (?:still )?here|"
    r"stayed|got help|reached out|am alive)|(?:saved|helped|changed) (?:me|my life)|"
    r"(?:years|months|weeks|days) (?:clean|free|sober)|clean (?:for|since)|since then|survived|"
    r"survivor|hopeful|grateful|thankful|happy (?:now|these days)|(?:am|feel|feeling) (?:good|"
    r"great|stable|safe|okay|ok|fine) (?:now|today|these days)|healed|healing|got help|"
    r"never again|behind me|past that|moved on|proud of how far)(?![a-z0-9])"
)
# "relapsed after 6 months clean": the recovery has just ended, what follows is now
_RELAPSED = re.compile(
    r"(?<![a-z0-9])(?:relapsed|relapse|relapsing|slipped up|broke my streak|streak (?:is )?"
    r"(?:over|gone|broken|ended)|back to (?:square one|day (?:one|1|0|zero)))(?![a-z0-9])"
)
_CASUAL = re.compile(
    r"(?<![a-z0-9])(?:see (?:you|ya|u|everyone|y ?all) (?:all )?(?:next|tomorrow|soon|later|"
    r"on(?! the other side)|at|in(?! (?:another|the next|a better) life| heaven)|"
    r"around|then|after)|talk (?:soon|tomorrow|later|to you (?:soon|later|tomorrow))|catch "
    r"(?:you|ya) later|until next time|till next time|for now|have a (?:good|great|nice|lovely)|"
    r"good ?night(?! forever)|back (?:next|tomorrow|on|in|soon|after)|on holiday|on vacation)"
    r"(?![a-z0-9])"
)
_LEISURE = re.compile(
    r"(?<![a-z0-9])(?:hunting|hunt|range|shooting club|clay|target practice|deer|duck|"
    r"climbing|sailing|boat|camping|gym|class|lesson|course|license|licence|cleaning|safe|"
    r"locked|lock|collection|museum|movie|game|film|toy)(?![a-z0-9])"
)


def _clause_before(before: list[str]) -> list[str]:
    start = max((i + 1 for i, word in enumerate(before) if word in _CLAUSE_TERMINATORS), default=0)
    return before[start:]


def _clause_after(after: list[str]) -> list[str]:
    end = next((i for i, word in enumerate(after) if word in _CLAUSE_TERMINATORS), len(after))
    return after[:end]


def _negated(before: list[str], first: str) -> bool:
    """NegEx: is a phrase preceded by these words (of its segment) negated?"""
    clause = _clause_before(before)
    if _HEDGE.search(" ".join(clause)):
        return False
    cues = 0
    index = len(clause) - 1
    following = first
    while index >= 0 and len(clause) - index <= 10:
        word = clause[index]
        if word == "i" and (index == 0 or clause[index - 1] not in _INVERTING):
            break  # a new subject: whatever comes before it says nothing of this phrase
        if word in _CUES:
            if following not in _PSEUDO_AFTER.get(word, frozenset()):
                cues += 1
        elif word not in _FILLERS:
            break
        following = word
        index -= 1
    return cues % 2 == 1


_RELATIVE = frozenset({"someone", "somebody", "anyone", "anybody", "who", "whom", "people"})
_DETERMINERS = frozenset({"my", "our", "a", "his", "her", "their", "the", "your", "whose"})


def _subject_of(words: list[str], index: int) -> str | None:
    word = words[index]
    if word == "i" and index > 0 and words[index - 1] in _RELATIVE:
        return "other"  # "someone i love", "my friend who i ..."
    if word in {"i", "me", "myself"}:
        return "self"
    if word in _OTHERS or (
        word in _KIN_WORDS and _DETERMINERS & set(words[max(0, index - 3) : index])
    ):
        return "other"
    return None


def _subject(before: list[str]) -> str | None:
    """'self', 'other' or None: the nearest subject before a phrase in its clause; in a clause
    without one ("... and talked about dying"), the first subject of the clause before."""
    clause = _clause_before(before)
    for index in range(len(clause) - 1, -1, -1):
        if found := _subject_of(clause, index):
            return found
    earlier = _clause_before(before[: len(before) - len(clause) - 1])
    for index in range(len(earlier)):
        if found := _subject_of(earlier, index):
            return found
    return None


_SAYING = frozenset(
    {"said", "say", "says", "told", "tell", "think", "thought", "feel", "felt", "knew", "know"}
)
_IF = frozenset({"if", "unless", "suppose", "supposing", "hypothetically"})


def _condition(before: list[str]) -> str | None:
    """'antecedent' when the phrase is in the "if" part of a condition, 'consequent' when it
    follows one in its segment, else None."""
    index = next(
        (
            i
            for i in range(len(before) - 1, -1, -1)
            if before[i] in _IF and (i == 0 or before[i - 1] not in _EMBEDDING)
        ),
        None,
    )
    if index is None:
        return None
    rest = before[index + 1 :]
    skip = 1 if rest[:1] == ["i"] else 0
    for j in range(skip, len(rest)):
        if rest[j] in {"i", "then"} and (j == 0 or rest[j - 1] not in _AUX | _SAYING):
            return "consequent"
    return "antecedent"


def _has_if(segment: str) -> bool:
    words = segment.split()
    return any(w in _IF and (i == 0 or words[i - 1] not in _EMBEDDING) for i, w in enumerate(words))


_COMPANY = frozenset(
    {Category.TIME, Category.MEANS, Category.LETHAL_MEANS, Category.PLACE, Category.READY}
)


@dataclass(frozen=True, slots=True)
class _Note:
    recovery: bool
    protective: bool


def _negation(before: list[str], matched: str, after: list[str], answered_no: bool) -> bool:
    """Negated before (NegEx), after ("suicide is not an option") or answered "no"."""
    rest = " ".join(after)
    if _negated(before, matched.split()[0]) and not _UNTIL_NOW.match(rest):
        return True  # "i never wanted to die until now" is not negated
    return (
        answered_no
        or bool(_POST_NEGATION.match(rest))
        or (not before and after in (["no"], ["none"]))
    )


_ACTS = frozenset({Category.METHOD, Category.PLAN, Category.PREPARATION})
_BURDEN_OF_ME = frozenset(
    {"burden.better_off", "burden.more", "burden.third", "burden.fourth", "burden.sixth"}
)
_FIRST_PERSON_SUBJECT = re.compile(r"(?<![a-z0-9])(?:i|me)(?![a-z0-9])")
_PRONOUNS = frozenset({"he", "she", "they", "hes", "shes", "theyre"})


def _pronoun_subject(before: list[str]) -> str | None:
    """'other' when the nearest subject in the clause is "he", "she" or "they"."""
    for word in reversed(_clause_before(before)):
        if word in {"i", "me", "myself"}:
            return "self"
        if word in _PRONOUNS:
            return "other"
    return None


_REPORTING = _words(
    """
    said says texted texts messaged messages wrote writes posted posts typed types sent sends
    dmed tweeted snapped
    """
)
_REPORTED_FILL = _words("me us that just literally like saying")


def _reported(before: list[str]) -> bool:
    """The phrase is someone else's words, reported just before it ("bf texted me 'i won't be
    around'", "my brother said kms in a group chat")."""
    for j in range(len(before) - 1, max(-1, len(before) - 8), -1):
        if before[j] not in _REPORTING:
            continue
        rest = before[j + 1 :]
        if len(rest) > 6 or any(w in _CLAUSE_TERMINATORS for w in rest):
            return False
        subject = [w for w in before[max(0, j - 3) : j] if w not in _REPORTED_FILL | {"has", "had"}]
        return bool(subject) and subject[-1] in _KIN_WORDS | _OTHERS
    return False


def _whose(pattern: Pattern, matched: str, before: list[str], segment: str) -> Context | None:
    """OTHER or TOPIC for a phrase that names no one ("i", "me", "my") itself."""
    if pattern.name in _BURDEN_OF_ME:
        return None  # "they'd be better off without me": the burden is the member's
    if _reported(before):
        return Context.OTHER
    if _SELF_MARK.search(matched):
        # "kms" in reported speech ("my mate said he's going to kms") is someone else's
        if _FIRST_PERSON_SUBJECT.search(matched) or _pronoun_subject(before) != "other":
            return None
        return Context.OTHER
    subject = _subject(before)
    if subject is None and matched.split()[0] in _THIRD_PERSON_VERBS:
        subject = "other"
    if subject == "other" or pattern.name in {"mention.others", "mention.others_seen"}:
        return Context.OTHER
    if (
        (subject is None or pattern.category is Category.MENTION)
        and pattern.category not in _ACTS
        and _TOPIC.search(segment)
    ):
        return Context.TOPIC
    return None


# "... years ago and still am": the past goes on now
_STILL_NOW = re.compile(
    r"(?<![a-z0-9])(?:and|but) (?:i )?(?:still (?:am|do|feel|want|think|have)|am again|do again|"
    r"feel it again|it is back)(?![a-z0-9])"
)


def _past(matched: str, before: list[str], after: list[str], note: _Note) -> bool:
    """A past anchor in the phrase's clause with nothing of now, or a past verb next to it and
    a recovery statement in the note."""
    lead = [*_clause_before(before), matched]
    clause = " ".join([*lead, *_clause_after(after)])
    if (
        _PAST_ANCHOR.search(clause)
        and not _PRESENT.search(" ".join(lead))
        and not _STILL_NOW.search(" ".join(after))
    ):
        return True
    near = set(before[-5:]) | set(matched.split())
    return note.recovery and bool(near & _PAST_VERBS) and not _PRESENT.search(" ".join(before[-5:]))


def _context(
    pattern: Pattern,
    matched: str,
    before: list[str],
    after: list[str],
    segment: str,
    note: _Note,
    *,
    answered_no: bool,
    condition: str | None,
) -> Context:
    if _negation(before, matched, after, answered_no):
        return Context.NEGATED
    if pattern.category in _COMPANY:
        return Context.CURRENT
    whose = _whose(pattern, matched, before, segment)
    if whose is not None:
        return whose
    if condition == "antecedent" and (
        "ever" in before[-8:] or "ever" in matched.split() or note.protective
    ):
        return Context.HYPOTHETICAL
    if _past(matched, before, after, note):
        return Context.PAST
    return Context.CURRENT


MATCHES_PER_SEGMENT = 8
_ACQUIRING = frozenset({"preparation.acquire", "preparation.eighth"})  # a gun for sport
TIMED_RESOLVE = "resolve.timed"
_EXPLAINING = re.compile(
    r"^(?:\w+ing|i am going to|going to|the (?:\w+ )?(?:party|trip|wedding|move|holiday|meeting|"
    r"interview|dinner|date|exam|exams|birthday|match|game|gig|concert|appointment|"
    r"surgery|operation|flight|launch))(?![a-z0-9])"
)
_NOT_EXPLAINING = frozenset(
    {"nothing", "something", "everything", "killing", "ending", "dying", "hanging", "jumping",
     "overdosing", "cutting", "going"}
)  # fmt: skip


# A segment that says what "it" was right after finality or resolve ("it'll all be over by
# friday, the exams i mean", "this all ends tonight, the season finale").
_CLARIFYING = re.compile(
    r"(?:the|my) (?:\w+ ){0,2}i mean|i mean (?:the|my) (?:\w+ ){0,2}\w+|"
    r"(?:the|my) (?:\w+ )?(?:finale|series|show|season|sale|exams?|party|trip|move|contract|"
    r"lease|job|course|term|project|match|game|shift|holiday|placement|internship)"
)


# ... unless what "it" was is a means, a place or a plan ("it ends tonight, the pills i mean")
_NOT_CLARIFYING = _word(
    rf"{_PILLS}|{_LETHAL}|{_PLACES}|knife|knives|blades?|razors?|plan|note|letters?|life|me|"
    r"myself|everything|it all|suicide"
)


def _clarified(segments: list[tuple[str, bool]], index: int) -> bool:
    if not segments[index][1] or index + 1 >= len(segments):
        return False
    following = segments[index + 1][0]
    return (
        _CLARIFYING.fullmatch(following) is not None and _NOT_CLARIFYING.search(following) is None
    )


def _explained(segments: list[tuple[str, bool]], index: int) -> bool:
    """Is the "it" of "tonight im doing it" said right after ("..., painting the bedroom")?"""
    if not segments[index][1] or index + 1 >= len(segments):
        return False
    following = segments[index + 1][0]
    return (
        bool(_EXPLAINING.match(following)) and following.split()[0] not in _NOT_EXPLAINING
    )  # resolve and a time in one segment


MEANS_QUESTION = "method.means_question"
# "would it work?" of a means mixed or taken in quantity ("mixing my meds with alcohol, would it
# work?"); a bare "would it work" or a question of safety ("is it safe?") is no method.
_WOULD_IT = re.compile(
    r"(?:^|(?<=[a-z] ))(?:would|will|could|does|do|is|might) (?:it|that|this|they|these|those|"
    r"them|this combo|that combo|that combination|this combination|the combo|the mix|that mix)"
    r"(?: \w+)? (?:work|do it|do the job|kill me|be enough|be lethal|be fatal|be enough to "
    r"(?:die|kill me|do it|not wake up))(?= *$)"
)
_MEANS_WORDS = re.compile(
    rf"(?<![a-z0-9])(?:{_PILLS}|{_LETHAL}|alcohol|vodka|whisky|whiskey|bleach)(?![a-z0-9])"
)
_IN_QUANTITY = re.compile(
    r"(?<![a-z0-9])(?:mix|mixing|mixed|combine|combining|combined|with (?:\w+ )?(?:alcohol|"
    r"vodka|whisky|whiskey|wine|booze|gin|rum|beer)|all(?: of)? (?:my|the|them|these|those)|"
    r"the whole|a whole|a full|bottle|box|packet|\d{2,})(?![a-z0-9])"
)


def _means_question(segments: list[tuple[str, bool]], index: int) -> bool:
    """A segment asking whether a means would work, of means (in quantity or mixed) named in
    it or in the segment before it across a soft boundary."""
    segment = segments[index][0]
    if _WOULD_IT.search(segment) is None:
        return False
    told = [segment]
    if index > 0 and segments[index - 1][1]:
        told.append(segments[index - 1][0])
    return any(_MEANS_WORDS.search(part) and _IN_QUANTITY.search(part) for part in told)


# Patterns that go on from the segment before ("..., enough to do it") and speak of its subject.
_CONTINUING = frozenset({"ready.tenth"})


def _someone_else_before(segments: list[tuple[str, bool]], index: int) -> bool:
    """Whether the segment before (across a soft boundary) opens with someone else as subject
    ("she bought the pills", "my brother got ...") and names no "i", "me" or "my" after."""
    if index == 0 or not segments[index - 1][1]:
        return False
    words = segments[index - 1][0].split()
    if words[0] in _OTHERS:
        return not _SELF_MARK.search(" ".join(words[1:]))
    return len(words) > 1 and words[0] in {"my", "our"} and words[1] in _KIN_WORDS


def scan(text: str) -> tuple[PhraseHit, ...]:
    """Every pattern found in the note, in order, with its context, without repeats."""
    return _scan(_segments(text))


def _scan(segments: list[tuple[str, bool]]) -> tuple[PhraseHit, ...]:
    whole = " ".join(segment for segment, _ in segments)
    recovery = bool(_RECOVERY.search(whole)) and not _RELAPSED.search(whole)
    note = _Note(recovery, bool(_PROTECTIVE.search(whole)))
    casual = bool(_CASUAL.search(whole))  # "bye everyone, see you next week"
    hits: dict[PhraseHit, None] = {}
    for index, (segment, soft) in enumerate(segments):
        answered_no = (
            soft
            and index + 1 < len(segments)
            and _NEXT_NEGATION.fullmatch(segments[index + 1][0]) is not None
        )
        after_if = index > 0 and segments[index - 1][1] and _has_if(segments[index - 1][0])
        idioms = [m.span() for idiom in IDIOMS for m in idiom.finditer(segment)]
        clarified = _clarified(segments, index)
        kinds: set[Category] = set()
        for pattern in PATTERNS:
            # At most a few matches of one pattern per segment are read in context: a note
            # repeating a phrase hundreds of times gives nothing more, and stays fast.
            for match in islice(pattern.regex.finditer(segment), MATCHES_PER_SEGMENT):
                start, end = match.span()
                if (
                    any(a <= start and end <= b for a, b in idioms)
                    or (clarified and pattern.category in {Category.FINALITY, Category.RESOLVE})
                ) or (
                    casual
                    and (
                        pattern.category in {Category.FAREWELL, Category.FINALITY}
                        or pattern.name.startswith("vague.farewell")
                    )
                ):
                    continue
                before = segment[:start].split()
                after = segment[end:].split()
                condition = _condition([*before, *match.group(0).split()[:1]])
                if condition is None and after_if:
                    condition = "consequent"
                context = _context(
                    pattern,
                    match.group(0),
                    before,
                    after,
                    segment,
                    note,
                    answered_no=answered_no,
                    condition=condition,
                )
                if (
                    pattern.name in _CONTINUING
                    and context is Context.CURRENT
                    and _someone_else_before(segments, index)
                ):
                    context = Context.OTHER  # "she bought the pills, enough to do it"
                hit = PhraseHit(pattern.name, pattern.category, context, condition == "consequent")
                hits[hit] = None
                if hit.current:
                    kinds.add(hit.category)
        if {Category.RESOLVE, Category.TIME} <= kinds and not _explained(segments, index):
            hits[PhraseHit(TIMED_RESOLVE, Category.RESOLVE)] = None
        if _means_question(segments, index):
            hits[PhraseHit(MEANS_QUESTION, Category.METHOD)] = None
    return tuple(hits)


# --- levels and review reasons -------------------------------------------------------------

_SIGNS = frozenset(
    {Category.INTENT, Category.SELF_HARM, Category.BURDEN, Category.TRAPPED, Category.FAREWELL}
)
_ALONE = frozenset({Category.METHOD, Category.PLAN, Category.PREPARATION})
_FIRST_PERSON = frozenset({*_SIGNS, Category.METHOD, Category.PLAN, Category.PREPARATION})


# Company that a human should still read when it stands alone.
_REVIEWED_ALONE = frozenset(
    {"place.lethal", "ready.sorted", "ready.choose_time", "ready.looked_after"}
)


_PASSIVE_WISH = frozenset({"intent.taken_out"})


def level(hits: tuple[PhraseHit, ...], *, leisure: bool = False) -> Level | None:
    """The level the rules give these hits (see the module's documentation)."""
    live = {hit.category for hit in hits if hit.current}
    if leisure and not any(
        h.current and h.category in _ALONE and h.pattern not in _ACQUIRING for h in hits
    ):
        live -= {PR}  # "taking the gun to the range": an acquisition for sport or play
    conditional = any(hit.conditional and hit.current for hit in hits)
    self_context = any(
        hit.category in _FIRST_PERSON and hit.context in {Context.CURRENT, Context.NEGATED}
        for hit in hits
    )
    ready = {h.pattern for h in hits if h.current and h.category is RD}
    means = MS in live or LM in live
    # a passive wish ("hoping a bus takes me out", "being dead sounds peaceful right now") is no
    # intent to act: with only a time or a condition it stays high, not urgent
    acting = {h.category for h in hits if h.current and h.pattern not in _PASSIVE_WISH}
    intent = INT in acting or (RS in live and bool(live & _SIGNS))
    if (
        live & _ALONE
        or (intent and (live & {T, MS, LM, PLC, FI, RD} or conditional))
        or (FI in live and (live & {T, PLC, MS, LM} or conditional))
        or (PLC in live and live & {INT, FI, FA, TR, BU})
        or (live & {FA, BU, TR, SH} and live & {LM, PLC})
        or (FA in live and MS in live)
        or (LM in live and T in live and not leisure)
        or (LM in live and PLC in live and not leisure)
        or (PLC in live and any(h.current and h.pattern == "means.with" for h in hits))
        or (
            not leisure
            and {"place.lethal", "vague.up_here"}
            <= {h.pattern for h in hits if h.current}  # "at the bridge, its quiet up here"
        )
        or (ready and (self_context or len(ready) >= 2 or means))
        or (ready and T in live and live & {VG, FI, RS})  # "checking out tonight, got everything"
        or any(h.pattern == TIMED_RESOLVE for h in hits)
    ):
        return Level.PLAN
    # Everyday means to be taken or used at a time ("I have the pills and I will take them
    # tonight"): often medication, but a human should look (high, not urgent); a miss costs
    # more. Past use ("took my pills today") and errands ("pick up my meds") stay silent.
    soon = any(h.pattern == "means.use_soon" and h.current for h in hits)
    death_emoji = any(h.pattern == "vague.death_emoji" and h.current for h in hits)
    soft = {h.pattern for h in hits if h.current and h.pattern.startswith("vague.farewell")}
    soft |= {"finality" for h in hits if h.current and h.category is FI}
    if len(soft) >= 2:  # "thank you for everything, i love you, goodbye"
        return Level.INTENT
    resolve = {h.pattern for h in hits if h.current and h.category is RS}
    if len(resolve) >= 2 or (resolve and FI in live):  # "i've decided, i'm going to do it"
        return Level.INTENT
    handful = any(h.pattern == "vague.emoji_handful" and h.current for h in hits)
    if (
        live & _SIGNS
        or (MS in live and T in live and soon)
        or ((death_emoji or handful) and T in live)
        or any(h.current and h.pattern == "vague.emoji_sad_means" for h in hits)
    ):
        return Level.INTENT
    return None


def reviews(hits: tuple[PhraseHit, ...]) -> frozenset[ReviewReason]:
    """What a human should read although the hits give no level (see the module docs)."""
    found: set[ReviewReason] = set()
    for hit in hits:
        if hit.category in _COMPANY or hit.pattern.startswith("vague.farewell"):
            continue  # company and a single soft farewell say nothing alone
        if hit.context is Context.OTHER:
            found.add(ReviewReason.THIRD_PARTY)
        elif hit.context is Context.PAST:
            found.add(ReviewReason.PAST)
        elif hit.current and hit.category in {Category.MENTION, Category.VAGUE, FI, RS}:
            found.add(ReviewReason.UNCLEAR)
    if any(h.current and h.pattern in _REVIEWED_ALONE for h in hits):
        found.add(ReviewReason.UNCLEAR)  # "standing on the roof", "just need to pick the night"
    if any(h.current and (h.category is LM or h.pattern == "place.lethal") for h in hits) and any(
        h.current and h.category is T for h in hits
    ):
        found.add(ReviewReason.UNCLEAR)  # lethal means and a time, in a leisure context
    return frozenset(found)


def assess(text: str) -> TextFinding:
    """Scan a note and grade it. Empty text gives no hits and no level."""
    if not text:
        return TextFinding(None, ())
    segments = _segments(text)
    hits = _scan(segments)
    leisure = any(_LEISURE.search(segment) for segment, _ in segments)
    found = level(hits, leisure=leisure)
    return TextFinding(found, hits, frozenset() if found else reviews(hits))
