"""The phrase rules: every warning-sign category, the contexts that clear or defer a phrase, and
the review reasons (see kindred.safety.phrases). Examples are written the way members write:
lower case, no punctuation, typos, slang, emoji, run-on text."""

import time

import pytest

from kindred.safety.phrases import (
    IDIOMS,
    PATTERNS,
    Category,
    Context,
    Level,
    ReviewReason,
    assess,
    normalize,
    normalized_text,
    scan,
)

PLAN = Level.PLAN
INTENT = Level.INTENT
THIRD_PARTY, PAST, UNCLEAR = ReviewReason.THIRD_PARTY, ReviewReason.PAST, ReviewReason.UNCLEAR

# Urgent (`free_text_plan`): plan, method, means, preparation, intent with a time, a place or a
# condition, farewell with means.
URGENT = {
    "method": [
        "I keep thinking I should hang myself",
        "thinking about jumping off the bridge",
        "i keep thinking about jumping off my balcony",
        "I could just take all my pills",
        "im going to take every pill in the cabinet tonight",
        "I'm going to slit my wrists",
        "last night I cut myself too deep",
        "gonna overdose on my antidepressants",
        "gonna drink bleach",
        "I'll step in front of a train",
        "i'm gonna jump off the multi storey after work",
        "i keep staring at the knife in the kitchen drawer",
        "researching the least painful way to go",
        "i have enough insulin to not wake up",
        "the gun is in the safe and i keep thinking about using it on myself",
        "I'll swallow them all tomorrow",
    ],
    "plan": [
        "I have a plan.",
        "i have a plan and i know when",
        "I've thought about how I'd do it, I have a plan",
        "I looked up the lethal dose",
        "googling how much tylenol is lethal",
        "i know exactly which building im going to jump from",
        "i picked a spot by the tracks",
        "wrote my suicide note last night",
        "I've written a note for my family",
    ],
    "preparation": [
        "been stockpiling my meds for a month",
        "ive been saving my sertraline for weeks now",
        "got 60 of my mums sleeping tablets hidden in my drawer for when i need them",
        "the rope is ready in the garage",
        "bought a gun yesterday, you know why",
        "Been putting my affairs in order",
        "updated my will and gave my dog to my neighbour",
        "sorted out my passwords and insurance so my wife gets the money",
        "found a new home for my cat so she'll be ok after",
        "I'm giving away my things",
        "i gave away my guitar and my books because i wont need them",
        "I said goodbye to everyone",
        "wrote goodbye letters to everyone i love",
        "I bought a rope and I've been looking up how",
        "I have the pills saved",
    ],
    "intent with a time or a condition": [
        "I am going to hurt myself tonight",
        "I'm going to kill myself tonight",
        "i want to die today",
        "Going to end my life this weekend",
        "I will end it all after everyone's asleep",
        "ive decided im going to end my life on saturday",
        "on my bday i end it all",
        "if nothing changes by the end of the month im out",
        "if i fail this exam im ending it",
        "if she doesnt call me back i will kill myself",
        "unless he comes back im ending it this weekend",
        "after my kids go to sleep tonight im doing it",
        "im done. tonight is the night.",
        "kms tonight fr",
        "going to ctb tomorrow",
        "i cant do this anymore so tonight after everyone is asleep im taking all my pills",
    ],
    "means": [
        "I want to kill myself and I have a gun",
        "i want to die and i have a whole bottle of pills next to me",
        "i want to die 🔪🔪",
        "i want to die 💊💊💊 tonight",
        "I don't want to kill myself but I have the pills ready",
        "Got the rope. Tonight.",
    ],
    "more plans, rehearsals and preparations": [
        "i just ordered a rope off amazon",
        "been planning my death for weeks",
        "gonna jump tonight",
        "ive got the charcoal and tape ready",
        "tonight ill take the whole box of sleeping pills",
        "i have it all planned out, sunday morning before anyone wakes up",
        "i know how i'm going to do it",
        "i've been practicing tying a noose",
        "i'm going to crash my car into a tree on the way home",
        "writing letters to my kids for after im gone",
        "i made a list of who gets my stuff",
        "i already said my goodbyes",
        "saying goodbye to my friends one by one so they dont notice",
        "i walked to the bridge last night and stood on the edge for an hour",
        "i sat on the ledge of the roof last night",
        "ive counted the pills, there's enough",
        "i'm going to walk into the sea tonight",
        "i wont be here after friday",
        "tonight is my last night",
        "by this time tomorrow ill be gone",
        "i want to die. i have the pills in my hand right now",
    ],
    "a place and not coming back": [
        "walking to the river tonight and not coming back",
        "gonna drive to the coast one last time and not come back",
        "im going to the bridge tonight and im not coming home",
        "one way trip to the cliffs tonight",
    ],
}

# High (`free_text_intent`) at least.
HIGH = {
    "wish to be dead": [
        "I wish I was dead",
        "i wish i could go to sleep and not wake up",
        "i hope i dont wake up tomorrow",
        "honestly i just wanna disappear forever",
        "i wish i was never born",
        "death would be a relief",
        "i'm tired of being alive",
        "i want to go to sleep forever",
        "honestly id be better off dead",
        "tbh i dont want to wake up tomorrow",
        "i'd rather die than go on like this",
    ],
    "suicidal thoughts": [
        "I want to kill myself",
        "KILL MYSELF",
        "ugh kms",
        "I lowkey wanna kms",
        "i want to kil myself",
        "I want to killlll myself",
        "I'm going to unalive myself",
        "i feel like unaliving",
        "thinking about sewer slide",
        "i wanna sewerslide",
        "ctb thoughts again",
        "I feel suicidal",
        "suicidal again",
        "been having suicidal thoughts every day this week",
        "i think about suicide all the time",
        "suicide is on my mind constantly",
        "I can't stop thinking about killing myself",
        "i cant stop thinking about dying",
        "idwtbh",
        "iwanttodie",
        "i want 2 die",
        "I wanna diee",
        "i wanna die lol",
        "i want to end it",
        "i dont feel safe with myself right now",
        "i'm not sure i'll make it through tonight",
    ],
    "no reason to live": [
        "i dont want to live anymore",
        "I don\u2019t want to be alive anymore",
        "i dont wanna be here no more",
        "there is no reason for me to live",
        "nothing to live for anymore",
        "life isnt worth living",
        "whats the point of living",
        "life is so pointless i dont see the point in living",
        "i dont feel like living anymore",
        "I no longer want to live",
    ],
    "trapped, unbearable pain": [
        "i'm trapped and theres no way out",
        "i feel trapped in my own life",
        "the pain is unbearable and it never stops",
        "i cant take the pain anymore",
        "i cant take it anymore",
        "i just cant go on",
        "I can't go on like this",
    ],
    "burden": [
        "everyone would be happier if i was gone",
        "i'm such a burden to everyone",
        "my family would be better off without me",
        "nobody would even notice if i vanished",
        "sometimes i think everyone would be happier without me around",
        "Nobody would care if I died",
    ],
    "self-harm": [
        "ive been cutting again",
        "i burned myself with a lighter last night",
        "i hit myself until i bruise",
        "i keep scratching my arms till they bleed",
        "urge to self harm is so strong",
        "relapsed on sh after 100 days",
        "I've been hurting myself again",
        "i hate myself so much i cut my arms last night",
    ],
    "farewell": [
        "this is my last check in. thank you all",
        "goodbye everyone i love you",
        "please take care of my dog for me",
        "you wont hear from me after today",
        "goodbye world",
    ],
    "more ideation, self-harm and burden": [
        "i want to be with my mom in heaven",
        "i want to join my brother, i miss him so much i want to die",
        "i pray god takes me in my sleep",
        "please let me not wake up",
        "me \u26b0\ufe0f soon",
        "i am a waste of space and everyone knows it",
        "im so done with everything i just want it to end",
        "sometimes i think about driving off the road",
        "everything hurts and i dont want to be here",
        "i have thoughts of killing myself every night",
        "i wish i could just die in my sleep",
        "my family would be better off with the life insurance",
        "i punched the wall until my knuckles bled",
        "i burn myself with cigarettes when it gets bad",
        "i started cutting my thighs again where no one can see",
        "i'm gonna do something stupid tonight",
        "i'm thinking of ending things",
        "i keep having thoughts of jumping in front of the train",
        "i feel like dying",
        "dont wanna live",
        "no will to live",
    ],
    "farewell and attempts": [
        "thank you all for everything you've done for me, i love you, goodbye",
        "this will be my final message",
        "please tell my sister i love her and that im sorry",
        "i just want everyone to know it's not their fault",
        "dont blame yourselves when i'm gone",
        "\U0001f48a\U0001f48a\U0001f48a\U0001f48a goodnight forever",
        "i tried to kill myself last night",
        "i took a bunch of pills last night but woke up",
        "i attempted last week",
        "i overdosed yesterday",
        "it's been bad, i relapsed and cut last night",
        "\U0001f52a urges again tonight",
        "my brain keeps telling me to end it",
        "i keep imagining my funeral",
        "i'm stuck and i can't see any way forward, i just want out",
    ],
    "a third wave: every category in other words": [
        "driving out to the lake tonight, won't be driving back",
        "going to the top of the multistorey, this is it",
        "i'm on the roof now. not climbing down",
        "sitting on the train tracks waiting",
        "parked by the cliffs with the pills, no going back now",
        "at the river with rocks in my pockets",
        "walking into the sea and i'm not stopping",
        "heading to the viaduct, no one will find me in time",
        "took my dad's gun out to the field",
        "got the rope and i'm going into the woods",
        "going out to the bridge one last time",
        "this is the last time i'll see the sea",
        "booked a hotel room far away with all my meds",
        "been thinking about the best way to do it, probably pills",
        "the only question is rope or pills",
        "i keep staring at the train tracks on my way to work wanting to step in front",
        "i could just drive into a wall on the way home",
        "thinking about cutting deep enough this time",
        "every time i see a bridge i think about jumping",
        "i've worked out how many of my tablets it would take",
        "if i mix my meds with alcohol it might be enough",
        "i looked at the kitchen knives for a long time tonight",
        "my insulin would be an easy way",
        "i've been saving my tablets in an old pill bottle",
        "cancelled my therapy and gave notice at work, won't need either",
        "bought rope today from the hardware store",
        "wrote letters to everyone i love and put them in envelopes",
        "i've organised who will take my cats",
        "made sure my will is up to date this week, just in case",
        "i've been tidying everything so nobody has to clear up after me",
        "paid off my debts so nobody gets stuck with them",
        "looked up how long it takes to bleed out",
        "ordered something online that will do it, arrives thursday",
        "this is the last time you'll hear from me",
        "tell everyone i'm sorry",
        "i just wanted to say goodbye to all of you",
        "thanks for trying, it wasn't your fault. bye",
        "please look after my kids",
        "i hope you all have good lives",
        "goodbye, i'm sorry for everything",
        "sorry i couldn't be stronger. love you all",
        "by the time anyone sees this i'll be gone",
        "signing off for the last time",
        "i scratched myself raw last night",
        "been hitting my head against the wall when it gets bad",
        "i cut my wrist last night but not deep",
        "the scars on my arms are fresh again",
        "i starved myself all week on purpose",
        "i deserve the pain so i keep hurting myself",
        "sh'd again last night",
        "relapsed. cut twice",
        "no one would even notice i was gone",
        "i'm just a drain on everyone",
        "my family deserves better than me",
        "i'm ruining my kids' lives by being here",
        "i feel like there's no escape from this",
        "there is no way i can keep living like this",
        "i want to fall asleep and never wake up",
        "i would be better off not existing",
        "lately i keep thinking everyone would be better without me and maybe i should just end it",
        "i've been having thoughts about ending it all",
        "im tired. im so tired of being alive",
        "i just dont want to be alive",
        "i want out of this life",
        "friday night is when i'll do it",
        "after the funeral i'm going to end it too",
        "i'm going to do it when my husband is at work tomorrow",
        "on new years eve i'm ending it",
        "i'll be gone before christmas",
        "i won't make it to my birthday",
        "tonight's the night i finally do it",
    ],
    "a fourth wave": [
        "honestly i'd welcome a car crash at this point",
        "i fantasize about not existing",
        "i just want the world to stop and let me off",
        "i have zero desire to keep living",
        "i want to go to sleep and not have to wake up ever",
        "part of me wants to die",
        "i've been googling painless ways",
        "i have a bottle of vodka and a full pack of co-codamol",
        "i've got the belt ready",
        "i think i'll take all my sleeping tablets tonight",
        "the plan is to drive into the river",
        "thinking of hanging myself in the loft",
        "i bought a lot of paracetamol today for a reason",
        "tonight i'll finally be free of this",
        "i am going to take my own life",
        "i'll do it on sunday when the house is empty",
        "i'm giving my savings to my sister this week, she'll need it more than me",
        "i've started giving my clothes to charity, i won't need them",
        "i've written my goodbye video",
        "put my affairs in order and cleaned the flat",
        "i keep practicing with the knife",
        "i carved into my skin again",
        "i've been pulling my hair out and cutting",
        "i burned my thigh with a lighter",
        "i starved myself for three days to punish myself",
        "i cut deeper than i meant to",
        "love you all so much. please don't be sad",
        "tell my dog i'm sorry",
        "this is goodbye my friends",
        "i won't need this app anymore after tonight",
        "by tomorrow none of this will matter to me",
        "i'm such a burden i'd be doing everyone a favour by dying",
        "everyone's lives would improve if i died",
        "i'm nothing but trouble for my family, they'd be relieved",
        "i'm a waste of oxygen",
        "my kids would be better off with a different mum",
        "there's no point carrying on",
        "i can't bear another day of this",
        "i feel trapped with no escape",
        "the emotional pain is too much to bear",
        "nothing is ever going to change and i can't live like this",
        "i'm drowning and i can't take it anymore",
        "ive decided tonights the night",
        "im gonna end it on my birthday next week",
        "if i don't get the job i'm done with life",
        "if he leaves me, i'll end it",
        "at 3am when everyone's asleep i'm going",
        "im on the bridge",
        "i'm standing at the edge of the cliff",
        "at the train station, thinking about the next train",
        "walking to the beach with my pills",
        "im in the bath with a razor",
        "i wanna unalive so bad",
        "i'm gonna commit sewer slide",
        "ctb tonight",
        "i just want to die 💀💀",
        "i want to d1e",
        "i wnt to dye",
        "last night i took 20 pills and woke up in a&e",
        "i tried hanging myself last week but the rope snapped",
    ],
    "a fifth wave": [
        "it would be so easy to just not be here anymore",
        "i keep wishing i'd get hit by a bus",
        "i'm praying i don't wake up",
        "i want to end my suffering for good",
        "sometimes i think death would be peaceful",
        "i'm ready to go, i've had enough",
        "i've had enough of life",
        "life isn't for me",
        "i'm done fighting, i want to stop",
        "i've lost the will to go on",
        "the thought of killing myself is comforting",
        "i've been having urges to end it",
        "i think about ways to kill myself",
        "i want to hang myself",
        "gonna take a whole bottle of pills",
        "i know which pills and how many",
        "i've got a stash of pills saved up",
        "going to buy a rope tomorrow",
        "i've hidden a knife in my room",
        "writing my suicide letter",
        "ive been giving my stuff away to friends",
        "i've arranged for my sister to have my cat",
        "scratching my skin until it bleeds",
        "i've been cutting my legs so no one sees",
        "i hurt myself again last night",
        "i slammed my hand in the door on purpose",
        "i want to cut so badly",
        "please don't miss me",
        "thank you for everything, i'm sorry it ended like this",
        "i want you to know none of this is your fault. goodbye",
        "this is my final goodbye",
        "i won't be here next week",
        "you guys were the best, bye forever",
        "i feel like such a burden, everyone would be happier without me",
        "my existence is a burden to everyone",
        "i just make everyone's life worse",
        "there's no way out for me",
        "i'm so trapped, there's no escape",
        "the pain never stops and i can't take it",
        "im finished. no more",
        "this weekend it ends",
        "after my exams i'm going to kill myself",
        "in two days i'll be gone",
        "i'm driving to the coast and not coming back",
        "i'm taking the rope to the woods",
        "on the roof of my building, thinking of jumping",
        "sitting on the ledge",
        "at the bridge with the pills",
    ],
    "a sixth wave": [
        "i genuinely don't see myself being alive next year",
        "i can't picture a future where i'm alive",
        "everything would be quieter if i wasn't here",
        "i've made peace with dying",
        "i've accepted that i'm going to die soon by my own hand",
        "i feel a pull towards death",
        "i want my life to be over",
        "i keep thinking it'd be nice to just fade away",
        "i wish i'd never woken up this morning",
        "ive been thinking about how to do it",
        "i have the means and i have a time",
        "i stood on a chair with a belt last night",
        "tried to drown myself in the bath",
        "i held a knife to my wrist for ages",
        "i swallowed a handful of tablets earlier",
        "saved up 50 tablets",
        "i've been collecting razor blades",
        "i researched how to tie a noose",
        "i'm updating my will and writing letters this week",
        "i've been giving my books and records away, won't need them where i'm going",
        "i picked out my funeral songs",
        "i'm scratching at my wrists again",
        "cut myself to feel something",
        "been burning myself again",
        "i bite myself until i bleed",
        "i hit myself when i mess up",
        "if you're reading this i'm already gone",
        "see you all on the other side",
        "it's been nice knowing you all",
        "my last words: i'm sorry",
        "my family is better off without me and they know it",
        "they'll be fine once i'm gone",
        "i'm only a burden, nothing more",
        "i feel like i'm in a hole i'll never get out of",
        "i'm at the end of my rope",
        "i've reached my limit, i can't do it anymore",
        "i'm going to kill myself this friday",
        "i'm doing it tonight after work",
        "next week i won't be here",
        "heading out to the cliffs, tell my mum i love her",
        "i want to kms",
        "unaliving myself tonight",
        "gonna sewer slide fr",
        "i really want to d*e",
    ],
    "texting, emoji and run-on notes": [
        "ngl i lowkey wanna die rn",
        "i wanna be dead so bad",
        "srsly thinking bout endin it",
        "im so done w life",
        "cant do this no more im out",
        "i dont wanna wake up tmrw",
        "honestly id rather not exist",
        "i jus wanna sleep n never wake up",
        "thinkin bout jumpin off the bridge by my house",
        "gonna od 2nite",
        "got a whole bunch of pills saved up lol",
        "i keep havin thoughts of killin myself",
        "im a burden to evry1",
        "every1 wud be better off w/o me",
        "nobody wud even care if i was gone",
        "i cut again 2day",
        "burnt myself w a lighter again",
        "sh urges r so bad rn",
        "i wanna hurt myself so bad",
        "bye every1 ily",
        "this is goodbye 4 real",
        "take care of my cat 4 me pls",
        "im leavin 4 good, dont look 4 me",
        "💀💀 i want to die fr",
        "😞🔪",
        "⚰️⚰️ soon",
        "🪦 me tonight",
        "💊💊💊💊💊💊 tonight",
        (
            "today was the same as always i got up i went to work i came home i sat in the dark"
            " and thought about how nobody would notice if i was gone and how easy it would be "
            "to just take everything in the cabinet"
        ),
        (
            "idk anymore everything is just grey and pointless and i keep thinking maybe it "
            "would be better if i just wasnt here and nobody would have to deal with me"
        ),
        "i have decided. saturday. the pills are ready.",
        "every morning i'm disappointed i woke up",
        "i've started saying goodbye to people in little ways",
        "i've been writing goodbye messages on my phone",
    ],
    "a seventh wave": [
        "some days i hope i just don't make it home",
        "if i died in my sleep i'd be relieved",
        "i'd be fine with never waking up",
        "life feels like a waiting room for death and i want it over",
        "i want to not be alive",
        "i'm over living",
        "my head keeps saying just do it, just end it",
        "suicide is all i think about lately",
        "i've been suicidal all week",
        "the thoughts of ending my life won't go away",
        "i'm thinking of killing myself",
        "i constantly think about dying",
        "i'm going to get my dad's shotgun",
        "i want to jump from the tallest building i can find",
        "i keep thinking about drowning myself",
        "i'll take everything in the medicine cabinet",
        "the easiest way would be pills",
        "i'd step off the platform",
        "i'm going to end it, i've decided",
        "i'm going to kill myself, i mean it",
        "i intend to take my life",
        "i've got a plan, pills and a bottle of wine",
        "i worked out exactly how i'm going to do it",
        "i've scouted a spot",
        "tonight when the house is quiet i'll do it",
        "this time next week i won't exist",
        "i've been stashing my pills for weeks",
        "i've written a letter to each of my kids",
        "i've sorted who gets my things",
        "i've been cutting every night",
        "i punch myself in the head",
        "i sliced my arm open last night",
        "i burn my skin with hot water",
        "i'm so sorry everyone. goodbye forever",
        "this is the last you'll hear from me",
        "look after my mum for me",
        "i'm a drain on everyone",
        "they'd all be better off if i disappeared",
        "i'm a waste of space and air",
        "i'm stuck in a life i can't escape",
        "i don't see any way out of this pain",
        "nothing will ever get better and i can't live like this anymore",
        "i'm at the cliff edge now",
        "taking the car to the forest with a hose",
        "i'm driving to the bridge, i'm not coming back this time",
    ],
    "an eighth wave": [
        "i have nothing left, i'm ready to end it",
        "death sounds nice right now",
        "i'd give anything to not exist",
        "i want someone to kill me",
        "i want to die so my family gets the insurance",
        "i've stopped taking my meds and i've been saving them",
        "i'm going to drink until i pass out and take my tablets",
        "i googled if paracetamol overdose is painful",
        "there's a tree in the park i keep looking at, i know it would hold me",
        "i've tested the beam in the garage",
        "i've told my friends i'm moving away so they won't look for me",
        "i've prepaid my rent so my landlord isn't out of pocket",
        "i pulled a blade across my arm tonight",
        "my arms are covered in cuts",
        "i've started self harming again after 3 years",
        "i want everyone to remember me happy",
        "don't be sad when i'm not here",
        "i'm sorry mum, you did nothing wrong",
        "i'm worthless and everyone would be happier without me",
        "i only cause pain to people i love",
        "my family would be better off if i was never born",
        "i can't escape my own head",
        "it's like there's no way forward, just darkness",
        "every day is unbearable",
        "gonna do it while the kids are at school tomorrow",
        "monday morning i'm going to end everything",
        "i'm not going to be here much longer",
        "walking along the motorway bridge, one step and it's over",
        "i'm on the roof and i'm going to jump",
    ],
    "negation that does not hold": [
        "i'm not ok, i want to die",
        "im not ok and i want to die",
        "I'm not sleeping and I want to die",
        "not sure i wont hurt myself",
        "I can\u2019t promise I won\u2019t hurt myself",
        "I never said I wouldn't kill myself",
        "I'm not going to not kill myself",
        "im not gonna lie i want to die",
        "i dont know why i want to die",
        "What if I just ended my life",
        "i never wanted to die until now",
        "i do not want to die but i do not want to live either",
        "i wouldnt say im suicidal but i think about dying a lot",
        "not feeling suicidal, but i have been cutting again",
        "i dont want to live like this anymore",
        "my mom found my cuts",
    ],
}

# No level and nothing to review.
CALM = {
    "idioms and hyperbole": [
        "id rather die than do karaoke",
        "dying to see the new spiderman",
        "this commute is killing me",
        "killed it at the gym today",
        "killing it at work today",
        "dead tired after work",
        "my phone died during the call",
        "she is drop dead gorgeous",
        "i could kill for a pizza rn",
        "i'm dying of laughter at this meme",
        "that exam killed me lol",
        "im dead \U0001f602",
        "i'd kill for a nap right now",
        "I'm killing myself laughing",
        "I cut myself shaving",
        "quitting would be career suicide",
        "we watched Suicide Squad",
        "I really shot myself in the foot there",
        "I'm taking my life back",
        "that cake was to die for",
        "this heat is unbearable",
        "my knee pain is unbearable today",
        "learning the ropes at my new job",
    ],
    "physical": [
        "killing weeds in the garden all morning",
        "car has a dead battery again",
        "exfoliating the dead skin",
        "my plants are dying",
        "burned my hand on the stove",
        "i hurt my back at the gym",
        "cutting down on sugar",
        "we are going to cut the cake tonight",
    ],
    "more hyperbole": [
        "my sister killed it at her recital",
        "i nearly died when i saw the bill",
        "lol i'm dead",
        "my feet are killing me after that hike",
        "i'd rather die than go to that party again lol",
        "you'll be the death of me",
        "i could murder a curry",
        "im killing time before my appointment",
        "bored to death in this lecture",
        "scared to death of spiders",
        "dead on my feet",
        "i'm dying for a coffee",
        "the boss said he'd kill me if the report was late",
    ],
    "grief about someone else": [
        "my grandma died last week, i miss her",
        "my dad died of cancer 3 years ago",
        "my cat died and i'm heartbroken",
        "my grandad passed away peacefully",
        "lost my mum to cancer last year, still grieving",
        "i miss my dad every day since he died",
        "our neighbour died in a car crash",
        "it was my grandpa's last christmas with us",
    ],
    "negation": [
        "I am not going to hurt myself",
        "I would never end my life",
        "never would i hurt myself",
        "not once have i thought about suicide",
        "suicide is something i would never do",
        "ending it isn't on the table",
        "killing myself isn't an option, i have too much to live for",
        "suicidal? no",
        "kill myself, never",
        "suicide? never",
        "thoughts of self harm: none",
        "im not suicidal at all",
        "not suicidal, just tired",
        "I have no intention of ending my life",
        "i don't have any thoughts of hurting myself",
        "I don't want to die, I am going to the party tonight",
        "I\u2019m not going to kill myself tonight",
        "i am definitely not going to kill myself",
        "never have i ever wanted to die",
        "i no longer feel suicidal",
        "I don't have a plan",
        "I haven't written a note",
        "i had a great weekend and i dont want to hurt myself anymore",
        "no i am not going to kill myself",
        "i refuse to let this kill me",
        "there's no way i'd ever kill myself",
        "my therapist asked if i ever think about suicide and i said no",
    ],
    "hypothetical": [
        "if i ever felt suicidal i'd call 988",
        "if i ever have suicidal thoughts again i'll use my safety plan",
        "if you are feeling suicidal please reach out to 988",
    ],
    "prevention and news": [
        "walked in a suicide prevention 5k",
        "read an article on suicide rates",
        "988 training at work today",
        "i attended a safetalk suicide awareness workshop",
        "i'm writing an essay on self harm in teenagers",
        "watched a documentary on overdoses",
        "went to a talk on suicide prevention in schools",
        "i'm training to be a crisis line volunteer",
        "the podcast was about suicide in the music industry",
        "the news said suicide rates went up among young men",
    ],
    "everyday plans, means and goodbyes": [
        "I took my pills today",
        "I need to pick up my meds tomorrow",
        "taking my pills with dinner tonight",
        "got a new knife set for the kitchen",
        "I have the presentation ready for tomorrow",
        "I have a plan for the weekend",
        "the plan for tonight is pizza and a movie",
        "I said goodbye to my mum at the airport",
        "I wrote a note to my landlord",
        "wrote a letter to my grandma for her birthday",
        "I gave away my old clothes",
        "we set a date for the wedding",
        "i'm done with my exams!",
        "i'm going to the beach this weekend",
        "went to the bridge for a walk with my dog",
        "i'm on my last week at this job, going to say goodbye to my coworkers",
        "great day, feeling hopeful",
        "I'm exhausted",
        "hang in there",
        "i'm going to jump in the pool later",
        "writing my will with my lawyer, feels grown up",
        "bye everyone, see you next week",
        "i give up on this crossword",
        "whats the point of this meeting",
        "walked over the bridge to the farmers market",
        "went to the cliffs for a hike, gorgeous view",
        "i'm not coming back to this cafe, the coffee was awful",
        "i'm done with this semester finally",
        "there's no way out of this meeting lol",
        "i'm stuck in traffic with no way out",
        "i love you all, see you tomorrow",
        "thank you for everything this week, the group was great",
        "finally ended things with my toxic ex",
        "i'm leaving for good, moving to spain next month!",
    ],
    "other languages (the instruments still apply)": [
        "quiero morir esta noche",
        "je veux mourir",
        "ich will nicht mehr leben",
        "",
        "   ",
    ],
}

# No alert; a review may or may not follow (the past, someone else, a hypothetical, idioms).
NO_ALERT = {
    "a third wave: past, hypothetical, someone else, idioms": [
        "i attempted suicide when i was 19, i'm 35 now",
        "i had a bad patch in 2018 where i self harmed",
        "years back i used to think about dying a lot",
        "my last attempt was a decade ago",
        "i was hospitalised for an overdose as a teenager",
        "i haven't self harmed since 2020",
        "i was suicidal after my divorce but i'm good now",
        "i used to cut, now i draw instead",
        "during lockdown i had suicidal thoughts",
        "if i ever felt that low again i'd tell my gp",
        "what would happen if someone told their therapist they were suicidal?",
        "hypothetically, if i said i wanted to die, would you call the police?",
        "i worry about what i'd do if i lost my job, but i have a safety plan",
        "if my depression came back, i'd want to know the signs",
        "just curious, does this app report suicidal thoughts?",
        "my son told me he wants to die, what do i do",
        "my friend posted a suicide note on facebook",
        "my partner has been cutting his arms",
        "my mum took an overdose yesterday and is in hospital",
        "a student in my class talks about killing herself",
        "my brother has a rope in his room and i'm scared",
        "my grandad said he's ready to die",
        "i'm worried about my flatmate, she keeps saying she wants to disappear",
        "i'd rather die than sing in public",
        "my legs are dead after that run",
        "that workout killed me",
        "i'm literally dying of boredom",
        "killing it at work this week!",
        "dead serious though",
        "this assignment will be the death of me",
        "i'm dying to tell you the news",
        "my houseplants all died while i was away",
        "i shot a great photo today",
        "hang on, let me check",
        "i'm going to hang out with friends tonight",
        "my uncle passed away",
        "it's the anniversary of my dad's death today, feeling sad",
        "my cousin died in an accident last year, i still miss him",
        "killing the mosquitoes",
        "dead pixels on my screen",
        "i overdosed on chocolate lol",
        "i'm cutting my hair short tomorrow",
        "i'm going to jump on the bed",
        "took a pill for my headache",
        "went for a drive to the coast, lovely day",
        "i'm not coming back to work until monday",
        "the bridge was beautiful at sunset",
        "i never want to go back to that job",
        "no way i'm going to that party",
        "suicide prevention day is coming up",
        "i read a book about a man who survived jumping off the golden gate bridge",
        "i'm not suicidal, just stressed about money",
        "i don't have any plans to end my life",
        "never had any thoughts of self harm",
        "ending it with my girlfriend was the right call",
        "i'm done with coffee",
        "i give up sugar for lent",
        "thanks everyone for everything this week, see you monday",
        "goodbye 2025, hello 2026!",
        "my last check in of the week, feeling ok",
    ],
    "a fourth wave": [
        "i used to feel suicidal, but i'm doing much better now",
        "my daughter's friend died by suicide and she's devastated",
        "i had an overdose years ago",
        "i would never do anything to hurt myself",
        "i don't ever think about dying",
        "no thoughts of ending my life, just tired",
        "i'm not planning anything, i promise",
        "suicide isn't something i'd consider",
        "i wouldn't kill myself, i love my kids",
        "if things got really bad i'd call the crisis line",
        "my husband worries i'd hurt myself but i wouldn't",
        "my best friend's brother took his own life",
        "i'm reading 'the bell jar' for class",
        "we talked about suicide risk in my nursing lecture",
        "i'm a volunteer at samaritans",
        "the article about overdoses in prisons was sad",
        "i'm dying to go on holiday",
        "that meeting nearly killed me",
        "my phone's dead",
        "dead good night out",
        "killer workout",
        "i could just die of happiness",
        "murdered that exam",
        "my back is killing me",
        "the dog ate my homework lol i'm dead",
        "gave my sister my old laptop",
        "wrote a letter to my future self",
        "i said bye to my friends after the party",
        "i'm done with the gym for today",
        "not coming back to this restaurant",
        "last day of my holiday, sad to leave",
        "i'm taking my pills as prescribed",
        "picked up my prescription",
        "i bought a kitchen knife set",
        "we scattered my grandma's ashes at the cliffs",
        "visited dad's grave today",
        "my cat is getting old and sick",
        "i'm hanging in there",
        "i'm so tired i could sleep forever lol",
        "this heatwave is killing me",
    ],
    "a fifth wave": [
        "i'd never take my own life",
        "i have no desire to die",
        "i'm not going to end it, don't worry",
        "the thought of suicide has never crossed my mind",
        "i don't want to hurt myself anymore and i won't",
        "i used to self harm but i'm 2 years clean",
        "as a teenager i attempted suicide twice",
        "last year i was in a really dark place, now i'm better",
        "my aunt died by suicide when i was 10",
        "my friend keeps talking about wanting to die and i'm worried",
        "my boss said he'd rather die than retire",
        "if i ever feel like hurting myself i'll reach out",
        "would you tell my doctor if i said i was suicidal?",
        "learning about suicide prevention in my psychology class",
        "watched a documentary about the golden gate bridge",
        "sponsored walk for a mental health charity",
        "i nearly died of embarrassment",
        "my hair dryer died",
        "that movie was so boring i wanted to die",
        "this cold is killing me",
        "i'd kill for a holiday",
        "she's dying to meet you",
        "my mum passed away in april",
        "we lost our dog last week",
        "i gave all my old toys to my nephew",
        "i'm leaving my job, last week there",
        "saying goodbye to my flatmate who's moving out",
        "i wrote a letter to my mum for mother's day",
        "bought a rope for the climbing gym",
        "taking my medication tonight as usual",
        "i'm at the beach with my family",
        "walked over the bridge to work",
        "i'm done for the day",
        "this is the end of my shift",
    ],
    "a sixth wave": [
        "i used to want to die, i don't anymore",
        "i've never tried to kill myself",
        "i'm not at risk, just having a bad day",
        "no plan, no intent, just sad",
        "i'm safe, no thoughts of harming myself",
        "i'd never leave my daughter",
        "i'm not going to do anything, i just needed to vent",
        "i don't think about suicide",
        "killing myself? no way",
        "i'm not suicidal. i'm just exhausted",
        "never would i ever end my own life",
        "dying isn't on my mind at all",
        "my son self harmed years ago, he's ok now",
        "my ex used to threaten suicide",
        "the main character in the book kills herself",
        "i'm a nurse and we had a patient who overdosed",
        "as a paramedic i see a lot of suicides",
        "our school had a talk about self harm",
        "i survived cancer, i'm lucky to be alive",
        "i nearly died in a car crash last year",
        "i'm scared of dying",
        "i had a dream i died, creepy",
        "death metal concert tonight!",
        "watching a murder mystery",
        "i killed the spider",
        "my computer crashed and i lost everything",
        "we buried my grandma today",
        "rest in peace grandad",
        "i'm leaving kindred because i'm doing better, thank you all",
        "last session with my therapist today, graduating from therapy!",
        "i gave away my old bike because i bought a new one",
        "i have my pills ready for the week in my organiser",
        "i'm driving to the coast this weekend for a surf",
        "i'm going to the top of the shard tonight for dinner",
    ],
    "texting, emoji and hyperbole": [
        "lmao im dead 💀",
        "this meme is killing me 😂😂",
        "omg i could die rn this is so embarrassing lol",
        "im dying 😂",
        "ngl that test murdered me",
        "i wanna die of cringe",
        "bro i'm so dead tired",
        "kill me now this lecture is so long lol",
        "i got killed in fortnite 20 times",
        "our team got destroyed lol",
        "my battery is about to die",
        "i'm dead serious about the gym",
        "not suicidal just sad af",
        "i dont wanna die i wanna get better",
        "i wud never hurt myself",
        "no thoughts of sh",
        "bye guys see u tmrw",
        "gtg bye",
        "byeee",
        "see ya later",
        "my cat 🐱 is being a menace",
        "made pasta 🍝 and watched tv",
        "🔪 cooking class was fun",
        "🎉 party tonight",
    ],
    "everyday check-ins": [
        "had a rough day at work but my partner cooked dinner",
        "slept badly, anxious about the interview tomorrow",
        "went for a run, felt good after",
        "my meds are making me tired, talking to my gp next week",
        "started a new antidepressant, side effects are rough",
        "therapy was hard today, talked about my childhood",
        "feeling low, missing my mum",
        "my anxiety has been through the roof this week",
        "had a panic attack on the bus",
        "i'm so lonely since i moved",
        "my kids are driving me crazy lol",
        "i cried at work today",
        "i'm exhausted, the baby won't sleep",
        "i have no energy to do anything",
        "i don't see the point of my job anymore",
        "what's the point of dieting, i always gain it back",
        "i give up trying to understand my boss",
        "i'm sick of this rain",
        "i'm tired of everyone asking me when i'm getting married",
        "i'm done with dating apps",
        "my dad is in hospital after a heart attack",
        "my friend's dad died, went to the funeral",
        "grandma is dying, we're saying goodbye this weekend",
        "said goodbye to my childhood home today, we sold it",
        "packing up my stuff to move flats",
        "gave my old sofa away on freecycle",
        "i'm quitting my job, last day is friday",
        "i wrote my resignation letter",
        "wrote a note to my neighbour about the noise",
        "my will power is zero today",
        "i will try again tomorrow",
        "i'm going to try a new recipe tonight",
        "i bought new knives for my kitchen",
        "cut my finger chopping onions",
        "burned the toast lol",
        "i hit my toe on the bed",
        "i took two paracetamol for my headache",
        "i'm on 50mg sertraline now",
        "picked up my prescription and some vitamins",
        "walked to the river with the dog",
        "we drove to the coast for the day",
        "climbed to the top of the hill, great view",
        "i'm going to the gym tonight and then bed",
        "tomorrow i'm going to clean the whole house",
        "this weekend i'm finally doing it, painting the bedroom",
        "i feel trapped in this job",
        "my back pain is unbearable",
        "i'm drowning in work",
        "the kids are killing me today",
        "my friend told me about her suicide attempt years ago and i was supportive",
        "we watched a film about a suicide bomber",
        "i have a plan for getting healthier",
        "i'm planning my wedding",
        "planning a surprise for my wife",
        "i'm so excited i could die",
        "lol i'm gonna kill my brother he ate my leftovers",
        "if i see one more christmas ad i'll scream",
        "i need to stop overthinking",
        "i hate myself for eating that cake lol",
        "i'm not good enough for this job",
        "nobody texted me back today",
        "i feel invisible at work",
        "i wish i was somewhere else",
        "i want to run away to a beach",
        "i need a break from everything",
        "i want to disappear into a book for a week",
        "i just want to sleep all weekend",
    ],
    "an eighth wave": [
        "i'm afraid of dying",
        "the insurance renewal came through",
        "i'm checking out of the hotel early tomorrow",
        "i deleted my instagram for my mental health",
        "i told my friends i'm moving to leeds",
        "my friend's arms are covered in tattoos",
        "i'm sorry mum, i forgot your birthday",
        "my boss only causes pain lol",
        "this commute is unbearable",
        "i can't escape my emails",
        "the kids are at school tomorrow so i'm going to do the shopping",
        "monday morning i'm going to end my contract with the gym",
        "i'm not going to be here next weekend, on holiday",
        "i prepaid my rent for the year",
    ],
    "negations, conditions, the past and others in other words": [
        "i don't want to die. i want the pain to stop",
        "not once did i think of ending it",
        "at no point have i wanted to hurt myself",
        "i'm not going to kill myself, i just feel numb",
        "i would never do that to my family",
        "it never crossed my mind to hurt myself",
        "thoughts of death? no, just tired",
        "i have no suicidal ideation",
        "denies si",
        "no si/hi today",
        "no thoughts of self-harm or suicide",
        "i'm safe. i promise i'm safe",
        "hurting myself isn't something i'd do",
        "suicide isn't an option for me",
        "if i ever get like that again i'll go to a&e",
        "should i ever feel suicidal i know who to call",
        "in case i feel unsafe i have my crisis plan",
        "my therapist asked if i had a plan and i said no",
        "what if my son is suicidal? how would i know",
        "would you tell my parents if i said i self harmed in the past?",
        "years ago i used to burn myself, not anymore",
        "i was hospitalised after an attempt in 2016, i've been stable since",
        "back when i was 14 i overdosed",
        "i had thoughts of suicide during my postnatal depression, that's behind me now",
        "my last self harm was 18 months ago",
        "my sister attempted last month and she's in hospital",
        "my neighbour hanged himself, i found him",
        "a boy at my son's school died by suicide",
        "my friend keeps cutting and won't get help",
        "my dad talks about wanting to die since mum died",
        "my partner overdosed on his meds last night",
        "the film had a suicide scene that upset me",
        "i'm writing my dissertation on self harm in prisons",
        "suicide rates in men are shocking",
        "we had a minute's silence for suicide awareness day",
        "i donated to a suicide prevention charity",
        "my grandad died peacefully in his sleep",
        "our dog died yesterday, the house feels empty",
        "my best friend passed away from cancer",
        "my phone battery is dead again",
        "the plants in the office are dying",
        "the car died on the motorway",
        "killing the weeds with vinegar",
        "i killed that presentation",
        "the heat is killing me",
        "i'm dying of thirst",
        "i could murder a burger",
        "i'd rather die than wear that",
    ],
}

# No level, and a human reads it (a staff review).
REVIEW = {
    THIRD_PARTY: [
        "my brother says he wants to kill himself",
        "my friend told me she has been cutting",
        "my son has a plan to end his life, im terrified",
        "my best friend tried to overdose last night and im scared for her",
        "my dad says he wants to die",
        "im worried my mum might overdose",
        "my daughter wrote a goodbye letter",
        "my coworker killed himself last month",
        "I lost my dad to suicide",
        "my friend is going through a rough time and talked about wanting to die",
        "my teenage son is self harming and i dont know what to do",
        "my boyfriend threatened to kill himself if i leave",
    ],
    PAST: [
        "i was suicidal in 2019, doing much better",
        "I tried to kill myself two years ago",
        "used to self harm as a teen",
        "back in uni i overdosed",
        "i used to cut when i was 15 but not anymore",
        "years ago i attempted suicide, today im grateful to be alive",
        "when i was a teenager i self harmed a lot but i have been clean for 5 years",
        "after my divorce I wanted to die; today I feel hopeful",
        "i used to want to die every day, therapy really helped",
        "when i was 16 i took an overdose, im 30 now and happy",
        "i had a suicide attempt in 2012",
        "i stopped cutting 2 months ago",
    ],
    UNCLEAR: [
        "idk whats the point anymore",
        "tired of everything",
        "\U0001f52a",
        "\U0001faa6",
        "i give up",
        "feeling hopeless",
        "suicide",
        "im done",
        "someone at school told me to kys",
    ],
}


def _flat(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(category, note) for category, notes in table.items() for note in notes]


@pytest.mark.parametrize(("category", "note"), _flat(URGENT))
def test_an_urgent_statement_is_a_plan(category: str, note: str) -> None:
    finding = assess(note)
    assert finding.level is PLAN, (category, note, finding.hits)


@pytest.mark.parametrize(("category", "note"), _flat(HIGH))
def test_a_warning_sign_reaches_at_least_high(category: str, note: str) -> None:
    finding = assess(note)
    assert finding.level is not None, (category, note, finding.hits)


@pytest.mark.parametrize(("category", "note"), _flat(CALM))
def test_a_calm_statement_gives_nothing(category: str, note: str) -> None:
    finding = assess(note)
    assert finding.level is None, (category, note, finding.hits)
    assert finding.reviews == frozenset(), (category, note, finding.hits)


@pytest.mark.parametrize(("category", "note"), _flat(NO_ALERT))
def test_no_alert(category: str, note: str) -> None:
    finding = assess(note)
    assert finding.level is None, (category, note, finding.hits)


@pytest.mark.parametrize(
    ("reason", "note"), [(reason, note) for reason, notes in REVIEW.items() for note in notes]
)
def test_what_the_rules_cannot_clear_is_reviewed(reason: ReviewReason, note: str) -> None:
    finding = assess(note)
    assert finding.level is None, (note, finding.hits)
    assert reason in finding.reviews, (note, finding.hits)


def test_the_tables_are_large_enough() -> None:
    assert sum(map(len, URGENT.values())) >= 60
    assert sum(map(len, HIGH.values())) >= 80
    assert sum(map(len, CALM.values())) >= 80
    assert all(len(notes) >= 8 for notes in REVIEW.values())


@pytest.mark.parametrize(
    ("note", "level"),
    [
        ("I want to kill myself", INTENT),
        ("i'm such a burden to everyone", INTENT),
        ("ive been cutting again", INTENT),
        ("goodbye everyone i love you", INTENT),
        ("I'm going to kill myself tonight", PLAN),
        ("goodbye everyone, i have the pills", PLAN),
        ("i feel trapped and i keep looking at the rope", PLAN),
    ],
)
def test_levels_are_exact(note: str, level: Level) -> None:
    assert assess(note).level is level


def test_a_graded_note_needs_no_review() -> None:
    finding = assess("my brother tried to kill himself and now i want to die too")
    assert finding.level is INTENT
    assert finding.reviews == frozenset()


def test_a_long_run_on_note_is_read_whole() -> None:
    note = (
        "so today was ok i guess work was long and my boss was on my case again and then the bus "
        "was late and i got soaked and honestly i have been thinking a lot lately about how "
        "everyone would be fine without me and i have been saving up my pills in a shoebox "
        "under the bed and i think friday is the day idk"
    )
    finding = assess(note)
    assert finding.level is PLAN
    assert {Category.BURDEN, Category.PREPARATION, Category.TIME} <= finding.categories


# --- normalisation -------------------------------------------------------------------------


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
        ("self delete", "self delete"),
        ("i want to self delete", "i want to self delete"),
        ("unalive myself", "kill myself"),
        ("ctb", "commit suicide"),
        ("idwtbh", "i do not want to be here"),
        ("sewerslide", "suicide"),
        ("b day", "birthday"),
        ("after everyone's asleep", "after everyone is asleep"),
        ("self-harm", "self harm"),
        ("a,b.c;d! e?f", "a | b | c | d | e | f"),
        ("k!ll mys3lf", "kill myself"),
        ("su1c1de s*icide", "suicide suicide"),
        ("i wnat to die ngl", "i want to die not going to lie"),
        ("so   many\t\tspaces\n\nhere", "so many spaces | here"),
        ("sooooo", "soo"),
        ("\uff26\uff35\uff2c\uff2c width", "full width"),
        ("I'm fine \u2014 really", "i am fine | really"),
        ("\U0001f52a \U0001f48a \U0001f52b \U0001faa6", "emknife empills emgun emgrave"),
    ],
)
def test_normalisation(text: str, normal: str) -> None:
    assert normalized_text(text) == normal


def test_segments_split_at_punctuation() -> None:
    assert normalize("one, two. three") == [["one"], ["two"], ["three"]]


def test_a_phrase_never_spans_two_segments() -> None:
    # "kill" and "myself" on both sides of a full stop are not the phrase
    assert assess("I could kill. Myself, I'm fine").level is None


# --- context -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "negated"),
    [
        ("I am not going to hurt myself", True),
        ("I would never hurt myself", True),
        ("I have no intention of hurting myself", True),
        ("never would i hurt myself", True),  # inverted order
        ("not once have i wanted to hurt myself", True),
        ("hurting myself is not an option", True),  # after the phrase
        ("hurting myself is something i would never do", True),
        ("hurt myself? never", True),  # answered after a soft boundary
        ("hurt myself, no", True),
        ("I will not, I am going to hurt myself", False),  # the comma ends the scope
        ("I don't sleep but I want to hurt myself", False),  # "but" ends the scope
        ("not now I want to hurt myself", False),  # a new "i" ends the scope
        ("i am not ok i want to hurt myself", False),  # a content word ends the scope
        ("I'm not going to not hurt myself", False),  # double negation
        ("I'm not sure I won't hurt myself", False),  # a hedge
        ("I don't think I will hurt myself", False),  # a hedged denial: a human looks
        ("no one would stop me if I hurt myself", False),  # pseudo-negation
        ("I can't stop wanting to hurt myself", False),  # pseudo-negation
        ("hurt myself. no.", False),  # a bare "no" after a full stop answers nothing
        ("not that I ever would, I mean I would never ever in my life hurt myself", True),
    ],
)
def test_negation(note: str, negated: bool) -> None:
    hits = [h for h in scan(note) if h.pattern == "intent.hurt_myself"]
    assert hits, note
    assert hits[-1].negated is negated


@pytest.mark.parametrize(
    ("note", "context"),
    [
        ("my brother says he wants to die", Context.OTHER),
        ("she keeps talking about suicide", Context.OTHER),
        ("my best friend tried to overdose", Context.OTHER),
        ("i told her i want to die", Context.CURRENT),
        ("my mum thinks i want to die", Context.CURRENT),
        ("walked in a suicide prevention 5k", Context.TOPIC),
        ("i was suicidal in 2015", Context.PAST),
        ("i used to be suicidal", Context.PAST),
        ("i was suicidal last night", Context.CURRENT),
        ("i was suicidal in 2015 and i am suicidal again now", Context.CURRENT),
        ("if i ever feel suicidal i will call my therapist", Context.HYPOTHETICAL),
        ("if i feel suicidal again i will tell my therapist", Context.HYPOTHETICAL),
        ("i feel suicidal", Context.CURRENT),
    ],
)
def test_context(note: str, context: Context) -> None:
    hits = [h for h in scan(note) if h.category in {Category.INTENT, Category.MENTION}]
    assert hits, note
    assert hits[-1].context is context, hits


def test_a_condition_makes_intent_a_plan() -> None:
    hits = scan("if things dont change i will kill myself")
    assert [h.conditional for h in hits if h.pattern == "intent.kill_myself"] == [True]
    assert assess("if things dont change i will kill myself").level is PLAN
    # the condition in its own segment counts too
    assert assess("if things dont change, i will kill myself").level is PLAN


def test_everyday_means_with_a_time_alone_do_not_trigger() -> None:
    assert assess("took my pills today").level is None
    # a clear denial next to them does not make them a plan
    assert assess("took my pills today, I would never hurt myself").level is None


@pytest.mark.parametrize(
    "text", ["I have the pills and I will take them tonight", "going to take the tablets tonight"]
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


def test_weak_preparations_count_only_in_company() -> None:
    assert assess("I've been looking up how. I have the car ready").level is PLAN
    assert assess("I've been looking up how").level is None
    assert assess("I have the car ready").level is None


def test_a_lethal_place_and_a_time_alone_are_only_reviewed() -> None:
    finding = assess("going to the railway tonight")
    assert finding.level is None
    assert finding.reviews == {UNCLEAR}
    assert assess("going to the beach tonight").reviews == frozenset()


def test_lethal_means_and_a_time_in_play_or_sport_are_only_reviewed() -> None:
    assert assess("got the rope, tonight").level is PLAN
    finding = assess("taking the gun to the range tonight")
    assert finding.level is None
    assert finding.reviews == {UNCLEAR}


def test_hits_carry_the_pattern_category_and_context_never_the_words() -> None:
    hits = scan("I'm going to kill myself tonight")
    assert [(h.pattern, h.category, h.context) for h in hits] == [
        ("intent.kill_myself", Category.INTENT, Context.CURRENT),
        ("time.cue", Category.TIME, Context.CURRENT),
    ]
    for hit in hits:
        assert "myself" not in repr(hit).lower().replace("kill_myself", "")
        assert "tonight" not in repr(hit).lower()


def test_hits_are_not_repeated() -> None:
    hits = scan("kill myself. kill myself. kill myself")
    assert len(hits) == 1


def test_pattern_names_are_unique_and_named_after_their_category() -> None:
    names = [p.name for p in PATTERNS]
    assert len(names) == len(set(names))
    for pattern in PATTERNS:
        assert pattern.name.split(".")[0] == pattern.category.value
    assert IDIOMS


def test_every_category_is_used() -> None:
    assert {p.category for p in PATTERNS} == set(Category)


def test_a_long_note_is_scanned_quickly() -> None:
    notes = [
        ("I am not sure what to say about today, " * 120)[:4000],
        ("i feel like everyone would be better off and i cant sleep and " * 80)[:4000],
        "a" * 4000,
        ("no " * 1400)[:4000],
        ("kill myself " * 400)[:4000],
    ]
    for note in notes:
        start = time.perf_counter()
        assess(note)
        assert time.perf_counter() - start < 0.25, note[:40]


# --- families first missed on statements written by others (each family, not its example) ---

FAMILIES: dict[str, list[tuple[str, Level]]] = {
    "to be gone, not to exist, to sleep for good": [
        ("i just want to be gone", INTENT),
        ("honestly i want to be gone for good", INTENT),
        ("wishing i could just not exist", INTENT),
        ("i need to go away from this world forever", INTENT),
        ("i wish i could fall asleep and stay asleep forever 😴💀", INTENT),
        ("just want to close my eyes and never open them", INTENT),
        ("praying i can sleep and never wake", INTENT),
        ("sleep forever 😴😴💀", INTENT),
    ],
    "a voice commanding it": [
        ("the voice that says kill yourself is loud today", INTENT),
        ("the voices keep telling me to hurt myself", INTENT),
        ("a voice in my head keeps saying i should die", INTENT),
        ("my brain keeps screaming at me to end it", INTENT),
        ("voices are ordering me to cut myself again", INTENT),
        ("the voice whispers that i deserve to die", INTENT),
    ],
    "asking whether a means would work": [
        ("mixing my antidepressants with alcohol, would it work?", PLAN),
        ("if i took all my sertraline with vodka would that do it", PLAN),
        ("how many of these would it take", PLAN),
        ("how much of it would i need to not wake up", PLAN),
        ("would 30 paracetamol be enough", PLAN),
        ("would a whole box of sleeping pills do it", PLAN),
        ("combining my meds and whisky, would that be enough?", PLAN),
    ],
    "resolve to die": [
        ("not scared anymore. i'm going to do it and die", INTENT),
        ("i am ready to die", INTENT),
        ("going to die by my own hand", INTENT),
        ("i'm going to die on my own terms", INTENT),
        ("decided to go through with it and not come back", INTENT),
    ],
    "the last time alive, with its time": [
        ("this is my last weekend alive", PLAN),
        ("my last night on earth", PLAN),
        ("i won't see monday", PLAN),
        ("today is my final day on this planet", PLAN),
        ("not going to make it to the weekend anyway", PLAN),
        ("i will not wake up on saturday", PLAN),
    ],
    "ending it with a time": [
        ("ending it later today", PLAN),
        ("ending it all tonight", PLAN),
        ("im finishing it all this weekend", PLAN),
        ("ending things in a few hours", PLAN),
        ("finishing myself off on friday", PLAN),
        ("ending everything by midnight", PLAN),
    ],
    "means in quantity": [
        ("i bought the pills today, enough to do it", PLAN),
        ("got enough to not wake up", PLAN),
        ("picked up paracetamol, more than enough to make sure", PLAN),
        ("ordered the pills online, plenty to end it", PLAN),
        ("the pills are counted and on the table", PLAN),
        ("took the whole bottle", PLAN),
        ("i swallowed everything in the medicine cabinet", PLAN),
        ("just took 40 paracetamol", PLAN),
    ],
    "nothing left for me": [
        ("there is nothing left for me here", INTENT),
        ("there's no place for me in this world", INTENT),
        ("nothing to stay for anymore", INTENT),
        ("no one left to keep going for", INTENT),
        ("there is no reason to stay alive", INTENT),
        ("i don't belong in this world", INTENT),
        ("i don't see a future for me", INTENT),
        ("so tired of existing", INTENT),
        ("i have no place in this world anymore", INTENT),
        ("i want to stop being alive", INTENT),
        ("honestly just want to stop existing", INTENT),
    ],
    "death welcome, thoughts that keep coming, intent said outright": [
        ("honestly wouldn't mind if a bus hit me", INTENT),
        ("i don't care if i get run over", INTENT),
        ("i want my life to end for good", INTENT),
        ("ending it keeps crossing my mind", INTENT),
        ("suicide has been running through my head all day", INTENT),
        ("i intend to end it", INTENT),
        ("i'm determined to end my life", INTENT),
    ],
    "how high, how deep, the painless way": [
        ("wondering if the fall from my balcony would be high enough", PLAN),
        ("is the car park tall enough to not survive", PLAN),
        ("how deep do you have to cut", PLAN),
        ("how many would i need to take to not wake up", PLAN),
        ("what's the most painless way", PLAN),
        ("looking for the quickest way out", PLAN),
        ("i've picked the place and the time", PLAN),
        ("i know exactly how i'm going to do it", PLAN),
    ],
    "comfort in not waking, voices wanting it, unsafe, pain to stop for good": [
        ("i wanna disappear and never be found", INTENT),
        ("the thought of not waking up is comforting", INTENT),
        ("the voices want me dead", INTENT),
        ("i just want the pain to stop for good", INTENT),
        ("not sure i can keep myself safe tonight", INTENT),
        ("nothing to keep me here anymore", INTENT),
        ("i'm thinking about cutting tonight", INTENT),
    ],
    "means enough, goodbyes to the loved, funeral wishes": [
        ("would my insulin be enough to do it", PLAN),
        ("is 20 of my tablets enough", PLAN),
        ("i've already said bye to everyone i love", PLAN),
        ("i've left instructions for my funeral", PLAN),
    ],
    "no problem much longer": [
        ("i won't be a problem much longer", INTENT),
        ("i won't be a burden to anyone for much longer", INTENT),
        ("they won't have to put up with me much longer", INTENT),
    ],
}


@pytest.mark.parametrize(
    ("family", "note", "expected"),
    [(family, note, lvl) for family, cases in FAMILIES.items() for note, lvl in cases],
)
def test_families_from_statements_written_by_others(
    family: str, note: str, expected: Level
) -> None:
    found = assess(note).level
    assert found is PLAN if expected is PLAN else found is not None, (family, note, found)


CALM_COUNTERPARTS = [
    "i want to be gone by 5 so i can beat traffic",
    "i don't want to be gone for too long",
    "i could sleep forever after that shift 😴",
    "that meeting tonight 💀",
    "i want to sleep in forever this weekend lol",
    "my brother hears voices telling him to hurt himself",
    "got a voice message from some troll, blocked them",
    "my sister said i should dye my hair",
    "the voice in my head says i should quit my job",
    "is it safe mixing my antidepressants with alcohol?",
    "started new meds, will they work?",
    "would 2 ibuprofen be enough for this headache?",
    "how many of these would it take to fill the jar",
    "would a whole bottle of wine be enough for the party?",
    "i'm ready to die my hair blue",
    "i'm going to do it and apply for the job",
    "my last night in london before flying home",
    "this is my last day at work before the holidays",
    "i won't see my mum on monday because of work",
    "ending it with him tonight",
    "i'm ending things with her this weekend",
    "finishing it tonight, the essay is due",
    "the series is ending tonight",
    "bought enough food to last the week",
    "got enough sleep to do it all again",
    "i have enough money to do it",
    "the pills are counted into my weekly dosette",
    "there is nothing left for me to do at work today",
    "there's no place for me to park here",
    "i have so much to live for",
    "i don't see a future with him",
    "i won't be a problem for the team anymore, i fixed the bug",
    "i made my peace with my sister",
    "checking out of the hotel tomorrow",
    "i made my final decision, taking the job in leeds",
    "i'm checking out tonight, the hotel was lovely",
    "the exhibition ends tomorrow",
    "i never want to be gone from my kids",
    "if i ever want to be gone for good i'll call 988",
    "finally finishing it tonight! the puzzle is done",
    "wouldn't mind if the bus came on time for once",
    "i want everything to stop being so loud",
    "ending it with him keeps crossing my mind",
    "suicide never crossed my mind",
    "i intend to end my subscription",
    "wondering if the jump from the diving board would be high enough for a flip",
    "how long do you have to cut the grass",
    "how many do i need to take per day for my vitamins",
    "what's the most painless way to remove a plaster",
    "the quickest way out is through the back door",
    "i picked the place and the time for our date night",
    "soon it won't matter what the weather is",
    "i'm done! see you next week",
    "i want to stop living in fear",
    "last night on earth is my favourite song",
    "i have no place in this team's rota this week",
    "i don't want to be gone, i want to get better",
    "i would never end it all tonight, i have a family",
    "no one has to worry, i'm not ending it tonight",
    "i'm not tired of existing, just tired of work",
    "if i ever thought i won't see monday i'd call someone",
    "suicide prevention training: voices telling people to kill themselves is a sign",
    "i took 2 paracetamol for my headache",
    "i took the whole box of cereal to work",
    "took the whole bottle of water on the hike",
    "she told me to do it and i did, best haircut ever",
    "no reason to stay late today",
    "bought a new rope for the swing",
    "the pills are counted out by the pharmacist",
    "i want to disappear into a good book this weekend",
    "my kids are the reason i keep going",
    "mixing paint with water, would it work?",
    "would a whole tub of ice cream be enough for four of us?",
    "how many of these do i need to buy for the party",
    "i won't see friday's match, i'm working",
]


@pytest.mark.parametrize("note", CALM_COUNTERPARTS)
def test_calm_phrasings_of_the_same_families_do_not_alert(note: str) -> None:
    assert assess(note).level is None, note


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        ("she wants to be gone for good, she's moving abroad", None),
        ("my friend said there's no place for him here anymore", None),
        ("i used to want to disappear for good, years ago, but therapy helped", PAST),
        ("final decision made", UNCLEAR),
        ("she bought the pills today, enough to do it, i called 999", None),
        ("my brother got the pills, enough to do it", None),
        ("he says there is nothing left for him here", THIRD_PARTY),
        ("my mum says the voices tell her to hurt herself", THIRD_PARTY),
        ("he's ending it tonight, he told me, i'm scared", THIRD_PARTY),
        ("in 2019 i took the whole bottle, i'm ok now, therapy saved me", PAST),
        ("i used to hear a voice telling me to hurt myself, not anymore, meds help", None),
        ("i'm checking out tonight", UNCLEAR),
        ("soon it won't matter", UNCLEAR),
        ("time's up for me", UNCLEAR),
        ("i'm actually going to go through with it this time", UNCLEAR),
    ],
)
def test_ambiguous_or_other_phrasings_are_reviewed_not_alerted(
    note: str, reason: ReviewReason | None
) -> None:
    finding = assess(note)
    assert finding.level is None, note
    if reason is not None:
        assert reason in finding.reviews, (note, finding.reviews)


# Indirect and euphemistic phrasings, by family: the member never names suicide, yet the note
# says a decision, a plan, means in reach, a time with finality or a preparation.
INDIRECT_FAMILIES = {
    "decided intent": [
        ("im going to do it. ive decided", INTENT),
        ("i've made up my mind, i'm not staying", INTENT),
        ("no more chances, going through with it", INTENT),
        ("ready to go. not scared anymore", INTENT),
        ("ready now. not afraid of dying anymore", INTENT),
    ],
    "plan without suicide words": [
        ("i know exactly where and when", PLAN),
        ("worked it all out, the what and the when", PLAN),
        ("i've figured out how and when", PLAN),
        ("wrote down step by step how i'm going to do it", PLAN),
        ("my plan is ready. just have to choose the date", PLAN),
        ("it's all planned for friday", PLAN),
        ("it's all arranged for saturday", PLAN),
        ("the plan is the woods, nobody goes there", PLAN),
    ],
    "time with finality": [
        ("i will die tonight", PLAN),
        ("i'm going to die on friday", PLAN),
        ("by monday it'll be over one way or another", PLAN),
        ("it'll all be over for good by friday", PLAN),
        ("this ends tonight", PLAN),
        ("everything ends tonight", PLAN),
        ("giving myself till the end of the month and then thats it", PLAN),
        ("2moro is the day. sorry", PLAN),
        ("sunday is the day", PLAN),
        ("tonight's the night i think", PLAN),
        ("as soon as everyone's asleep tonight", PLAN),
        ("saturday's the day", PLAN),
        ("i think tonight's the one", PLAN),
        ("done with trying. tonight's it", PLAN),
        ("it all stops tonight", PLAN),
        ("everything's planned for tomorrow night", PLAN),
        ("you'll all be better off by tomorrow", INTENT),
        ("nobody will have to put up with me after tonight", INTENT),
        ("once the kids are in bed tonight", PLAN),
        ("after tonight i won't be a problem", PLAN),
        ("i won't be a bother to anyone anymore", INTENT),
    ],
    "means ready": [
        ("got the pills, more than enough", PLAN),
        ("got my tablets. more than enough", PLAN),
        ("found a beam that's strong enough", PLAN),
        ("the banister is sturdy enough", PLAN),
        ("strong enough to hold my weight", PLAN),
        ("dad's gun is in the closet and i know where the key is", PLAN),
        ("been reading about which tablets work fastest", PLAN),
        ("gonna take all of it with whisky", PLAN),
        ("jumping off would be quickest", PLAN),
        ("gonna sit on the tracks and wait", PLAN),
        ("went to the lake, just going to walk in", PLAN),
        ("left instructions for my funeral", PLAN),
    ],
    "preparation": [
        ("tidied the flat so its nice for whoever finds me", PLAN),
        ("for whoever finds me, i'm sorry", PLAN),
        ("made sure the dog has a new home", PLAN),
        ("arranged it so the cats have a new owner", PLAN),
        ("found a new home for my dog", PLAN),
    ],
    "place and not returning": [
        ("drove to the lake, gonna sit here until i walk in", PLAN),
        ("going to swim into the sea and never come back", PLAN),
        ("going to the station. one way trip", PLAN),
        ("at the bridge. its quiet up here", PLAN),
        ("at the bridge now, the water looks so calm", PLAN),
        ("heading to the forest, dont come looking", PLAN),
        ("heading to the cliffs, no one will find me", PLAN),
        ("checking out tonight, the hotel's booked and i've got everything i need", PLAN),
    ],
    "passive wish, burden, slang, self-harm, farewell": [
        ("wouldnt mind if i faded out", INTENT),
        ("i'd honestly not mind if i never woke up", INTENT),
        ("i'd be glad if i just died in my sleep", INTENT),
        ("relieved if the doctor said i had months left", INTENT),
        ("my wife would get the life insurance and be free of me", INTENT),
        ("they'd finally be rid of me", INTENT),
        ("i am not worth saving", INTENT),
        ("keep thinking about topping myself", INTENT),
        ("i can't see myself being alive next year", PLAN),
        ("ending it is the only option left", INTENT),
        ("got the blade out, sat with it for an hour. did a few", INTENT),
        ("took the blade out again", INTENT),
        ("thank you for everything before i go", INTENT),
        ("please don't come looking for me", INTENT),
    ],
}


@pytest.mark.parametrize(
    ("note", "expected"),
    [case for cases in INDIRECT_FAMILIES.values() for case in cases],
)
def test_indirect_phrasings_of_the_families_alert(note: str, expected: Level) -> None:
    assert assess(note).level is expected, note


INDIRECT_CALM = [
    "ready to go to the gym",
    "made up my mind about the job",
    "made up my mind, i'm not staying at this job",
    "no more chances for the team this season",
    "by monday it'll be over, the exam i mean",
    "heading to the bridge club",
    "tidied the flat for my mum's visit",
    "found a new home for the sofa",
    "found a new home for my old bike",
    "i will die of embarrassment tomorrow",
    "wouldn't mind if i won the lottery",
    "topping myself up with coffee",
    "the cat would be free of me for a week while i'm away",
    "the beam is strong enough for the swing",
    "which painkillers work fastest for a migraine",
    "the plan is sorted for the weekend",
    "just need to pick the date for the wedding",
    "i know where the spare key is",
    "got snacks, more than enough",
    "whoever finds my lost wallet gets a reward",
    "the sale ends tonight",
    "friday is the day we move house",
    "i'm not staying late tonight",
    "not scared of spiders anymore",
    "it's all planned for friday, the surprise party",
    "as soon as the kids are in bed tonight i'm having a bath",
    "don't come looking for me at the office, i'm working from home",
    "gave away my old clothes",
    "thank you for everything, see you next week",
    "before i go to bed",
    "everything is set for the party on friday",
    "i've decided. i'm quitting my job",
    "i've decided, i'm going through with the divorce",
    "the what and the when of the project are still unclear",
    "i know exactly how and when to ask for help",
    "after the exams finish i'll be gone travelling",
    "got my meds, more than enough for the holiday",
    "i have everything i need for the trip tomorrow",
    "taking the train would be quick",
    "the plan is the beach this weekend",
    "you'll be better off with the new phone",
    "left instructions for the funeral director about nan",
    "everything is set for the party on friday",
    "it'll all be over by friday, the exams i mean",
    "this all ends tonight, the season finale",
    "it will all be over soon, the move i mean",
]


@pytest.mark.parametrize(
    "note",
    [
        "it'll all be over by friday, the pills i mean",
        "this ends tonight, my life i mean",
        "this ends tonight, the bridge i mean",
    ],
)
def test_saying_what_it_was_clears_finality_only_for_an_ordinary_thing(note: str) -> None:
    assert assess(note).level is PLAN, note


@pytest.mark.parametrize("note", INDIRECT_CALM)
def test_calm_counterparts_of_the_indirect_families_stay_calm(note: str) -> None:
    assert assess(note).level is None, note


@pytest.mark.parametrize(
    "note",
    [
        "the rope is in the garage",
        "standing on the roof",
        "i'm heading to the bridge",
        "gave away my guitar",
        "the train at 6 would be quick",
        "going to finish it tonight",
        "just need to pick the night",
        "i'm going through with it",
        "i'm not sticking around much longer",
        "no more second chances",
        "till christmas and then that's it",
        "giving myself till friday",
        "the noose is in the shed",
        "on the roof now, looking down",
        "the 6:15 train would do it",
        "the knife is sharp enough",
        "after this weekend nobody will have to worry about me",
        "made sure mum will be looked after",
        "i've settled on a date",
        "i've decided how",
        "it's happening tonight",
        "everything's ready for tonight",
        "got to the party, just going to walk in",
    ],
)
def test_indirect_phrasings_too_ambiguous_to_alert_are_reviewed(note: str) -> None:
    finding = assess(note)
    assert finding.level is None, note
    assert UNCLEAR in finding.reviews, (note, finding.reviews)


@pytest.mark.parametrize(
    "note",
    [
        "my brother keeps talking about topping himself",
        "she tidied her flat so it's nice for whoever finds her",
        "my dad made sure the dog has a new home and i'm worried",
        "she's going through with it tonight",
    ],
)
def test_indirect_phrasings_of_someone_else_are_reviewed_as_theirs(note: str) -> None:
    finding = assess(note)
    assert finding.level is None, note
    assert THIRD_PARTY in finding.reviews, (note, finding.reviews)


@pytest.mark.parametrize(
    "note",
    [
        "i would never top myself",
        "years ago i wouldn't have minded if i faded out, therapy helped",
        "if i ever felt my plan was sorted i'd call 988",
        "i don't know where the key is",
    ],
)
def test_indirect_phrasings_negated_past_or_hypothetical_do_not_alert(note: str) -> None:
    assert assess(note).level is None, note


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("had suicidal thoughts through most of uni, that period is a blur", None),
        ("spent my twenties wanting to die. weird to be 40 and planning holidays", None),
        ("i was suicidal years ago and still am", INTENT),
        ("spent my twenties wanting to die and i still do", INTENT),
        ("i've been suicidal for most of my twenties and still am", INTENT),
    ],
)
def test_a_stretch_of_the_past_is_the_past_unless_it_goes_on(
    note: str, expected: Level | None
) -> None:
    finding = assess(note)
    assert finding.level is expected, note
    if expected is None:
        assert PAST in finding.reviews, (note, finding.reviews)


# A fourth pass: research on lethality, a means on the mind, a walk off the edge, a dose worked
# out, means gathered unnoticed, the means not put back, "finally ready", dropped g's.
FOURTH_PASS = [
    ("been looking up which bridges near me are tall enough", PLAN),
    ("googled what car parks in town would be high enough", PLAN),
    ("checked which of my meds are fatal with drink", PLAN),
    ("researching whether paracetamol is lethal in one go", PLAN),
    ("cant stop thinking about the rope in the shed", PLAN),
    ("that shotgun in the cabinet keeps calling to me", PLAN),
    ("my dads rifle has been in my head all week", PLAN),
    ("gonna drive up to the cliffs and just step off the edge", PLAN),
    ("thinking i'll throw myself off the side of the car park", PLAN),
    ("worked out the lethal dose and i have more than enough", PLAN),
    ("calculated the amount i need so i have got enough now", PLAN),
    ("got the tablets from three different pharmacies so nobody would notice", PLAN),
    ("bought another packet of paracetamol at a different shop so they wouldnt ask", PLAN),
    ("holding the gun, not going to put it away this time", PLAN),
    ("at the lake. dont think ill be heading home", PLAN),
    ("im finally ready to go through with it", INTENT),
    ("at last brave enough to do it. going through with it", INTENT),
    ("been seriously considerin ending it", INTENT),
]

FOURTH_PASS_CALM = [
    "looked up which trails near me are high enough for snow",
    "checked which of my meds are safe with drink, pharmacist said fine",
    "the gun show has been on my mind all week",
    "the gun range has been on my mind since the trip",
    "walked off the edge of the pitch after the match",
    "stepped off the edge of the pool into the deep end",
    "worked out the dose i need and i have got enough for the month",
    "picked up a second box of pills from a different chemist because mine was shut",
    "not planning to put the christmas tree back up",
    "i am finally ready to go through with the move",
    "finally ready to leave my job",
    "considerin a new job tbh",
    "going to drive over the bridge to see mum",
    "looked up which plants are fatal to cats, the kitten chews everything",
]


@pytest.mark.parametrize(("note", "expected"), FOURTH_PASS)
def test_fourth_pass_families_alert(note: str, expected: Level) -> None:
    assert assess(note).level is expected, note


@pytest.mark.parametrize("note", FOURTH_PASS_CALM)
def test_fourth_pass_calm_counterparts_stay_calm(note: str) -> None:
    assert assess(note).level is None, note


@pytest.mark.parametrize(
    "note",
    [
        "gf messaged me 'i want to die' and shes gone quiet",
        "my mate posted kms on his story last night",
        "my sister texted me i won't be here much longer, cant reach her",
        "he said 'i'm going to kill myself' then hung up",
    ],
)
def test_someone_elses_reported_words_are_reviewed_as_theirs(note: str) -> None:
    finding = assess(note)
    assert finding.level is None, note
    assert THIRD_PARTY in finding.reviews, (note, finding.reviews)


@pytest.mark.parametrize(
    "note",
    [
        "my mum said that and i want to die",
        "i said i want to die and i meant it",
        "she texted me back but i still want to kill myself",
    ],
)
def test_a_report_then_the_members_own_words_still_alert(note: str) -> None:
    assert assess(note).level is not None, note


@pytest.mark.parametrize(
    "note",
    [
        "thoughts of ending it, none this week",
        "urges to self harm, none lately",
        "suicidal thoughts: none in the last fortnight",
    ],
)
def test_an_answer_of_none_for_a_while_negates(note: str) -> None:
    assert assess(note).level is None, note


@pytest.mark.parametrize(
    "note", ["thoughts of ending it, all week", "suicidal thoughts: every day this week"]
)
def test_an_answer_that_is_not_none_keeps_it_live(note: str) -> None:
    assert assess(note).level is not None, note


# Wishing something would kill me, envy of the dead, death as rest, "might as well end it",
# death as the only door, others kinder off if i disappeared, a handover of someone in my care,
# self-harm again or deeper, a relapse that ends a recovery.
FIFTH_PASS = [
    "keep hoping a lorry takes me out on my commute",
    "praying the cancer kills me quick tbh",
    "wish some drunk driver would run me over",
    "envious of people who got to die young",
    "if i found out i had a terminal illness i would be relieved",
    "not existing sounds so restful",
    "dying seems kinda peaceful tbh",
    "whats the point, might as well end it all",
    "suicide is the only way out left",
    "all paths lead to death for me",
    "he would be happier if i was gone",
    "would be a favour to my parents if i just vanished",
    "pls take care of my kids for me",
    "so long everybody and thanks",
    "cut deeper than last time, couldnt stop",
    "burned myself with a cigarette",
    "relapsed after a year clean and cut myself",
]

FIFTH_PASS_CALM = [
    "hoping the bus takes me to the coast on time",
    "jealous of people who get to go to the beach",
    "if i got a terminal diagnosis i would want to travel",
    "death looks peaceful in that painting",
    "might as well end it with him, the relationship is done",
    "every road leads to the city centre",
    "it would be kinder to everyone if i was not around for the move",
    "please look after my little brother tonight while i work",
    "so long and thanks for all the fish",
    "burned myself with the iron again",
    "a year clean now. i used to cut myself a lot",
]


@pytest.mark.parametrize("note", FIFTH_PASS)
def test_fifth_pass_families_alert(note: str) -> None:
    assert assess(note).level is not None, note


@pytest.mark.parametrize("note", FIFTH_PASS_CALM)
def test_fifth_pass_calm_counterparts_stay_calm(note: str) -> None:
    assert assess(note).level is None, note


@pytest.mark.parametrize(
    "note",
    [
        "spotted scars on their thighs at the pool",
        "saw scratches all over her legs",
        "my son posted something that read like a farewell",
        "grandad has been giving away his records and watch",
        "my sister keeps talking about being a burden",
        "mum said the kids would be better off without her",
    ],
)
def test_signs_seen_in_someone_else_are_reviewed_as_theirs(note: str) -> None:
    finding = assess(note)
    assert finding.level is None, note
    assert THIRD_PARTY in finding.reviews, (note, finding.reviews)


@pytest.mark.parametrize(
    "note",
    [
        "had an attempt in my twenties, still think about it",
        "my gp knows about my history of self harm as a teen",
        "i have a long history of suicidal thoughts, years ago now",
    ],
)
def test_the_members_own_history_is_reviewed_as_the_past(note: str) -> None:
    finding = assess(note)
    assert finding.level is None, note
    assert PAST in finding.reviews, (note, finding.reviews)


@pytest.mark.parametrize(
    "note",
    [
        "i have a history of self harm and i cut again last night",
        "history of overdoses and i want to die again",
    ],
)
def test_a_history_and_something_of_now_still_alerts(note: str) -> None:
    assert assess(note).level is not None, note


@pytest.mark.parametrize(
    "note",
    [
        "the team would be better off without him at work, honestly",
        "giving away her old clothes to charity shop",
        "marks on her hands from the paint",
        "made an attempt at baking bread",
    ],
)
def test_everyday_lookalikes_of_signs_in_others_do_not_alert(note: str) -> None:
    assert assess(note).level is None, note


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("if i got a terminal diagnosis tomorrow i'd be glad", INTENT),
        ("being dead sounds so peaceful right now", INTENT),
        ("hoping a lorry takes me out tonight", INTENT),
        ("hoping a train takes me out, heading to the station now", PLAN),
        ("might as well end it, the rope is in the shed", PLAN),
    ],
)
def test_a_passive_wish_with_only_a_time_is_high_not_urgent(note: str, expected: Level) -> None:
    assert assess(note).level is expected, note
